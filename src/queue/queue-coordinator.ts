import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Annotator } from '../annotators/annotator.js';
import { BudgetExceededError, EmolabelError } from '../errors.js';
import type { MediaItem } from '../media/media-item.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { ItemRunner, ItemRunnerJob } from '../runs/item-runner.js';
import type { RunSpec } from '../runs/run-spec.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';
import { EMOLABEL_VERSION, isJobOfRun, jobIdOf, QUEUE_NAME, type QueueJob, REDIS_KEYS, redisConnection, whenRedisAnswers } from './queue-job.js';
import { readJobRequests } from './redis-response-log.js';

/** How the queue stands, for the progress line. */
export interface QueueStatus {
  /** Worker processes connected to the queue. */
  readonly workers: number;
  /** Jobs of every run waiting for a worker, and being labelled. */
  readonly waiting: number;
  readonly active: number;
  /** This run's jobs collected this session, and failed. */
  readonly done: number;
  readonly failed: number;
  /** Jobs queued again because Redis had lost them (restarted without its data). */
  readonly requeued: number;
}

export interface QueueRunnerOptions {
  /** The queue's Redis, `redis://host:6379`. */
  readonly url: string;
  /** Most jobs of the run queued at once (waiting or active): more are released as results come. @default 500 */
  readonly window?: number;
  /** Milliseconds between looks at the queue. @default 200 */
  readonly pollMs?: number;
  /** Called every second or so with the queue's state. */
  readonly onStatus?: (status: QueueStatus) => void;
}

/** A small face-sized image, to ask the annotator what a request would cost. */
const PROBE_IMAGE = { data: Buffer.alloc(64 * 64 * 3, 128), width: 64, height: 64 };

/**
 * What an item will cost before any has come back: one single-image request per sampled frame
 * (what `frame` sends; `multi` and `grid` send fewer, so this errs high). Once three items have
 * come back, their mean takes over.
 */
function priorItemUsd(annotator: Annotator, spec: RunSpec): number {
  const taxonomy = resolveTaxonomy(spec.taxonomyFile ?? spec.taxonomy);
  const perRequest = annotator.estimate?.({ images: [PROBE_IMAGE], taxonomy }).costUsd ?? 0;
  return perRequest * (spec.frames ?? 8);
}

/** Worker processes whose heartbeat has not expired. */
async function countWorkers(redis: Redis): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', REDIS_KEYS.workerPattern, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/** States of a job no worker has taken: a stopped run withdraws these (a worker takes one only by locking it). */
const WITHDRAWABLE: ReadonlySet<string> = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/** Job states looked up together when a coordinator starts. */
const LOOKUP_BATCH = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The coordinator's side of a run on a BullMQ queue, as an {@link ItemRunner} for `runAnnotation`:
 * one job per item, with a deterministic id (run id + item id), so a coordinator started again
 * finds the jobs it queued instead of adding them twice. Jobs are released in a window, each only
 * while the budget holds it (what was paid, plus the jobs out at the estimate of an item); results
 * are collected as workers finish them and saved to the run store with the requests their
 * attempts logged. A job that fails (a worker refused it, a fatal provider error) stops the run
 * with the worker's reason. A job Redis lost (restarted without its data) is queued again.
 */
export function queueItemRunner(options: QueueRunnerOptions): ItemRunner {
  return { run: (job) => runOnQueue(job, options) };
}

