import { annotatorId, type JsonValue } from '../annotators/annotator.js';
import { wrapAnnotator } from '../annotators/annotator-middleware.js';
import { createAnnotator } from '../annotators/annotator-registry.js';
import { DEFAULT_FRAME_COUNT } from '../media/load-frames.js';
import { annotate, type AnnotateOptions } from '../pipeline/annotate.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { dryRunMiddleware, type EstimatedRequest } from './dry-run-middleware.js';
import { runMiddleware } from './run-middleware.js';

/** What a run would send, item by item. */
export interface ItemCostEstimate {
  readonly id: string;
  readonly path: string;
  readonly requests: number;
  readonly images: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Undefined when a request has no known price. */
  readonly costUsd?: number;
  /** Why the item could not be estimated (it would fail the same way in a real run). */
  readonly error?: string;
}

/** The dry run's answer: per item and in total. */
export interface RunCostEstimate {
  readonly model: string;
  readonly strategy: string;
  readonly frames: number;
  /** The annotator's settings identity (prompt version, detail, image size …). */
  readonly settings: Readonly<Record<string, JsonValue>>;
  readonly billing: 'free' | 'metered';
  /** Whether every estimated request had a price. */
  readonly priced: boolean;
  /** When the prices used were checked, when the annotator says. */
  readonly priceChecked?: string;
  readonly items: readonly ItemCostEstimate[];
  readonly total: { readonly requests: number; readonly images: number; readonly inputTokens: number; readonly outputTokens: number; readonly costUsd: number };
  /** Total cost scaled to 1,000 items, from the items that could be estimated. */
  readonly costPer1000Items: number;
  /** The same requests through the provider's batch API, when it has one and the estimate was asked with `batch`. */
  readonly batch?: { readonly api: string; readonly multiplier: number; readonly costUsd: number; readonly costPer1000Items: number };
  readonly warnings: readonly string[];
}

/** Options of {@link estimateRun}: those of `annotate()`, plus progress per item. */
export interface EstimateRunOptions extends AnnotateOptions {
  /** Called after each item, for progress. */
  readonly onItem?: (estimate: ItemCostEstimate, done: number, total: number) => void;
  /** Price the requests through the batch API too (`--dry-run --batch`). @default false */
  readonly batch?: boolean;
}

function itemEstimate(results: readonly ClipResult[], requests: readonly EstimatedRequest[]): ItemCostEstimate {
  const first = results[0] as ClipResult;
  // An item that failed before any request (unreadable media) would fail the same way in a run.
  const failed = requests.length === 0 ? results.find((result) => result.status === 'error') : undefined;
  const sum = (pick: (request: EstimatedRequest) => number) => requests.reduce((total, request) => total + pick(request), 0);
  const unknown = requests.some((request) => request.estimate.costUsd === undefined);
  return {
    id: first.id, path: first.path, requests: requests.length, images: sum((request) => request.images),
    inputTokens: sum((request) => request.estimate.usage.inputTokens), outputTokens: sum((request) => request.estimate.usage.outputTokens),
    ...(unknown ? {} : { costUsd: sum((request) => request.estimate.costUsd ?? 0) }),
    ...(failed ? { error: failed.error ?? 'failed' } : {}),
  };
}

/**
 * `--dry-run`: the normal pipeline (discovery, frame sampling, face crops, the strategy's real
 * requests) with the dry-run middleware outermost, so image sizes are real and nothing is sent.
 * Needs no API key.
 * @example const estimate = await estimateRun(['clips/'], { model: 'openai:gpt-4o-mini', strategy: 'multi' });
 */
export async function estimateRun(inputs: string | readonly string[], options: EstimateRunOptions = {}): Promise<RunCostEstimate> {
  const base = options.annotator ?? createAnnotator(options.model ?? 'local', options.annotatorSettings);
  const dryRun = dryRunMiddleware();
  // No key is needed to send nothing: the readiness check is left out.
  const { checkReady: _notNeeded, ...annotator } = wrapAnnotator({ annotator: base, middleware: runMiddleware({ dryRun }) });
  const items: ItemCostEstimate[] = [];
  try {
    await annotate(inputs, {
      ...options,
      annotator,
      onResult: (results, progress) => {
        const id = results[0]?.id;
        const estimate = itemEstimate(results, dryRun.requests.filter((request) => request.itemId === id));
        items.push(estimate);
        options.onItem?.(estimate, progress.done, progress.total);
      },
    });
  } finally {
    if (!options.annotator) await base.close?.();
  }
  const estimated = items.filter((item) => item.error === undefined);
  const sum = (pick: (item: ItemCostEstimate) => number) => estimated.reduce((total, item) => total + pick(item), 0);
  const costUsd = sum((item) => item.costUsd ?? 0);
  const priced = dryRun.requests.every((request) => request.estimate.costUsd !== undefined);
  const id = annotatorId(base);
  const warnings: string[] = [];
  if (base.capabilities.billing === 'free') warnings.push(`${id} is free: no tokens, no cost`);
  else if (!base.estimate) warnings.push(`${id} cannot estimate its requests before sending them; their cost is unknown`);
  else if (!priced) warnings.push(`no price for ${id} in the price table; tokens are estimated without image tokens and no cost is given (add it with \`priceTable\`)`);
  const priceChecked = dryRun.requests.find((request) => request.estimate.priceChecked)?.estimate.priceChecked;
  const batchApi = base.capabilities.batch;
  if (options.batch && batchApi === undefined) warnings.push(`${id} has no batch API: it runs online only`);
  else if (options.batch && batchApi?.priceMultiplier === undefined) warnings.push(`the price data has no batch price for ${id}`);
  const multiplier = options.batch ? batchApi?.priceMultiplier : undefined;
  return {
    model: id, strategy: options.strategy ?? 'frame', frames: options.frames ?? DEFAULT_FRAME_COUNT, settings: base.settingsIdentity,
    billing: base.capabilities.billing, priced, ...(priceChecked ? { priceChecked } : {}), items,
    total: { requests: sum((item) => item.requests), images: sum((item) => item.images), inputTokens: sum((item) => item.inputTokens), outputTokens: sum((item) => item.outputTokens), costUsd },
    costPer1000Items: estimated.length === 0 ? 0 : (costUsd / estimated.length) * 1000,
    ...(batchApi && multiplier !== undefined && priced
      ? { batch: { api: batchApi.api, multiplier, costUsd: costUsd * multiplier, costPer1000Items: estimated.length === 0 ? 0 : ((costUsd * multiplier) / estimated.length) * 1000 } }
      : {}),
    warnings,
  };
}
