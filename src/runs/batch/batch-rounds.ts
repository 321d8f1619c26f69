import type { BatchCapability, BatchClient, BatchStatus } from '../../annotators/batch-api.js';
import { BudgetExceededError, describeError, EmolabelError } from '../../errors.js';
import type { BatchStore, StoredBatch, StoredBatchRequest } from '../../store/batch-store.js';

/** What the progress of a run's batches looks like at one poll. */
export interface BatchProgress {
  readonly batches: ReadonlyArray<Pick<StoredBatch, 'name' | 'providerId' | 'requestCount'> & { readonly status?: BatchStatus }>;
  /** Requests in the batches, answered, and failed, over all of them. */
  readonly total: number;
  readonly done: number;
  readonly failed: number;
}

/** How a session runs its batches (never stored). */
export interface BatchRunOptions {
  /** Wait for the batches and collect them; false: submit and return (a later run collects). @default true */
  readonly wait?: boolean;
  /** Time between polls. @default 30,000 ms */
  readonly pollIntervalMs?: number;
  /** Called after each poll. */
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Waits `ms` or until `signal` aborts (injected in tests). @default a timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What a run's batch rounds need: the store, the run, its model's batch API, and the budget it must hold. */
export interface BatchRoundsContext {
  readonly store: BatchStore;
  readonly runId: string;
  readonly model: string;
  readonly capability: BatchCapability;
  /** Dollars the run may spend in all, and what it has paid so far (read when a batch is about to be submitted). */
  readonly budget?: { readonly maxCostUsd: number; readonly paidUsd: () => number };
  readonly signal?: AbortSignal;
}

function timerSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Pending requests split into batches of at most `maxRequests` requests and `maxBytes` bytes, in order. */
export function splitIntoBatches(requests: readonly StoredBatchRequest[], limits: BatchCapability['limits']): StoredBatchRequest[][] {
  const batches: StoredBatchRequest[][] = [];
  let current: StoredBatchRequest[] = [];
  let bytes = 0;
  for (const request of requests) {
    if (current.length > 0 && (current.length >= limits.maxRequests || bytes + request.bytes > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += request.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * A run's batches: intents found again after a crash, pending requests submitted within the
 * provider's limits and the budget, open batches polled until they end and their results kept.
 * Every step is recorded before the next: an intent before the create call (found again by its
 * name if the answer was lost), the provider's id as soon as it answers, the results in one
 * transaction, so a run killed at any point and started again submits nothing twice.
 */
export function createBatchRounds(context: BatchRoundsContext, options: BatchRunOptions = {}) {
  const { store, runId, capability } = context;
  let client: BatchClient | undefined;
  const api = () => (client ??= capability.client());
  const sleep = options.sleep ?? timerSleep;
  const manual = capability.submission === 'manual';

  /** Intents of an earlier session: adopted when the provider has the batch under its name, else their requests wait again. */
  async function reconcile(): Promise<void> {
    const knownIds = store.knownProviderIds(capability.api);
    for (const batch of store.openBatches(runId).filter((each) => each.state === 'creating')) {
      const found = await api().find({ name: batch.name, createdAt: batch.createdAt, requestCount: batch.requestCount, knownIds }, context.signal);
      if (found) store.markSubmitted(batch.name, found);
      else store.abandonIntent(batch.name);
    }
  }

  /** Submits the pending requests; returns how many went out. Throws `BudgetExceededError` when none fits the budget. */
  async function submitPending(): Promise<number> {
    let pending = store.pendingRequests(runId);
    // A server without a batch API: the requests wait for `export --batch-jsonl` and `import-batch`.
    if (pending.length === 0 || manual) return 0;
    if (context.budget) {
      const { maxCostUsd } = context.budget;
      let room = maxCostUsd - context.budget.paidUsd() - store.committedUsd(runId);
      const fits: StoredBatchRequest[] = [];
      for (const request of pending) {
        if (request.estimatedCostUsd > room) break;
        room -= request.estimatedCostUsd;
        fits.push(request);
      }
      if (fits.length === 0) {
        throw new BudgetExceededError({ spentUsd: context.budget.paidUsd(), reservedUsd: store.committedUsd(runId), maxCostUsd, nextUsd: pending[0]?.estimatedCostUsd ?? 0 });
      }
      pending = fits;
    }
    let submitted = 0;
    let count = store.batchCount(runId);
    for (const requests of splitIntoBatches(pending, capability.limits)) {
      const name = `emolabel-${runId}-${(count += 1)}`;
      const estimatedCostUsd = requests.reduce((sum, request) => sum + request.estimatedCostUsd, 0);
      store.recordIntent({ name, runId, api: capability.api, model: context.model, estimatedCostUsd }, requests.map((request) => request.customId));
      const lines = store.bodiesOf(runId, name);
      let status: BatchStatus;
      try {
        status = await api().create({ name, lines }, context.signal);
      } catch (error) {
        // The provider may have the batch all the same (the answer was lost): the intent stays, and the next session looks for it by name.
        if (EmolabelError.isInstance(error) && error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500) store.abandonIntent(name);
        throw new EmolabelError('provider_error', `Could not submit batch ${name} (${lines.length} requests) to ${capability.api}: ${describeError(error)}`, { cause: error });
      }
      store.markSubmitted(name, status);
      submitted += requests.length;
    }
    return submitted;
  }

  /** Polls the run's open batches until each has ended, keeping each one's results as it ends; returns early when `signal` aborts. */
  async function collect(): Promise<void> {
    for (;;) {
      const open = store.openBatches(runId).filter((batch) => batch.providerId !== undefined);
      if (open.length === 0) return;
      const statuses: BatchProgress['batches'][number][] = [];
      for (const batch of open) {
        const status = await api().retrieve(batch.providerId ?? '', context.signal);
        store.updateStatus(batch.name, status);
        if (status.phase === 'ended') store.saveResults(batch.name, await api().results(status.id, context.signal));
        else if (status.phase === 'failed') store.saveResults(batch.name, [], status.message ?? status.providerState);
        statuses.push({ name: batch.name, providerId: status.id, requestCount: batch.requestCount, status });
      }
      options.onProgress?.({
        batches: statuses,
        total: statuses.reduce((sum, each) => sum + each.requestCount, 0),
        done: statuses.reduce((sum, each) => sum + (each.status?.counts.succeeded ?? 0), 0),
        failed: statuses.reduce((sum, each) => sum + (each.status?.counts.errored ?? 0), 0),
      });
      if (statuses.every((each) => each.status?.phase === 'ended' || each.status?.phase === 'failed')) continue;
      if (context.signal?.aborted) return;
      await sleep(options.pollIntervalMs ?? 30_000, context.signal);
      if (context.signal?.aborted) return;
    }
  }

  return {
    reconcile, submitPending, collect, wait: options.wait !== false, manual,
    openBatches: () => store.openBatches(runId), pendingCount: () => store.pendingRequests(runId).length,
  };
}

export type BatchRounds = ReturnType<typeof createBatchRounds>;
