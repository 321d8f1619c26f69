import { type Annotator, annotatorId, type JsonValue } from '../annotators/annotator.js';
import { createAnnotator, defaultRegistry } from '../annotators/annotator-registry.js';
import { type AnnotatorMiddleware, wrapAnnotator } from '../annotators/annotator-middleware.js';
import { describeError, EmolabelError, isRunStoppingError } from '../errors.js';
import { annotateItems, type AnnotateSummary, inputFailureResult, prepareAnnotation, summarise } from '../pipeline/annotate.js';
import { createRequestLimit, type RequestLimit, type RequestLimitReport } from '../pipeline/request-limit.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { findRun } from '../store/find-run.js';
import { storeFailureOf } from '../store/store-error.js';
import { ResponseStore } from '../store/request-log.js';
import type { RunRecord, RunStore } from '../store/run-store.js';
import { basic7 } from '../taxonomy/taxonomy.js';
import type { ItemRunner } from './item-runner.js';
import { leaseRun } from './run-lease.js';
import { batchMiddleware } from './batch/batch-middleware.js';
import { createBatchRounds } from './batch/batch-rounds.js';
import { budgetMiddleware } from './budget-middleware.js';
import { createResilienceStats, type ResilienceStats } from './resilience/resilience-stats.js';
import { runMiddleware } from './run-middleware.js';
import { BatchStore } from '../store/batch-store.js';
import { annotateOptionsOf, parseRunSpec, runFingerprint, type RunSpec, type SessionOptions } from './run-spec.js';

/** A session of a stored run: how it runs ({@link SessionOptions}) and where it is kept. */
export interface RunSession extends SessionOptions {
  readonly store: RunStore;
  /** Called when the run is known, before labelling: whether it resumes, and how many items are done. */
  readonly onRunStart?: (run: RunRecord, progress: { total: number; done: number; resumed: boolean }) => void;
  /** Labels the items elsewhere (a job queue's worker processes) instead of in this process. */
  readonly itemRunner?: ItemRunner;
  /** Called with a paid annotator's request limit once it is made, e.g. for a progress line to show `current`. */
  readonly onRequestLimit?: (limit: RequestLimit) => void;
}

/** What to run: a spec (a new run, or the unfinished run with the same fingerprint), or a stored run to resume by id (or unique prefix). */
export type RunTarget = RunSpec | { readonly resume: string };

export interface RunOutcome {
  readonly run: RunRecord;
  readonly resumed: boolean;
  /** Every result of the run, earlier sessions included, in item order. */
  readonly results: ClipResult[];
  readonly summary: AnnotateSummary;
  /** Requests this session sent to the provider, and answered from the cache. */
  readonly requests: { sent: number; cached: number };
  /**
   * Why the run stopped early, if it did: `interrupted` (stop signal), `budget`, `fatal`, or
   * `batch` (its requests are in provider batches not yet collected: `batch.wait` false).
   */
  readonly stopped?: { reason: 'interrupted' | 'budget' | 'fatal' | 'batch'; message: string };
  /** Batch mode: the requests this session submitted in batches, and the batches still open. */
  readonly batches?: { submitted: number; open: number };
  /** A paid annotator's requests in flight this session: what the limit became and what held the rate (absent for free annotators and queue runs). */
  readonly requestLimit?: RequestLimitReport;
}

interface RunPlan {
  readonly spec: RunSpec;
  readonly existing?: RunRecord;
  readonly fingerprint: string;
}

/** The spec to run: a named run's stored one, or this one (and the unfinished run it matches). */
function planRun(store: RunStore, target: RunTarget): RunPlan {
  if ('resume' in target) {
    const run = findRun(store, target.resume);
    const spec = parseRunSpec({ ...run.options, inputs: run.inputs }, `Run ${run.id} in ${store.database.name}`);
    return { spec, existing: run, fingerprint: run.fingerprint };
  }
  const spec = parseRunSpec(target, 'The run spec');
  const fingerprint = runFingerprint(spec);
  return { spec, existing: store.findUnfinishedRun(fingerprint), fingerprint };
}

/**
 * A resumed run keeps the prompt version its first answers used: a spec that names a prompt mode
 * (`direct`) or none would otherwise continue on a newer version (`direct@v2` after `direct@v1`),
 * mixing versions within one run. Returns the setting to apply, or nothing.
 */
