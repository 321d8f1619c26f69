import type { RgbImage } from '../media/rgb-image.js';
import type { Distribution, Taxonomy } from '../taxonomy/taxonomy.js';

/** Tokens a request used, as the provider reported them. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** What an annotator is asked: the images of one clip (one or more, in order) and the labels to pick from. */
export interface AnnotationRequest {
  /** Face crops or frames, in temporal order. */
  readonly images: readonly RgbImage[];
  readonly taxonomy: Taxonomy;
  readonly signal?: AbortSignal;
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
  annotate(request: AnnotationRequest): Promise<Annotation>;
  /** Frees models, sockets or workers. */
  close?(): Promise<void>;
}

/** `provider:model`, the id users pass to `--model`. */
export function annotatorId(annotator: Pick<Annotator, 'provider' | 'modelId'>): string {
  return annotator.provider === annotator.modelId ? annotator.provider : `${annotator.provider}:${annotator.modelId}`;
}
