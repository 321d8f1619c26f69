import type { ImageLayout } from '../annotator.js';
import type { AnnotatorSettings } from '../annotator-factory.js';
import { createAnnotator } from '../annotator-registry.js';
import { estimateRequestCost, type ImageSize, type RequestCostEstimate } from './estimate-request-cost.js';
import type { ImageDetail } from './image-tokens.js';
import { findModelPrice, loadPriceTable, type ModelPrice } from './price-table.js';
import { gridLayout } from '../llm/grid-layout.js';
import { LLM_PROVIDER_DEFINITIONS } from '../llm/llm-providers.js';
import { resolveLlmSettings } from '../llm/llm-settings.js';
import { loadPrompt, type PromptFile } from '../llm/prompt-file.js';
import { describeError } from '../../errors.js';
import type { FaceDetector } from '../../faces/face-detector.js';
import { type FaceMode, findFaces } from '../../faces/find-faces.js';
import { createTinyFaceDetector } from '../../faces/tiny-face-detector.js';
import { discoverInputs } from '../../media/discover-inputs.js';
import { DEFAULT_FRAME_COUNT, loadFrames } from '../../media/load-frames.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';

/** What a run would send, item by item. */
export interface ItemCostEstimate {
  readonly id: string;
  readonly path: string;
  readonly requests: number;
  readonly images: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd?: number;
  /** Why the item could not be estimated (it would fail the same way in a real run). */
  readonly error?: string;
}

/** The dry run's answer: per item and in total, with the price table's date. */
export interface RunCostEstimate {
  readonly model: string;
  readonly strategy: string;
  readonly promptVersion: string;
  readonly detail: ImageDetail;
  readonly imageSize: number;
  readonly frames: number;
  readonly priced: boolean;
  readonly priceTableChecked?: string;
  readonly items: readonly ItemCostEstimate[];
  readonly total: { readonly requests: number; readonly images: number; readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number };
  /** Total cost scaled to 1,000 items, from the items that could be estimated. */
  readonly costPer1000Items: number;
  readonly warnings: readonly string[];
}

/** Options of {@link estimateRunCost}; the same as `annotate()`'s for the fields they share. */
export interface RunCostOptions {
  /** @default 'local' */
  readonly model?: string;
  readonly annotatorSettings?: AnnotatorSettings;
  /** @default 'frame' */
  readonly strategy?: string;
  readonly taxonomy: Taxonomy;
  /** @default 8 */
  readonly frames?: number;
  /** @default 'largest' */
  readonly faces?: FaceMode;
  readonly faceMargin?: number;
  readonly manifest?: string;
  readonly clipFolders?: boolean;
  readonly detector?: FaceDetector;
  /** Called after each item, for progress. */
  readonly onItem?: (estimate: ItemCostEstimate, done: number, total: number) => void;
}

/** The requests a strategy makes for one clip of crops, as image sizes per request. */
export function planRequests(strategy: string, crops: readonly ImageSize[], maxImagesPerRequest: number): Array<{ images: ImageSize[]; layout: ImageLayout }> {
  const asGrid = () => {
    if (crops.length <= 1) return [{ images: [...crops], layout: { kind: 'frames' } as const }];
    const grid = gridLayout(crops.length);
    return [{ images: [{ width: grid.width, height: grid.height }], layout: { kind: 'grid', columns: grid.columns, rows: grid.rows, frameCount: crops.length } as const }];
  };
  if (strategy === 'grid') return asGrid();
  if (strategy === 'multi') return crops.length > maxImagesPerRequest ? asGrid() : [{ images: [...crops], layout: { kind: 'frames' } }];
  return crops.map((crop) => ({ images: [crop], layout: { kind: 'frames' } }));
}

function addEstimates(estimates: ReadonlyArray<Pick<RequestCostEstimate, 'inputTokens' | 'outputTokens' | 'costUsd'>>): Pick<ItemCostEstimate, 'inputTokens' | 'outputTokens' | 'costUsd'> {
  return {
    inputTokens: estimates.reduce((sum, estimate) => sum + estimate.inputTokens, 0),
    outputTokens: estimates.reduce((sum, estimate) => sum + estimate.outputTokens, 0),
    costUsd: estimates.some((estimate) => estimate.costUsd === undefined) ? undefined : estimates.reduce((sum, estimate) => sum + (estimate.costUsd ?? 0), 0),
  };
}

