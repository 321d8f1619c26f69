import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { JsonValue } from '../annotators/annotator.js';
import { EmolabelError } from '../errors.js';
import type { MediaItem } from '../media/media-item.js';

/** The BullMQ queue every coordinator and worker of one Redis uses. */
export const QUEUE_NAME = 'emolabel-items';

/** Keys of emolabel's own Redis data (beside BullMQ's `bull:` keys). */
export const REDIS_KEYS = {
  /** A cached answer, by the response cache's key. */
  cachedAnswer: (cacheKey: string) => `emolabel:answer:${cacheKey}`,
  /** The requests a job's attempts sent or answered from the cache, for the coordinator to log. */
  jobRequests: (jobId: string) => `emolabel:requests:${jobId}`,
  /** A worker process's heartbeat (expires when it stops renewing it). */
  worker: (id: string) => `emolabel:worker:${id}`,
  workerPattern: 'emolabel:worker:*',
  /** A provider's shared rate-limit bucket. */
  rateBucket: (provider: string) => `emolabel:rate:${provider}`,
};

/** How long cached answers and a job's request log stay in Redis: a week. */
export const REDIS_TTL_SECONDS = 7 * 24 * 3600;

/** The version of this emolabel, from its package.json (two folders up, in src/ and dist/ alike). */
export const EMOLABEL_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

const jsonValue: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]));

/** What a job carries: the run spec (settings, never keys), the item, the session's limits. */
export const queueJobSchema = z.object({
  emolabelVersion: z.string(),
  runId: z.string(),
  fingerprint: z.string(),
  /** The run spec, checked by the worker with `parseRunSpec`. */
  spec: z.record(z.string(), z.unknown()),
  /** The settings the coordinator made its annotator with (the spec's, a resumed run's prompt pinned). */
  annotatorSettings: z.record(z.string(), jsonValue),
  /** The coordinator's annotator's `settingsIdentity`: the worker's must equal it. */
  settingsIdentity: z.record(z.string(), jsonValue),
  item: z.object({ id: z.string(), path: z.string(), kind: z.enum(['image', 'video', 'frames']), label: z.string().optional() }),
  limits: z.object({
    rpm: z.number().optional(),
    tpm: z.number().optional(),
    burstSeconds: z.number().optional(),
    timeoutMs: z.number().optional(),
    maxAttempts: z.number().optional(),
    cache: z.boolean(),
  }),
});

export type QueueJob = z.infer<typeof queueJobSchema>;

/** The job id of a run's item: deterministic, so a coordinator that starts again finds the jobs it queued. */
export function jobIdOf(runId: string, itemId: string): string {
  return `${runId}-${createHash('sha256').update(itemId).digest('hex').slice(0, 24)}`;
}

/** Whether a job id belongs to a run. */
export function isJobOfRun(jobId: string | undefined, runId: string): boolean {
  return jobId !== undefined && jobId.startsWith(`${runId}-`);
}

/** The item of a job, as the pipeline takes it. */
export function itemOfJob(job: QueueJob): MediaItem {
  const { id, path, kind, label } = job.item;
  return { id, path, kind, ...(label === undefined ? {} : { label }) };
}

/**
 * The connection options BullMQ and ioredis take for `redis://host:port[/db]` (or `rediss://`).
 * A wrong URL is a usage error naming the flag's value.
 */
export function redisConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EmolabelError('invalid_option', `Expected \`queue\` to be a Redis URL such as redis://localhost:6379, got \`${url}\`.`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new EmolabelError('invalid_option', `Expected \`queue\` to be a Redis URL (redis:// or rediss://), got \`${url}\`.`);
  }
  // BullMQ's workers block on Redis: their connections must retry forever, not fail a command.
  return { url, maxRetriesPerRequest: null };
}

/** How long a coordinator or worker waits for Redis to answer at start before it says it cannot reach it. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** `ready`, or a clear error naming the Redis (without its password) when it does not answer in time. */
export async function whenRedisAnswers(ready: Promise<unknown>, url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new EmolabelError('queue_error', `Redis at ${new URL(url).host} did not answer within ${timeoutMs / 1000} s; check that it runs and that this machine can reach it (\`queue\`).`)), timeoutMs);
  });
  try {
    await Promise.race([ready, late]);
  } finally {
    clearTimeout(timer);
  }
}