function pinnedPromptVersion(store: RunStore, runId: string, spec: RunSpec): { prompt?: string } {
  const given = spec.annotatorSettings?.prompt;
  if (typeof given === 'string' && (given.includes('@') || given.endsWith('.md') || given.includes('/'))) return {};
  const takesPrompt = 'prompt' in ((defaultRegistry.resolve(spec.model).provider.settingsSchema as { shape?: object }).shape ?? {});
  if (!takesPrompt) return {};
  const used = store.firstPromptVersion(runId);
  return used !== undefined && /^[a-z-]+@v\d+$/.test(used) && (given === undefined || used.startsWith(`${given}@`)) ? { prompt: used } : {};
}

/** What to do with the requests of a server that has no batch API (they wait in the store). */
function manualBatchMessage(runId: string, items: number, requests: number): string {
  return `${items} items wait for ${requests} requests to be run offline: \`emolabel export ${runId} --batch-jsonl --out requests.jsonl\`, ` +
    '`vllm run-batch -i requests.jsonl -o results.jsonl --model <model>` (or any server that reads OpenAI batch files), `emolabel import-batch results.jsonl`, then the same command again';
}

/** Rounds of batches a session may take before it is called a bug: first requests, follow-ups, retries. */
const MAX_BATCH_ROUNDS = 8;

/** A small face-sized image, to ask an annotator what a request would cost. */
const PROBE_IMAGE = { data: Buffer.alloc(64 * 64 * 3, 128), width: 64, height: 64 };

/**
 * A budget cannot hold for a model whose price is unknown (every request would count as $0): a
 * usage error before anything is sent, unless the caller prices requests itself.
 */
function checkBudgetCanHold(annotator: Annotator): void {
  if (annotator.capabilities.billing !== 'metered' || annotator.estimate === undefined) return;
  if (annotator.estimate({ images: [PROBE_IMAGE], taxonomy: basic7 }).costUsd !== undefined) return;
  throw new EmolabelError(
    'invalid_option',
    `${annotatorId(annotator)} has no price, so \`maxCostUsd\` cannot hold (its requests would count as $0). Give it a price with \`priceTable\` (a JSON price table), or run without \`maxCostUsd\`.`,
  );
}

/**
 * Runs a {@link RunSpec} as a stored, resumable run: items and results go to the run store as they
 * finish, requests go through the run's middleware (response cache and log, budget, resilience),
 * and running the same spec again (or resuming the run by id) finishes only what is left.
 * @example
 * const store = RunStore.open('labels.db');
 * const outcome = await runAnnotation(runSpecOf(['clips/'], { model: 'openai:gpt-4o-mini', strategy: 'multi' }), { store, maxCostUsd: 5 });
 */
export async function runAnnotation(target: RunTarget, session: RunSession): Promise<RunOutcome> {
  const { store } = session;
  const { spec, existing, fingerprint } = planRun(store, target);
  // Only an annotator this run makes from the spec can be pinned; a session's own is used as it is.
  const pinned = existing === undefined || session.annotator ? {} : pinnedPromptVersion(store, existing.id, spec);
  if (session.itemRunner && session.annotator) {
    throw new EmolabelError('invalid_option', 'An `annotator` object cannot be sent to other processes: with `itemRunner` (a job queue) the run makes its annotator from `model`; leave `annotator` out.');
  }
  if (session.itemRunner && session.batch) {
    throw new EmolabelError('invalid_option', 'A run cannot both use `batch` (the provider labels it, within 24 h) and `itemRunner` (workers label it now): choose one.');
  }
  const annotatorSettings = { ...spec.annotatorSettings, ...pinned };
  const base = session.annotator ?? createAnnotator(spec.model, { ...annotatorSettings, ...(session.env ? { env: session.env } : {}) });
  // A missing key or base URL fails here, before a run is recorded or any work is done. Items
  // labelled elsewhere (a job queue) use the keys of the machines that label them, not this one's.
  if (!session.itemRunner) base.checkReady?.();
  if (session.maxCostUsd !== undefined && session.estimateCostUsd === undefined) checkBudgetCanHold(base);
  if (session.batch && base.capabilities.batch === undefined) {
    throw new EmolabelError('invalid_option', `${annotatorId(base)} has no batch API (batch mode works for openai:, anthropic:, google: and openai-compatible: models); run without \`batch\`.`);
  }
  // What only the provider can say (that it lists the model), before a run is recorded.
  if (!session.itemRunner) await base.prepare?.(session.signal);
  const { inputs, ...options } = spec;
  // Found again at creation: another session may have started this command since planRun looked.
  const { run, created } = existing ? { run: existing, created: false } : store.findOrCreateRun({ fingerprint, inputs, options, model: annotatorId(base), strategy: spec.strategy, taxonomy: spec.taxonomy, labels: [] });
  const runId = run.id;
  // One session at a time: a second one refuses the run instead of paying for its items again.
  const lease = leaseRun(store, runId, { takeOver: session.takeOver });
  try {
    return await runLeased(run, !created, spec, base, annotatorSettings, session);
  } catch (error) {
    const failure = storeFailureOf(error, store.database.name);
    // A run that failed before its first item (no inputs found, a bad manifest) leaves nothing
    // behind (its lease row too); one that failed later is marked stopped, not left "running".
    // A store that cannot be written may refuse this too: the failure to report is the first one.
    try {
      if (!created || !store.deleteRunIfEmpty(runId)) store.setStatus(runId, 'stopped', `failed: ${describeError(failure)}`);
    } catch (statusFailure) {
      if (failure === error) throw statusFailure;
    }
    throw failure;
  } finally {
    lease.release();
  }
}