/**
 * `--dry-run`: discovers the inputs, samples frames and crops faces exactly as a run would (so image
 * sizes are real), and estimates the tokens and dollars of every request the strategy would make,
 * by the price table. Sends nothing and needs no API key.
 * @example const estimate = await estimateRunCost(['clips/'], { model: 'openai:gpt-4o-mini', strategy: 'multi', taxonomy: basic7 });
 */
export async function estimateRunCost(inputs: readonly string[], options: RunCostOptions): Promise<RunCostEstimate> {
  const model = options.model ?? 'local';
  const strategy = options.strategy ?? 'frame';
  const frameCount = options.frames ?? DEFAULT_FRAME_COUNT;
  const settings = resolveLlmSettings(options.annotatorSettings ?? {});
  const annotator = createAnnotator(model, options.annotatorSettings);
  const id = `${annotator.provider}:${annotator.modelId}`;
  const definition = LLM_PROVIDER_DEFINITIONS[annotator.provider];
  const prompt: PromptFile = loadPrompt(settings.prompt);
  const table = loadPriceTable(settings.priceTable ?? settings.env.EMOLABEL_PRICE_TABLE);
  const price: ModelPrice | undefined = definition ? findModelPrice(table, id) : { inputPerMillion: 0, outputPerMillion: 0, imageTokens: { rule: 'flat', tokens: 0 } };
  const detail = settings.detail ?? definition?.defaultDetail ?? 'auto';
  const warnings: string[] = [];
  if (!definition) warnings.push(`${id} runs locally: no tokens, no cost`);
  if (price === undefined) warnings.push(`no price for ${id} in the price table; tokens are estimated without image tokens and no cost is given (add it with --price-table)`);
  if (!['frame', 'mean', 'multi', 'grid'].includes(strategy)) warnings.push(`strategy ${strategy} is estimated as one request per frame`);

  const faceMode = options.faces ?? 'largest';
  const detector = faceMode === 'none' ? undefined : (options.detector ?? createTinyFaceDetector());
  const discovered = await discoverInputs(inputs, { manifest: options.manifest, clipFolders: options.clipFolders });
  const total = discovered.items.length + discovered.failures.length;
  const items: ItemCostEstimate[] = discovered.failures.map((failure) => ({ id: failure.id, path: failure.path, requests: 0, images: 0, inputTokens: 0, outputTokens: 0, error: failure.error }));
  for (const item of discovered.items) {
    let estimate: ItemCostEstimate;
    try {
      const frames = await loadFrames(item, frameCount);
      const tracks = await findFaces(frames, detector, { mode: faceMode, margin: options.faceMargin });
      const requests = tracks.flatMap((track) => planRequests(strategy, track.crops.map((crop) => crop.image), annotator.maxImagesPerRequest));
      // A local model reads no prompt and bills no tokens: its requests are counted, at zero.
      const estimates = definition === undefined
        ? requests.map(() => ({ inputTokens: 0, outputTokens: 0, costUsd: 0 }))
        : requests.map((request) =>
          estimateRequestCost({ price, prompt, taxonomy: options.taxonomy, images: request.images, layout: request.layout, imageSize: settings.imageSize, detail }));
      estimate = { id: item.id, path: item.path, requests: requests.length, images: requests.reduce((sum, request) => sum + request.images.length, 0), ...addEstimates(estimates) };
    } catch (error) {
      estimate = { id: item.id, path: item.path, requests: 0, images: 0, inputTokens: 0, outputTokens: 0, error: describeError(error) };
    }
    items.push(estimate);
    options.onItem?.(estimate, items.length, total);
  }
  await annotator.close?.();
  const estimated = items.filter((item) => item.error === undefined);
  const sum = (pick: (item: ItemCostEstimate) => number) => estimated.reduce((total, item) => total + pick(item), 0);
  const costUsd = sum((item) => item.costUsd ?? 0);
  return {
    model: id, strategy, promptVersion: prompt.version, detail, imageSize: settings.imageSize, frames: frameCount,
    priced: price !== undefined, priceTableChecked: table.checked, items,
    total: { requests: sum((item) => item.requests), images: sum((item) => item.images), inputTokens: sum((item) => item.inputTokens), outputTokens: sum((item) => item.outputTokens), costUsd },
    costPer1000Items: estimated.length === 0 ? 0 : (costUsd / estimated.length) * 1000,
    warnings,
  };
}