async function runOnQueue(job: ItemRunnerJob, options: QueueRunnerOptions): Promise<void> {
  const connection = redisConnection(options.url);
  const queue = new Queue<QueueJob, ClipResult[]>(QUEUE_NAME, { connection });
  queue.on('error', () => undefined);
  const redis = new Redis(connection.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  try {
    await whenRedisAnswers(Promise.all([queue.waitUntilReady(), redis.ping()]), options.url);
    await coordinate(job, options, queue, redis);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

async function coordinate(job: ItemRunnerJob, options: QueueRunnerOptions, queue: Queue<QueueJob, ClipResult[]>, redis: Redis): Promise<void> {
  const runId = job.run.id;
  const window = options.window ?? 500;
  const pollMs = options.pollMs ?? 200;
  const itemsByJob = new Map<string, MediaItem>(job.items.map((item) => [jobIdOf(runId, item.id), item]));
  const pending: MediaItem[] = [];
  const outstanding = new Set<string>();
  // Jobs an earlier coordinator of this run queued are found, not added again; a failed one is tried again.
  const entries = [...itemsByJob];
  for (let start = 0; start < entries.length; start += LOOKUP_BATCH) {
    const batch = entries.slice(start, start + LOOKUP_BATCH);
    // Sent together: ioredis pipelines the commands of one connection, one round trip per batch.
    const states = await Promise.all(batch.map(([jobId]) => queue.getJobState(jobId)));
    for (const [index, [jobId, item]] of batch.entries()) {
      const state = states[index];
      if (state === 'unknown') pending.push(item);
      else if (state === 'failed') {
        await queue.remove(jobId);
        pending.push(item);
      } else outstanding.add(jobId);
    }
  }
  const template = {
    emolabelVersion: EMOLABEL_VERSION, runId, fingerprint: job.run.fingerprint,
    spec: { ...job.spec, inputs: [] }, annotatorSettings: { ...job.annotatorSettings }, settingsIdentity: { ...job.annotator.settingsIdentity },
    limits: {
      rpm: job.resilience?.rpm, tpm: job.resilience?.tpm, burstSeconds: job.resilience?.burstSeconds, timeoutMs: job.resilience?.timeoutMs,
      maxAttempts: job.resilience?.retry?.maxAttempts, cache: job.cache,
    },
  };
  const dataOf = (item: MediaItem): QueueJob => ({ ...template, item: { id: item.id, path: item.path, kind: item.kind, ...(item.label === undefined ? {} : { label: item.label }) } });
  const jobOf = (item: MediaItem) => ({ name: 'item', data: dataOf(item), opts: { jobId: jobIdOf(runId, item.id), attempts: 1, removeOnComplete: false, removeOnFail: false } });
  const addAll = (batch: readonly MediaItem[]) => (batch.length === 0 ? Promise.resolve() : queue.addBulk(batch.map(jobOf)).then(() => undefined));

  const prior = priorItemUsd(job.annotator, job.spec);
  const itemCosts: number[] = [];
  let paid = 0;
  const itemEstimate = () => (itemCosts.length >= 3 ? itemCosts.reduce((sum, cost) => sum + cost, 0) / itemCosts.length : prior);
  const budgetHolds = () => job.budget === undefined || job.budget.spentUsd + paid + (outstanding.size + 1) * itemEstimate() <= job.budget.maxCostUsd;
  const status = { workers: 0, waiting: 0, active: 0, done: 0, failed: 0, requeued: 0 };
  let stopError: Error | undefined;
  const stopping = () => stopError !== undefined || job.stopSignal?.aborted === true;

  const collect = async (finished: Job<QueueJob, ClipResult[]>) => {
    const jobId = String(finished.id);
    const item = itemsByJob.get(jobId);
    const failed = await finished.isFailed();
    if (item !== undefined && outstanding.has(jobId)) {
      if (failed) {
        status.failed += 1;
        stopError ??= new EmolabelError('queue_error', `The job of ${item.path} failed: ${finished.failedReason}`, { path: item.path });
      } else {
        const requests = await readJobRequests(redis, jobId);
        let itemPaid = 0;
        for (const request of requests) {
          if (request.fromCache) job.stats.cached += 1;
          else {
            job.stats.sent += 1;
            itemPaid += request.annotation.costUsd ?? 0;
          }
        }
        paid += itemPaid;
        itemCosts.push(itemPaid);
        status.done += 1;
        status.active = Math.max(0, status.active - 1);
        options.onStatus?.({ ...status });
        job.save(item.id, finished.returnvalue ?? [], requests);
      }
      outstanding.delete(jobId);
    }
    // Saved (or a leftover of an item saved before a restart): the job and its request list go. A
    // failed job's list stays: what it paid is logged with the results of the job that replaces it.
    await finished.remove().catch(() => undefined);
    if (!failed) await redis.del(REDIS_KEYS.jobRequests(jobId));
  };

  for (let tick = 0; ; tick += 1) {
    const released: MediaItem[] = [];
    while (!stopping() && pending.length > 0 && outstanding.size < window && budgetHolds()) {
      const item = pending.shift() as MediaItem;
      released.push(item);
      outstanding.add(jobIdOf(runId, item.id));
    }
    await addAll(released);
    if (stopping()) {
      // Jobs no worker has taken are withdrawn (a resume queues them again); taken ones finish and are saved.
      // Only jobs still waiting: a finished one is collected below (removing it would lose its results).
      const ids = [...outstanding];
      const states = await Promise.all(ids.map((jobId) => queue.getJobState(jobId)));
      const waiting = ids.filter((_jobId, index) => WITHDRAWABLE.has(states[index] ?? ''));
      const removed = await Promise.all(waiting.map((jobId) => queue.remove(jobId)));
      for (const [index, jobId] of waiting.entries()) if (removed[index] === 1) outstanding.delete(jobId);
    }
    if (outstanding.size === 0) {
      if (pending.length > 0 && !stopping()) {
        const budget = job.budget as NonNullable<ItemRunnerJob['budget']>;
        stopError = new BudgetExceededError({ spentUsd: budget.spentUsd + paid, reservedUsd: 0, maxCostUsd: budget.maxCostUsd, nextUsd: itemEstimate() });
      }
      break;
    }
    const finished = (await queue.getJobs(['completed', 'failed'], 0, 999)).filter((each) => isJobOfRun(each?.id, runId));
    for (const each of finished) await collect(each);
    if (tick % 25 === 24) {
      // Redis restarted without its data: what it lost is queued again.
      const ids = [...outstanding];
      const states = await Promise.all(ids.map((jobId) => queue.getJobState(jobId)));
      const lost = ids.filter((_jobId, index) => states[index] === 'unknown').flatMap((jobId) => itemsByJob.get(jobId) ?? []);
      await addAll(lost);
      status.requeued += lost.length;
    }
    if (options.onStatus && tick % 5 === 0) {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      status.waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
      status.active = counts.active ?? 0;
      status.workers = await countWorkers(redis);
      options.onStatus({ ...status });
    }
    if (finished.length === 0) await sleep(pollMs);
  }
  options.onStatus?.({ ...status, waiting: 0, active: 0 });
  if (stopError) throw stopError;
}
