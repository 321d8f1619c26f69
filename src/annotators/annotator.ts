import type { RgbImage } from '../media/rgb-image.js';
import type { BatchCapability, BatchChannel } from './batch-api.js';
import type { Distribution, Taxonomy } from '../taxonomy/taxonomy.js';

/** Tokens a request used, as the provider reported them. */
export interface Usage {
  /** Every input token, cached ones included. */
  readonly inputTokens: number;
  /** Every output token, reasoning included (providers bill them as output). */
  readonly outputTokens: number;
  /** The part of `outputTokens` the model spent thinking, when the provider reports it. */
  readonly reasoningTokens?: number;
  /** The part of `inputTokens` served from the provider's prompt cache (billed at its cached rate). */
  readonly cachedInputTokens?: number;
}

/**
 * How the images of a request relate: separate frames in order (the default), or one image that
 * tiles `frameCount` frames in a numbered grid, read left to right, top to bottom.
 */
export type ImageLayout =
  | { readonly kind: 'frames' }
  | {
      readonly kind: 'grid';
      readonly columns: number;
      readonly rows: number;
      readonly frameCount: number;
      /** The frames the grid was tiled from, for annotators that look at each (e.g. a `hint` model). */
      readonly frames?: readonly RgbImage[];
    };

/** What an annotator is asked: the images of one clip (one or more, in order) and the labels to pick from. */
export interface AnnotationRequest {
  /** Face crops or frames, in temporal order. */
  readonly images: readonly RgbImage[];
  readonly taxonomy: Taxonomy;
  readonly signal?: AbortSignal;
  /** @default { kind: 'frames' } */
  readonly layout?: ImageLayout;
  /** Another model's probabilities for the clip, offered to LLMs prompted in `hint` mode. */
  readonly hint?: Distribution;
  /**
   * Awaited by an annotator before each request it sends beyond the first for this answer (an LLM's
   * repair of an unreadable answer), so a rate limiter around it counts that request too.
   */
  readonly beforeExtraRequest?: (signal?: AbortSignal) => Promise<void>;
  /**
   * What the images show: each cropped to one face (`face`), or whole frames that were not cropped
   * (`frame`: `faces: 'none'`, or no face was found), which may show several people or none.
   * @default 'face'
   */
  readonly imageContent?: 'face' | 'frame';
  /**
   * Batch mode (set by the run's batch middleware for annotators with `capabilities.batch`): each
   * provider request of this answer goes through the channel instead of being sent (batch-api.ts).
   */
  readonly batch?: BatchChannel;
}

/** A facial action unit (FACS) the model reports seeing, from the `au-cot` prompt. */
export interface ActionUnitObservation {
  /** `AU12` … */
  readonly unit: string;
  /** `lip corner puller` … */
  readonly name?: string;
  /** FACS intensity, `A` (trace) to `E` (maximum). */
  readonly intensity?: string;
  /** The label of the taxonomy this unit points to, when the model says (ExpLLM style, `au-cot@v2`). */
  readonly suggests?: string;
}

/** The abstain reasons, in the order prompts and schemas list them. */
export const ABSTAIN_REASONS = ['no_face', 'occluded', 'several_faces', 'too_blurred'] as const;

/** Why a model declined to judge the expression: no face, a hidden face, several candidates, or too blurred to read. */
export type AbstainReason = (typeof ABSTAIN_REASONS)[number];

/** One frame's label from a request that saw several frames (`frames` of the answer). */
export interface FrameLabel {
  /** 1-based, as the frames were numbered in the request. */
  readonly index: number;
  readonly label: string;
}

/**
 * `ok`: labelled; `abstained`: the model said the images do not let it judge (see `abstain`), an
 * answer but no label; `refused`: the model declined (its words in `rawText`); `error`: failed (see `error`).
 */
export type AnnotationStatus = 'ok' | 'abstained' | 'refused' | 'error';

/** An account's rate limits as the provider stated them on its latest answer (per minute). */
export interface ProviderRateLimits {
  readonly requestsPerMinute?: number;
  /** Tokens per minute, charged with input + output (OpenAI's tokens limit; Anthropic's input tokens limit). */
  readonly tokensPerMinute?: number;
  readonly remainingRequests?: number;
  readonly remainingTokens?: number;
}

