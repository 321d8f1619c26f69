import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { wrapAnnotator } from '../annotators/annotator-middleware.js';
import { describeError, EmolabelError } from '../errors.js';
import { createTinyFaceDetector } from '../faces/tiny-face-detector.js';
import { annotateItem } from '../pipeline/annotate-item.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { PathMapping } from './path-map.js';
import { mapPath } from './path-map.js';
import { EMOLABEL_VERSION, itemOfJob, QUEUE_NAME, type QueueJob, queueJobSchema, REDIS_KEYS, redisConnection, whenRedisAnswers } from './queue-job.js';
import { redisResponseLogMiddleware } from './redis-response-log.js';
import { checkJobVersion, createRunContext, type RunContext, WORKER_ID } from './worker-context.js';

export interface QueueWorkerOptions {
  /** The Redis of the queue, `redis://host:6379`. */
  readonly url: string;
  /** Jobs (items) this process labels at once. @default 8 */
  readonly concurrency?: number;
  /** Worker threads for decoding, face detection and the local model, as `annotate --workers`. */
  readonly workers?: number;
  /** Where this machine mounts the coordinator's media (`/data` → `/mnt/data`). */
  readonly pathMap?: readonly PathMapping[];
  /** Where API keys are read from: this machine's. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Seconds a job stays this worker's without it renewing its lock; a worker gone longer (killed,
   * lost) has its jobs handed to another. @default 30
   */
  readonly stallTimeoutSeconds?: number;
  /** Called as each job ends: its item, and the error when it failed. */
  readonly onJob?: (event: { runId: string; itemId: string; error?: string }) => void;
}

export interface QueueWorker {
  /** Stops taking jobs, lets the jobs in hand finish, then disconnects. */
  close(): Promise<void>;
}

/** Seconds between a worker's heartbeats; it counts as gone after three missed. */
const HEARTBEAT_SECONDS = 5;

/** The runs this process has contexts for, newest last; older ones are closed past this many. */
const KEPT_RUNS = 2;

/**
 * `emolabel worker`: takes items from the queue's jobs and labels each whole (frames, faces,
 * annotator, strategy) as `annotate` would, with this machine's keys; answers are cached in Redis
 * and rate limits held there, shared by every worker. A job from another emolabel version, or
 * whose settings this machine makes differently, is refused with the reason.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const connection = redisConnection(options.url);
  const redis = new Redis(connection.url, { maxRetriesPerRequest: null });
  // Connection errors are retried by ioredis; what cannot heal shows as a command that fails.
  redis.on('error', () => undefined);
  const concurrency = options.concurrency ?? 8;
  const pathMap = options.pathMap ?? [];
  // Per run: its context, and the jobs using it now (an evicted context is closed when its last job ends).
  const contexts = new Map<string, { context: Promise<RunContext>; jobs: number; evicted: boolean }>();
  const closeContext = (entry: { context: Promise<RunContext> }) => void entry.context.then((each) => each.close(), () => undefined);

  const withContext = async <T>(job: QueueJob, use: (context: RunContext) => Promise<T>): Promise<T> => {
    const key = JSON.stringify([job.runId, job.fingerprint, job.annotatorSettings, job.limits]);
    let entry = contexts.get(key);
    if (entry === undefined) {
      entry = { context: createRunContext(job, { redis, env: options.env, pathMap, concurrency, workers: options.workers }), jobs: 0, evicted: false };
      // A refusal is not kept, so each of the run's jobs is refused with its reason.
      entry.context.catch(() => contexts.delete(key));
      contexts.set(key, entry);
      for (const [oldKey, old] of contexts) {
        if (contexts.size <= KEPT_RUNS) break;
        contexts.delete(oldKey);
        old.evicted = true;
        if (old.jobs === 0) closeContext(old);
      }
    }
    const held = entry;
    held.jobs += 1;
    try {
      return await use(await held.context);
    } finally {
      held.jobs -= 1;
      if (held.evicted && held.jobs === 0) closeContext(held);
    }
  };

  const processJob = async (job: Job, _token?: string, signal?: AbortSignal): Promise<ClipResult[]> => {
    const parsed = queueJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not an emolabel item job (${parsed.error.issues[0]?.message}).`);
    const data = parsed.data;
    try {
      checkJobVersion(data);
      const results = await withContext(data, (run) => labelJob(job, data, run, signal));
      options.onJob?.({ runId: data.runId, itemId: data.item.id });
      return results;
    } catch (error) {
      options.onJob?.({ runId: data.runId, itemId: data.item.id, error: describeError(error) });
      throw error;
    }
  };

  const labelJob = async (job: Job, data: QueueJob, run: RunContext, signal: AbortSignal | undefined): Promise<ClipResult[]> => {
    const item = itemOfJob(data);
    const annotator = wrapAnnotator({
      annotator: run.base,
      middleware: [run.requestLimit, redisResponseLogMiddleware({ redis, runId: data.runId, jobId: String(job.id), useCache: data.limits.cache }), run.resilience],
    });
    try {
      const results = await annotateItem({ ...item, path: mapPath(item.path, pathMap) }, { ...run.context, annotator, signal });
      // Rows name the item as the coordinator knows it, and the worker that labelled it.
      return results.map((result) => ({ ...result, path: item.path, worker: WORKER_ID }));
    } catch (error) {
      // A run-stopping error (a rejected key, a fatal provider answer) fails the job for the coordinator to stop on.
      throw EmolabelError.isInstance(error) ? new UnrecoverableError(`worker ${WORKER_ID.host}:${WORKER_ID.pid}: ${describeError(error)}`) : error;
    }
  };

  // The face model loads (and compiles) before the first job is taken: seconds of work that would
  // otherwise hold the event loop while a job's lock waits to be renewed, and let it pass as stalled.
  await createTinyFaceDetector().detect({ data: Buffer.alloc(64 * 64 * 3, 128), width: 64, height: 64 });
  const stallMs = Math.round((options.stallTimeoutSeconds ?? 30) * 1000);
  const worker = new Worker(QUEUE_NAME, processJob, {
    connection, concurrency, name: `emolabel ${WORKER_ID.host}:${WORKER_ID.pid}`,
    lockDuration: stallMs, stalledInterval: stallMs, maxStalledCount: 3,
  });
  worker.on('error', () => undefined);
  try {
    await whenRedisAnswers(Promise.all([worker.waitUntilReady(), redis.ping()]), options.url);
  } catch (error) {
    await worker.close(true).catch(() => undefined);
    redis.disconnect();
    throw error;
  }
  // Seen by coordinators for as long as it renews this (BullMQ 6 names no worker connection to list).
  const heartbeatKey = REDIS_KEYS.worker(`${WORKER_ID.host}:${WORKER_ID.pid}`);
  const beat = () => redis.set(heartbeatKey, JSON.stringify({ ...WORKER_ID, version: EMOLABEL_VERSION, concurrency }), 'EX', HEARTBEAT_SECONDS * 3).catch(() => undefined);
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();
  return {
    async close() {
      clearInterval(heartbeat);
      await worker.close();
      await redis.del(heartbeatKey).catch(() => undefined);
      for (const entry of contexts.values()) await entry.context.then((each) => each.close(), () => undefined);
      contexts.clear();
      redis.disconnect();
    },
  };
}