/**
 * The annotator for a run whose items are labelled elsewhere: it discovers inputs and names rows
 * here, but sends nothing, so it needs no key (no ready check) and starts no worker threads.
 */
function keyless(annotator: Annotator): Annotator {
  const passThrough = { specificationVersion: 'v1' as const, name: 'labelled-elsewhere', wrapAnnotate: ({ request, next }: Parameters<AnnotatorMiddleware['wrapAnnotate']>[0]) => next(request) };
  const { checkReady: _ready, prepare: _prepare, ...rest } = wrapAnnotator({ annotator, middleware: passThrough });
  return rest;
}

/** The rest of {@link runAnnotation}, once this session holds the run's lease. */
async function runLeased(run: RunRecord, resumed: boolean, spec: RunSpec, base: Annotator, annotatorSettings: Record<string, JsonValue>, session: RunSession): Promise<RunOutcome> {
  const { store } = session;
  const { inputs } = spec;
  const runId = run.id;
  const responses = new ResponseStore(store.database);
  const stats = { cached: 0, sent: 0 };
  const spent = responses.paidSoFar(runId);
  const budget = session.maxCostUsd === undefined ? undefined
    : budgetMiddleware({ maxCostUsd: session.maxCostUsd, spentUsd: spent.usd, spentImages: spent.images, estimateCostUsd: session.estimateCostUsd });
  const batchStore = new BatchStore(store.database);
  // A run with batches still open stays in batch mode, so a resume without `batch` never pays for their requests again online.
  const batchOptions = session.batch ?? (batchStore.openBatches(runId).length > 0 ? {} : undefined);
  const batchCapability = batchOptions ? base.capabilities.batch : undefined;
  const rounds = batchCapability && createBatchRounds({
    store: batchStore, runId, model: annotatorId(base), capability: batchCapability, signal: session.stopSignal,
    ...(session.maxCostUsd === undefined ? {} : { budget: { maxCostUsd: session.maxCostUsd, paidUsd: () => responses.paidSoFar(runId).usd } }),
  }, batchOptions);
  // Requests in flight, learnt from the provider with `concurrency: 'auto'`; workers of a queue keep their own.
  // The resilience middleware's counts, made here when the session gives none, so the limit can read its gauges.
  const resilience = session.resilience === undefined || 'wrapAnnotate' in session.resilience ? session.resilience : { stats: createResilienceStats(), ...session.resilience };
  const resilienceStats: Readonly<ResilienceStats> | undefined = resilience?.stats;
  const requestLimit = base.capabilities.billing === 'metered' && !session.itemRunner
    ? createRequestLimit({ concurrency: session.concurrency ?? 'auto', maxConcurrency: session.maxConcurrency, heldBack: () => ({ limits: resilienceStats?.waitingForLimits ?? 0, backoff: resilienceStats?.backingOff ?? 0 }) }) : undefined;
  if (requestLimit) session.onRequestLimit?.(requestLimit);
  const annotator = wrapAnnotator({
    annotator: base,
    middleware: runMiddleware({
      requestLimit,
      responseLog: { runId, responses, useCache: session.cache !== false, stats },
      budget,
      ...(rounds ? { batch: batchMiddleware({ runId, store: batchStore, ...batchOptions }) } : {}),
      // After a stop (the first Ctrl-C) nothing is retried: an item waiting on a hung provider stays unfinished.
      resilience: resilience && !('wrapAnnotate' in resilience) ? { stopSignal: session.stopSignal, ...resilience } : resilience,
      extra: session.middleware,
    }),
  });

  const prepared = await prepareAnnotation(inputs, { ...annotateOptionsOf(spec, session), requestLimit, annotator: session.itemRunner ? keyless(annotator) : annotator });
  if (run.labels.length === 0) {
    store.setLabels(runId, prepared.context.taxonomy.labels);
  }
  const failureItems = prepared.failures.map(({ id, path, kind, label }) => ({ id, path, kind, ...(label === undefined ? {} : { label }) }));
  const doneIds = store.registerItems(runId, [...failureItems, ...prepared.items]);
  const total = failureItems.length + prepared.items.length;
  let done = doneIds.size;
  store.setStatus(runId, 'running');
  session.onRunStart?.(store.getRun(runId) as RunRecord, { total, done, resumed });
  session.onStart?.(total);
  const save = (itemId: string, results: ClipResult[]) => {
    store.saveItemResults(runId, itemId, results);
    session.onResult?.(results, { done: (done += 1), total });
  };
  for (const failure of prepared.failures) {
    if (!doneIds.has(failure.id)) save(failure.id, [inputFailureResult(failure, prepared.context)]);
  }
  let stopped: RunOutcome['stopped'];
  let submitted = 0;
  try {
    const left = prepared.items.filter((item) => !doneIds.has(item.id));
    if (session.itemRunner) {
      await session.itemRunner.run({
        run: store.getRun(runId) as RunRecord, spec, annotatorSettings, annotator: base, items: left,
        resilience: session.resilience && !('wrapAnnotate' in session.resilience) ? session.resilience : undefined,
        cache: session.cache !== false, stats, stopSignal: session.stopSignal,
        budget: session.maxCostUsd === undefined ? undefined : { maxCostUsd: session.maxCostUsd, spentUsd: spent.usd },
        save: (itemId, results, requests) => {
          for (const request of requests) responses.record(request);
          save(itemId, [...results]);
        },
      });
    } else {
      await rounds?.reconcile();
      // Each round labels what is left; in batch mode the requests no batch answered yet are put in
      // batches, which are waited for and collected, and the items they held up run again.
      for (let round = 1; ; round += 1) {
        let deferred = 0;
        await annotateItems(prepared.context, prepared.items.filter((item) => !doneIds.has(item.id)), {
          concurrency: typeof session.concurrency === 'number' ? session.concurrency : undefined, stopSignal: session.stopSignal, onItemDone: (item, results) => {
            doneIds.add(item.id);
            save(item.id, results);
          },
          // Results go to the store as they come (read back below): none are held for the whole run.
          keepResults: false,
          ...(rounds ? { onItemDeferred: () => void (deferred += 1) } : {}),
        });
        if (session.stopSignal?.aborted) break;
        if (!rounds || deferred === 0) break;
        submitted += await rounds.submitPending();
        if (rounds.manual) {
          stopped = { reason: 'batch', message: manualBatchMessage(runId, deferred, rounds.pendingCount()) };
          break;
        }
        const open = rounds.openBatches().length;
        if (!rounds.wait) {
          stopped = { reason: 'batch', message: `${deferred} items wait for ${open} provider batches; run the same command again (or \`--resume ${runId}\`) to collect them` };
          break;
        }
        if (open === 0 || round > MAX_BATCH_ROUNDS) {
          throw new EmolabelError('provider_error', `${deferred} items still wait for a batch after ${round} rounds, with ${open} batches open; this is a bug, please report it.`);
        }
        await rounds.collect();
        if (session.stopSignal?.aborted) break;
      }
    }
    if (session.stopSignal?.aborted) stopped = { reason: 'interrupted', message: `interrupted before every item was labelled${rounds && rounds.openBatches().length > 0 ? ' (the batches go on at the provider; running the same command again collects them)' : ''}` };
  } catch (error) {
    if (!isRunStoppingError(error)) throw error;
    const code = (error as EmolabelError).code;
    stopped = { reason: code === 'budget_exceeded' ? 'budget' : code === 'aborted' ? 'interrupted' : 'fatal', message: describeError(error) };
  } finally {
    // Stops the worker threads; the annotator is closed below when this run made it.
    await prepared.close();
    if (!session.annotator) await base.close?.();
  }
  store.setStatus(runId, stopped ? (stopped.reason === 'interrupted' || stopped.reason === 'batch' ? 'interrupted' : 'stopped') : 'done', stopped?.message);
  const results = store.getResults(runId);
  return {
    run: store.getRun(runId) as RunRecord, resumed, results, summary: summarise(results), requests: stats, stopped,
    ...(rounds ? { batches: { submitted, open: rounds.openBatches().length } } : {}),
    ...(requestLimit ? { requestLimit: requestLimit.report() } : {}),
  };
}
