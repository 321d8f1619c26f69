import { type Annotator, annotatorId } from '../annotators/annotator.js';
import { createAnnotator } from '../annotators/annotator-registry.js';
import { type AnnotatorMiddleware, wrapAnnotator } from '../annotators/annotator-middleware.js';
import { describeError, EmolabelError, isRunStoppingError } from '../errors.js';
import { type AnnotateOptions, annotateItems, type AnnotateSummary, inputFailureResult, prepareAnnotation, summarise } from '../pipeline/annotate.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { ResponseStore } from '../store/request-log.js';
import type { RunRecord, RunStore } from '../store/run-store.js';
import type { BudgetOptions } from './budget-middleware.js';
import type { ResilienceMiddleware, ResilientAnnotatorOptions } from './resilience/resilient-annotator.js';
import { runMiddleware } from './run-middleware.js';
import { findRun } from '../store/find-run.js';
import { runFingerprint, sessionAnnotatorSettings, type StoredRunOptions, storedRunOptions } from './run-fingerprint.js';

export interface RunAnnotationOptions extends AnnotateOptions {
  readonly store: RunStore;
  /** Resume this run: its stored inputs and options are used; `inputs` may be empty. */
  readonly resume?: string;
  /** Answer repeated requests from the response cache. @default true */
  readonly cache?: boolean;
  /** Stop before the run's total cost would pass this many dollars. */
  readonly maxCostUsd?: number;
  /** Estimate of a request's cost, for the budget. @default the annotator's own `estimate` */
  readonly estimateCostUsd?: BudgetOptions['estimateCostUsd'];
  /** Rate limits, timeout and retries of metered annotators (see {@link runMiddleware}). */
  readonly resilience?: ResilientAnnotatorOptions | ResilienceMiddleware;
  /** Further middleware, closest to the provider. */
  readonly middleware?: readonly AnnotatorMiddleware[];
  /** Once aborted, no new item starts; started items finish and are saved. */
  readonly stopSignal?: AbortSignal;
  /** Called when the run is known, before labelling: whether it resumes, and how many items are done. */
  readonly onRunStart?: (run: RunRecord, progress: { total: number; done: number; resumed: boolean }) => void;
}

export interface RunOutcome {
  readonly run: RunRecord;
  readonly resumed: boolean;
  /** Every result of the run, earlier sessions included, in item order. */
  readonly results: ClipResult[];
  readonly summary: AnnotateSummary;
  /** Requests this session sent to the provider, and answered from the cache. */
  readonly requests: { sent: number; cached: number };
  /** Why the run stopped early, if it did: `interrupted` (stop signal), `budget`, or `fatal`. */
  readonly stopped?: { reason: 'interrupted' | 'budget' | 'fatal'; message: string };
}

interface RunPlan {
  readonly inputs: readonly string[];
  readonly stored: StoredRunOptions;
  readonly existing?: RunRecord;
  readonly fingerprint: string;
}

/** What to run: a named run's stored inputs and options, or these ones (and the unfinished run they match). */
function planRun(store: RunStore, inputs: readonly string[], options: RunAnnotationOptions): RunPlan {
  if (options.resume) {
    const run = findRun(store, options.resume);
    return { inputs: run.inputs, stored: run.options as unknown as StoredRunOptions, existing: run, fingerprint: run.fingerprint };
  }
  const stored = storedRunOptions(options);
  const fingerprint = runFingerprint(inputs, stored);
  return { inputs, stored, existing: store.findUnfinishedRun(fingerprint), fingerprint };
}

/**
 * Runs `annotate` as a stored, resumable run: items and results go to the run store as they finish,
 * requests go through the response cache and the budget, and running the same inputs and options
 * again (or passing `resume`) finishes only what is left.
 */
export async function runAnnotation(inputs: readonly string[], options: RunAnnotationOptions): Promise<RunOutcome> {
  const { store } = options;
  const plan = planRun(store, inputs, options);
  const base = options.annotator ?? createAnnotator(plan.stored.model, { ...plan.stored.annotatorSettings, ...sessionAnnotatorSettings(options.annotatorSettings) });
  // A missing key or base URL fails here, before a run is recorded or any work is done.
  base.checkReady?.();
  const run = plan.existing ?? store.createRun({
    fingerprint: plan.fingerprint, inputs: plan.inputs, options: { ...plan.stored }, model: annotatorId(base), strategy: plan.stored.strategy,
    taxonomy: plan.stored.taxonomy, labels: [],
  });
  const runId = run.id;
  const resumed = plan.existing !== undefined;
  const settings = { ...plan.stored, taxonomy: options.resume ? (plan.stored.taxonomyFile ?? plan.stored.taxonomy) : (options.taxonomy ?? plan.stored.taxonomy) };
  const responses = new ResponseStore(store.database);
  const stats = { cached: 0, sent: 0 };
  const spent = responses.paidSoFar(runId);
  const annotator = wrapAnnotator({
    annotator: base,
    middleware: runMiddleware({
      responseLog: { runId, responses, useCache: options.cache !== false, stats },
      budget: options.maxCostUsd === undefined ? undefined : { maxCostUsd: options.maxCostUsd, spentUsd: spent.usd, spentImages: spent.images, estimateCostUsd: options.estimateCostUsd },
      resilience: options.resilience,
      extra: options.middleware,
    }),
  });

  const prepared = await prepareAnnotation(plan.inputs, { ...options, ...settings, annotator, annotatorSettings: plan.stored.annotatorSettings });
  if (run.labels.length === 0) {
    store.setLabels(runId, prepared.context.taxonomy.labels);
  }
  const failureItems = prepared.failures.map(({ id, path, kind, label }) => ({ id, path, kind, ...(label === undefined ? {} : { label }) }));
  const doneIds = store.registerItems(runId, [...failureItems, ...prepared.items]);
  const total = failureItems.length + prepared.items.length;
  let done = doneIds.size;
  store.setStatus(runId, 'running');
  options.onRunStart?.(store.getRun(runId) as RunRecord, { total, done, resumed });
  options.onStart?.(total);
  const save = (itemId: string, results: ClipResult[]) => {
    store.saveItemResults(runId, itemId, results);
    options.onResult?.(results, { done: (done += 1), total });
  };
  for (const failure of prepared.failures) {
    if (!doneIds.has(failure.id)) save(failure.id, [inputFailureResult(failure, prepared.context)]);
  }
  let stopped: RunOutcome['stopped'];
  try {
    await annotateItems(prepared.context, prepared.items.filter((item) => !doneIds.has(item.id)), {
      concurrency: options.concurrency, stopSignal: options.stopSignal, onItemDone: (item, results) => save(item.id, results),
      // Results go to the store as they come (read back below): none are held for the whole run.
      keepResults: false,
    });
    if (options.stopSignal?.aborted) stopped = { reason: 'interrupted', message: 'interrupted before every item was labelled' };
  } catch (error) {
    if (!isRunStoppingError(error)) throw error;
    const code = (error as EmolabelError).code;
    stopped = { reason: code === 'budget_exceeded' ? 'budget' : code === 'aborted' ? 'interrupted' : 'fatal', message: describeError(error) };
  } finally {
    // Stops the worker threads; the annotator is closed below when this run made it.
    await prepared.close();
    if (!options.annotator) await base.close?.();
  }
  store.setStatus(runId, stopped ? (stopped.reason === 'interrupted' ? 'interrupted' : 'stopped') : 'done', stopped?.message);
  const results = store.getResults(runId);
  return { run: store.getRun(runId) as RunRecord, resumed, results, summary: summarise(results), requests: stats, stopped };
}
