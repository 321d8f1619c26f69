import type { RgbImage } from '../media/rgb-image.js';
import type { Distribution, Taxonomy } from '../taxonomy/taxonomy.js';

/** Tokens a request used, as the provider reported them. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
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
}

/** A facial action unit (FACS) the model reports seeing, from the `au-cot` prompt. */
export interface ActionUnitObservation {
  /** `AU12` … */
  readonly unit: string;
  /** `lip corner puller` … */
  readonly name?: string;
  /** FACS intensity, `A` (trace) to `E` (maximum). */
  readonly intensity?: string;
}

/** `ok`: labelled; `refused`: the model declined (its words in `rawText`); `error`: failed (see `error`). */
export type AnnotationStatus = 'ok' | 'refused' | 'error';

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
  /** Requests sent for this answer, retries included, when a resilient wrapper made them (1 = first try). */
  readonly attempts?: number;
  /** Answered from the response cache: no request was sent, so usage and cost are 0. */
  readonly cached?: boolean;
}

/**
 * The contract every annotator meets, local model or LLM provider. Created by a factory behind the
 * registry (`local`, `openai:gpt-4o-mini` …).
 */
export interface Annotator {
  /** `local`, `openai`, `anthropic` … */
  readonly provider: string;
  readonly modelId: string;
  /** Most images one request may carry; 1 means each request sees a single image. */
  readonly maxImagesPerRequest: number;
  /**
   * What, beyond provider and model, changes this annotator's answers (prompt and its version,
   * image detail, image size, endpoint). Part of the response-cache key.
   */
  readonly settingsIdentity?: Readonly<Record<string, unknown>>;
  /**
   * Labels one request. Content problems (a refusal, an answer that is not the schema) come back as
   * a status; transport problems (429, 5xx, timeouts, a missing key, aborts) throw an
   * `EmolabelError` whose `isRetryable` and `retryAfterMs` say whether and when to try again.
   */
  annotate(request: AnnotationRequest): Promise<Annotation>;
  /**
   * Throws when the annotator cannot work as configured (a missing API key or base URL), so a run
   * fails before any work instead of on every item. Makes no request.
   */
  checkReady?(): void;
  /** Frees models, sockets or workers. */
  close?(): Promise<void>;
}

/** `provider:model`, the id users pass to `--model`. */
export function annotatorId(annotator: Pick<Annotator, 'provider' | 'modelId'>): string {
  return annotator.provider === annotator.modelId ? annotator.provider : `${annotator.provider}:${annotator.modelId}`;
}