/** An annotator's answer for one request. */
export interface Annotation {
  readonly status: AnnotationStatus;
  readonly label?: string;
  /** 0-1. */
  readonly confidence?: number;
  /** A probability per label of the taxonomy, when the annotator gives one. */
  readonly distribution?: Distribution;
  readonly rationale?: string;
  readonly usage?: Usage;
  readonly costUsd?: number;
  /** The provider's raw text, kept for refusals and unparseable answers. */
  readonly rawText?: string;
  readonly error?: string;
  /** Things the annotator did differently from what was asked (e.g. "sent a 2x2 grid"). */
  readonly warnings?: readonly string[];
  /** Version of the prompt used, for LLM annotators. */
  readonly promptVersion?: string;
  /** Whether the model saw a face, when it says. */
  readonly faceVisible?: boolean;
  /** Action units the model reported before deciding (`au-cot` prompt). */
  readonly actionUnits?: readonly ActionUnitObservation[];
  /** Why the model abstained (status `abstained`). */
  readonly abstain?: AbstainReason;
  /** Each frame's own label, from a request that saw several frames (prompts `@v2`). */
  readonly perFrameLabels?: readonly FrameLabel[];
  /** The frame (1-based) where the expression peaks, when the model says (`au-cot@v2` on several frames). */
  readonly peakFrame?: number;
  /** Whether the model took the local classifier's hint (`hint@v2`). */
  readonly hintFollowed?: boolean;
  /** Requests sent for this answer, retries included, when a resilient wrapper made them (1 = first try). */
  readonly attempts?: number;
  /** Answered from the response cache: no request was sent, so usage and cost are 0. */
  readonly cached?: boolean;
  /** Made by a text-only repair of an unreadable answer (the model did not see the images again): never cached. */
  readonly repaired?: boolean;
  /** The model snapshot the provider says answered (`gpt-4o-mini-2024-07-18`), when it says. */
  readonly modelSnapshot?: string;
  /**
   * The provider's reply as this annotator can read it again ({@link Annotator.reparse}): the
   * response cache keeps it, so a parser fix reaches cached answers. Absent when the answer took
   * more than one reply (a repair).
   */
  readonly providerResponse?: JsonValue;
  /** The account's limits the provider stated on its latest answer (rate-limit headers): a run without `--rpm`/`--tpm` follows them. */
  readonly rateLimits?: ProviderRateLimits;
}

/** A value that survives JSON: what settings identities and worker settings are made of. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Tokens and dollars of a request before it is sent (budget, dry run). */
export interface RequestEstimate {
  readonly usage: Usage;
  /** Undefined when the model has no known price: the cost is unknown, not zero. */
  readonly costUsd: number | undefined;
  /** When the price behind `costUsd` was last checked (`2025-08-15`), for the dry run to say. */
  readonly priceChecked?: string;
}

/**
 * What an annotator can do, read by the pipeline, the strategies, the budget and the dry run
 * instead of checking which annotator it is.
 */
export interface AnnotatorCapabilities {
  /** Most images one request may carry; 1 means each request sees a single image. */
  readonly maxImagesPerRequest: number;
  /** Image layouts it reads: separate `frames`, and/or one `grid` image of tiled frames. */
  readonly layouts: ReadonlyArray<ImageLayout['kind']>;
  /**
   * `free`: costs nothing and sends nothing over the network (no budget, cache or request log is
   * put around it); `metered`: every request may cost money.
   */
  readonly billing: 'free' | 'metered';
  /**
   * Longest side, in pixels, an image is sent at (an LLM's `imageSize`): a strategy that draws an
   * image for the annotator (a grid of frames) draws it at this size, so nothing shrinks after.
   * Absent: images are used as given.
   */
  readonly maxImageSide?: number;
  /**
   * How a worker thread rebuilds an identical annotator: the module to import (a file URL), the
   * name of its factory export, and the JSON settings to call it with. Absent: main thread only.
   */
  readonly worker?: { readonly module: string; readonly exportName: string; readonly settings: JsonValue };
  /** Its provider's batch API (half price, answers within a day): see batch-api.ts. Absent: online only. */
  readonly batch?: BatchCapability;
}

/**
 * The contract every annotator meets, local model or LLM provider (version `v1`). Created by a
 * provider of the annotator registry (`local`, `openai:gpt-4o-mini` …).
 */
export interface Annotator {
  readonly specificationVersion: 'v1';
  /** `local`, `openai`, `anthropic` … */
  readonly provider: string;
  readonly modelId: string;
  readonly capabilities: AnnotatorCapabilities;
  /**
   * What, beyond provider and model, changes this annotator's answers (prompt and its version,
   * image detail, image size, endpoint). Part of the response-cache key.
   */
  readonly settingsIdentity: Readonly<Record<string, JsonValue>>;
  /**
   * Labels one request. Content problems (a refusal, an answer that is not the schema) come back as
   * a status; transport problems (429, 5xx, timeouts, a missing key, aborts) throw an
   * `EmolabelError` whose `isRetryable` and `retryAfterMs` say whether and when to try again.
   */
  annotate(request: AnnotationRequest): Promise<Annotation>;
  /**
   * The tokens and dollars `request` would cost, without sending it: read by the budget and the
   * dry run. Absent for free annotators; a metered annotator without it has an unknown cost.
   */
  estimate?(request: AnnotationRequest): RequestEstimate;
  /**
   * The answer to `request` read again, with today's parser, from a `providerResponse` this
   * annotator gave before (a cached one). Undefined when it no longer reads: the cache then asks again.
   */
  reparse?(request: AnnotationRequest, response: JsonValue): Annotation | undefined;
  /**
   * Throws when the annotator cannot work as configured (a missing API key or base URL), so a run
   * fails before any work instead of on every item. Makes no request.
   */
  checkReady?(): void;
  /**
   * Checks, once before a run, what only the provider can say (that it lists the model), so a run
   * with a mistyped model stops before any work. May make a request; makes no paid one.
   */
  prepare?(signal?: AbortSignal): Promise<void>;
  /** Frees models, sockets or workers. */
  close?(): Promise<void>;
}

/** `provider:model`, the id users pass to `--model`. */
export function annotatorId(annotator: Pick<Annotator, 'provider' | 'modelId'>): string {
  return annotator.provider === annotator.modelId ? annotator.provider : `${annotator.provider}:${annotator.modelId}`;
}
