import type { Annotator, JsonValue } from '../annotators/annotator.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { MediaItem } from '../media/media-item.js';
import type { LoggedRequest } from '../store/request-log.js';
import type { RunRecord } from '../store/run-store.js';
import type { ResilientAnnotatorOptions } from './resilience/resilient-annotator.js';
import type { RunSpec } from './run-spec.js';

/** What a stored run hands an {@link ItemRunner}: the items left, and how to save each one's results. */
export interface ItemRunnerJob {
  readonly run: RunRecord;
  readonly spec: RunSpec;
  /** The annotator settings the run's annotator was made with (the spec's, with a resumed run's prompt version pinned). */
  readonly annotatorSettings: Readonly<Record<string, JsonValue>>;
  /** The run's annotator, made here from the spec: its `settingsIdentity` and `estimate` (it sends nothing). */
  readonly annotator: Annotator;
  /** Items not yet done, in item order. */
  readonly items: readonly MediaItem[];
  /** Rate limits, timeout and retries of this session, as options (never a middleware object). */
  readonly resilience?: ResilientAnnotatorOptions;
  /** Answer repeated requests from a cache. */
  readonly cache: boolean;
  /** The session's budget, and what the run had paid before this session. */
  readonly budget?: { readonly maxCostUsd: number; readonly spentUsd: number };
  /** Saves an item's results and the requests its labelling sent or answered from a cache (one item at a time, in any order). */
  save(itemId: string, results: readonly ClipResult[], requests: readonly LoggedRequest[]): void;
  /** Counts of requests sent and answered from a cache, for the outcome. */
  readonly stats: { cached: number; sent: number };
  /** Once aborted, no new item starts; items started finish and are saved. */
  readonly stopSignal?: AbortSignal;
}

/**
 * Labels a stored run's items somewhere other than this process (e.g. `emolabel worker` processes
 * behind a job queue), in place of the in-process pipeline. The run store stays with
 * `runAnnotation`: resume, the lease, saving. Resolves when every item is saved or, after a stop,
 * when started ones are; rejects with a run-stopping error (budget, `queue_error`) to stop the run.
 */
export interface ItemRunner {
  run(job: ItemRunnerJob): Promise<void>;
}
