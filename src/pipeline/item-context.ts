import type { ItemContext } from './annotate-item.js';
import { createRequestLimit, type RequestLimit } from './request-limit.js';
import { providerSignalsMiddleware, requestLimitMiddleware } from './request-limit-middleware.js';
import { startItemWorkers } from './workers/plan-item-workers.js';
import type { Annotator } from '../annotators/annotator.js';
import { isMetered, wrapAnnotator } from '../annotators/annotator-middleware.js';
import { EmolabelError } from '../errors.js';
import type { FaceDetector } from '../faces/face-detector.js';
import type { FaceMode } from '../faces/find-faces.js';
import { createTinyFaceDetector } from '../faces/tiny-face-detector.js';
import { DEFAULT_FRAME_COUNT } from '../media/load-frames.js';
import type { Strategy } from '../strategies/strategy.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** Items processed at once unless told otherwise (the local model; a paid annotator's `auto` starts at 4 requests). */
export const DEFAULT_CONCURRENCY = 2;

/** What every item of a job shares, resolved: see {@link createItemContext}. */
export interface ItemContextOptions {
  readonly annotator: Annotator;
  readonly taxonomy: Taxonomy;
  readonly strategy: Strategy;
  /** @default 8 */
  readonly frames?: number;
  /** @default 'largest' */
  readonly faces?: FaceMode;
  readonly faceMargin?: number;
  readonly saveFramesDir?: string;
  readonly signal?: AbortSignal;
  /** Replaces the bundled face detector. */
  readonly detector?: FaceDetector;
  /** Worker threads (see `AnnotateOptions.workers`). */
  readonly workers?: number;
  /** Requests in flight to a paid annotator, or `auto`; items at once for a free one. @default 'auto' */
  readonly concurrency?: number | 'auto';
  readonly maxConcurrency?: number;
  /** A request limit made by the caller, who puts `providerSignalsMiddleware` inside its retries. */
  readonly requestLimit?: RequestLimit;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new EmolabelError('invalid_option', `Expected \`${name}\` to be a whole number from 1 and up, got \`${value}\` (${typeof value}).`);
  }
}

/** Refuses frames, concurrency, its ceiling or workers that are not whole numbers from 1 (before any input is read). */
export function checkItemContextOptions(options: Pick<ItemContextOptions, 'frames' | 'concurrency' | 'maxConcurrency' | 'workers'>): void {
  checkPositiveInteger('frames', options.frames ?? DEFAULT_FRAME_COUNT);
  if (options.concurrency !== 'auto') checkPositiveInteger('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY);
  if (options.maxConcurrency !== undefined) checkPositiveInteger('maxConcurrency', options.maxConcurrency);
  if (options.workers !== undefined) checkPositiveInteger('workers', options.workers);
}

/**
 * The one way a job's item context is made, by `prepareAnnotation` and by the queue's workers: the
 * face detector, the worker threads, and, for a paid annotator, the request limit around it (so
 * `concurrency` counts requests in flight). `close` stops the worker threads.
 */
export function createItemContext(options: ItemContextOptions): { context: ItemContext; close(): Promise<void> } {
  checkItemContextOptions(options);
  const { annotator, strategy, taxonomy } = options;
  const frameCount = options.frames ?? DEFAULT_FRAME_COUNT;
  const faceMode = options.faces ?? 'largest';
  const workers = startItemWorkers({
    workers: options.workers, concurrency: typeof options.concurrency === 'number' ? options.concurrency : DEFAULT_CONCURRENCY,
    annotator, strategy, taxonomy, customDetector: options.detector !== undefined,
    frameCount, faceMode, faceMargin: options.faceMargin, saveFramesDir: options.saveFramesDir,
  });
  const requestLimit = isMetered(annotator) ? (options.requestLimit ?? createRequestLimit({ concurrency: options.concurrency ?? 'auto', maxConcurrency: options.maxConcurrency })) : undefined;
  // Without a caller's limit nothing retries inside: the limit hears each answer right here.
  const limited = requestLimit === undefined ? annotator : wrapAnnotator({
    annotator, middleware: [requestLimitMiddleware(requestLimit), ...(options.requestLimit ? [] : [providerSignalsMiddleware(requestLimit)])],
  });
  const context: ItemContext = {
    ...(requestLimit ? { requestLimit } : {}),
    annotator: limited, strategy, taxonomy, frameCount, faceMode, faceMargin: options.faceMargin, saveFramesDir: options.saveFramesDir, signal: options.signal,
    detector: faceMode === 'none' ? undefined : (options.detector ?? createTinyFaceDetector()), workers,
  };
  return { context, close: async () => void (await workers?.close()) };
}
