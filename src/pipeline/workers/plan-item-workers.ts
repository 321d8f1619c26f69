import { availableParallelism } from 'node:os';
import { createItemWorkerPool, type ItemWorkers } from './item-worker-pool.js';
import type { ItemWorkerMode, ItemWorkerSettings } from './worker-protocol.js';
import type { Annotator } from '../../annotators/annotator.js';
import { EmolabelError } from '../../errors.js';
import type { FaceMode } from '../../faces/find-faces.js';
import type { Strategy } from '../../strategies/strategy.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';

export interface ItemWorkersRequest {
  /** Worker threads asked for; undefined: the default below. */
  readonly workers?: number;
  /** Items in flight at once; more workers than this would sit idle. */
  readonly concurrency: number;
  readonly annotator: Annotator;
  readonly strategy: Strategy;
  readonly taxonomy: Taxonomy;
  /** A detector passed in by the caller: it lives on the main thread, so workers cannot run it. */
  readonly customDetector: boolean;
  readonly frameCount: number;
  readonly faceMode: FaceMode;
  readonly faceMargin?: number;
  readonly saveFramesDir?: string;
}

export interface ItemWorkersPlan {
  readonly size: number;
  readonly mode: ItemWorkerMode;
}

/**
 * How many worker threads a run uses and what they do, or undefined for none (everything on the
 * main thread, as with `workers: 1`).
 *
 * - An annotator that says how a worker rebuilds it (`capabilities.worker`: the bundled local model,
 *   unwrapped) with a strategy that says the same (`worker`): whole items run on the workers
 *   (`annotate` mode). Default: one worker per core, at most one per item in flight
 *   (`min(concurrency, availableParallelism())`), since decode, detection and classification are
 *   all CPU-bound and WASM uses one core per thread.
 * - Any other annotator: workers only decode frames and crop faces (`extract` mode); the annotator
 *   and strategy stay on the main thread. Default: no workers, because the main thread mostly waits
 *   on the provider at usual concurrency; ask for them at high concurrency, where face detection on
 *   the main thread becomes the limit. With `faces: 'none'` there is nothing to move, so none start.
 */
export function planItemWorkers(request: ItemWorkersRequest): ItemWorkersPlan | undefined {
  if (request.workers !== undefined && (!Number.isInteger(request.workers) || request.workers < 1)) {
    throw new EmolabelError('invalid_option', `Expected \`workers\` to be a whole number from 1 and up, got \`${request.workers}\` (${typeof request.workers}).`);
  }
  if (request.customDetector) {
    if ((request.workers ?? 1) > 1) {
      throw new EmolabelError('invalid_option', `A custom \`detector\` runs on the main thread, so \`workers\` must be 1, got \`${request.workers}\`; leave \`workers\` out.`);
    }
    return undefined;
  }
  const annotatorInWorker = request.annotator.capabilities.worker;
  const strategyInWorker = request.strategy.worker;
  const wholeItems = annotatorInWorker !== undefined && strategyInWorker !== undefined;
  const size = request.workers ?? (wholeItems ? Math.min(request.concurrency, availableParallelism()) : 1);
  if (size <= 1) return undefined;
  if (wholeItems) return { size, mode: 'annotate' };
  return request.faceMode === 'none' ? undefined : { size, mode: 'extract' };
}

/** Starts the worker pool a run needs (workers themselves start with the first items), or returns undefined. */
export function startItemWorkers(request: ItemWorkersRequest): ItemWorkers | undefined {
  const plan = planItemWorkers(request);
  if (plan === undefined) return undefined;
  const faceSettings = { frameCount: request.frameCount, faceMode: request.faceMode, faceMargin: request.faceMargin, saveFramesDir: request.saveFramesDir };
  const annotator = request.annotator.capabilities.worker;
  const strategy = request.strategy.worker;
  const settings: ItemWorkerSettings = plan.mode === 'annotate' && annotator && strategy
    ? { ...faceSettings, mode: 'annotate', taxonomy: request.taxonomy, annotator, strategy }
    : { ...faceSettings, mode: 'extract' };
  return createItemWorkerPool(settings, { size: plan.size });
}
