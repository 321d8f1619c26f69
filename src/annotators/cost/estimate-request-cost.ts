import type { ImageLayout } from '../annotator.js';
import { annotationJsonSchema } from '../llm/annotation-schema.js';
import { promptValues } from '../llm/build-llm-request.js';
import { describeHint } from '../llm/local-hint.js';
import { promptSchema } from '../llm/prompt-request.js';
import type { PromptFile } from '../llm/prompt-file.js';
import { renderTemplate } from '../llm/render-template.js';
import { fitInside, type ImageDetail, imageTokens } from './image-tokens.js';
import { costOfUsage, type ModelPrice } from './price-table.js';
import { type Taxonomy, uniformDistribution } from '../../taxonomy/taxonomy.js';

/** The size of an image before it is scaled down for sending. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Tokens and dollars one request is expected to cost. */
export interface RequestCostEstimate {
  readonly inputTokens: number;
  /** The part of `inputTokens` that images take. */
  readonly imageTokens: number;
  readonly outputTokens: number;
  /**
   * Undefined when the cost is unknown: the model has no token price, or images but no image rule
   * (their tokens are then left out of `inputTokens` and `imageTokens`).
   */
  readonly costUsd?: number;
}

/** What a request is made of, for {@link estimateRequestCost}. */
export interface RequestCostInput {
  readonly price: ModelPrice | undefined;
  readonly prompt: PromptFile;
  readonly taxonomy: Taxonomy;
  /** The images of the request, at their size before scaling. */
  readonly images: readonly ImageSize[];
  /** @default { kind: 'frames' } */
  readonly layout?: ImageLayout;
  /** Longest side images are scaled down to before sending. */
  readonly imageSize: number;
  /** @default 'auto' */
  readonly detail?: ImageDetail;
  /** Price at the batch API's rate. @default false */
  readonly batch?: boolean;
}

/** About four characters a token for English prompt text and JSON, as tokenizers average. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** A few tokens of framing per message and per image (roles, separators). */
const MESSAGE_OVERHEAD_TOKENS = 8;
const IMAGE_OVERHEAD_TOKENS = 3;

/**
 * Estimates one request without sending it: image tokens by the model's rule at the size actually
 * sent, text tokens from the rendered prompt and schema, and the prompt's typical answer length.
 * Text tokens are scaled by the model's `textTokenMultiplier` (a tokenizer that makes more tokens).
 * A model without an image rule counts images as 0 tokens and has no cost: unknown, not $0.
 */
export function estimateRequestCost(input: RequestCostInput): RequestCostEstimate {
  const layout = input.layout ?? { kind: 'frames' };
  const hint = input.prompt.mode === 'hint' ? input.taxonomy.labels.slice(0, 3).map((label) => `${label} 0.33`).join(', ') : undefined;
  const hintWords = input.prompt.mode === 'hint' && input.prompt.schema === 2 ? describeHint(uniformDistribution(input.taxonomy), input.taxonomy) : {};
  const values = promptValues(input.taxonomy, layout, input.images.length, hint, hintWords);
  const schema = annotationJsonSchema(promptSchema(input.prompt, { taxonomy: input.taxonomy, images: input.images, layout }));
  // A v2 answer on several frames also labels each frame: about ten tokens a frame.
  const frameCount = layout.kind === 'grid' ? layout.frameCount : input.images.length;
  const perFrameTokens = input.prompt.schema === 2 && frameCount > 1 ? 10 * frameCount : 0;
  const frameLabels = input.images.length > 1
    ? input.images.map((_, index) => renderTemplate(input.prompt.frameLabel, { ...values, index: index + 1 }, input.prompt.path)).join('\n')
    : '';
  const text = [renderTemplate(input.prompt.system, values, input.prompt.path), renderTemplate(input.prompt.user, values, input.prompt.path), frameLabels, JSON.stringify(schema)].join('\n');
  const rule = input.price?.imageTokens;
  const imageTotal = input.images.reduce((sum, image) => {
    if (rule === undefined) return sum;
    const sent = fitInside(image.width, image.height, input.imageSize);
    return sum + imageTokens(rule, sent.width, sent.height, input.detail ?? 'auto') + IMAGE_OVERHEAD_TOKENS;
  }, 0);
  const textMultiplier = input.price?.textTokenMultiplier ?? 1;
  const textTokens = Math.ceil((estimateTextTokens(text) + 2 * MESSAGE_OVERHEAD_TOKENS + (input.price?.requestOverheadTokens ?? 0)) * textMultiplier);
  const inputTokens = textTokens + imageTotal;
  const outputTokens = Math.ceil((input.prompt.expectedOutputTokens + perFrameTokens) * textMultiplier);
  const imagesUncounted = rule === undefined && input.images.length > 0;
  return {
    inputTokens,
    imageTokens: imageTotal,
    outputTokens,
    costUsd: input.price === undefined || imagesUncounted ? undefined : costOfUsage(input.price, { inputTokens, outputTokens }, { batch: input.batch ?? false }),
  };
}
