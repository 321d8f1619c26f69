import { hostname } from 'node:os';
import { UnrecoverableError } from 'bullmq';
import { type Annotator, annotatorId, type JsonValue } from '../annotators/annotator.js';
import { createAnnotator } from '../annotators/annotator-registry.js';
import type { AnnotatorMiddleware } from '../annotators/annotator-middleware.js';
import { describeError } from '../errors.js';
import type { ItemContext } from '../pipeline/annotate-item.js';
import { createItemContext } from '../pipeline/item-context.js';
import { requestLimitMiddleware } from '../pipeline/request-limit-middleware.js';
import { type ResilienceMiddleware, resilienceMiddleware } from '../runs/resilience/resilient-annotator.js';
import { parseRunSpec, type RunSpec } from '../runs/run-spec.js';
import { getStrategy } from '../strategies/strategy-registry.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';
import { EMOLABEL_VERSION, type QueueJob, REDIS_KEYS } from './queue-job.js';
import { mapPath, type PathMapping } from './path-map.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';
import type { Redis } from 'ioredis';

/** This process, as results record it. */
export const WORKER_ID = { host: hostname(), pid: process.pid };
const workerName = `${WORKER_ID.host}:${WORKER_ID.pid}`;

/** What a worker process keeps per run: the annotator made from the job's spec, the shared limiter, the item context. */
export interface RunContext {
  readonly spec: RunSpec;
  readonly base: Annotator;
  readonly resilience: ResilienceMiddleware;
  /** At most `concurrency` requests in flight across this process's jobs of the run, as `annotate`'s own limit. */
  readonly requestLimit: AnnotatorMiddleware;
  readonly context: ItemContext;
  close(): Promise<void>;
}

export interface RunContextOptions {
  readonly redis: Redis;
  /** Where keys are read from. @default process.env (read at request time) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly pathMap: readonly PathMapping[];
  /** Jobs this process labels at once (sizes the worker threads' default). */
  readonly concurrency: number;
  /** Worker threads, as `annotate --workers`. */
  readonly workers?: number;
}

/** JSON with sorted keys, so equal identities compare equal. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The first field on which two settings identities differ, described; undefined when equal. */
function identityDifference(worker: Readonly<Record<string, JsonValue>>, coordinator: Readonly<Record<string, JsonValue>>): string | undefined {
  for (const key of [...new Set([...Object.keys(worker), ...Object.keys(coordinator)])].sort()) {
    const mine = stableJson(worker[key]);
    const theirs = stableJson(coordinator[key]);
    if (mine !== theirs) return `\`${key}\` is ${mine} here and ${theirs} on the coordinator`;
  }
  return undefined;
}

/** Refuses a job queued by another emolabel version: its answers and rows could differ. */
export function checkJobVersion(job: QueueJob): void {
  if (job.emolabelVersion === EMOLABEL_VERSION) return;
  throw new UnrecoverableError(
    `worker ${workerName} refused the job of run ${job.runId}: it runs emolabel ${EMOLABEL_VERSION}, the run was queued by emolabel ${job.emolabelVersion}. ` +
      `Run \`emolabel worker\` from the same emolabel version as \`emolabel annotate --queue\`.`,
  );
}

/**
 * Makes a run's context from a job: the spec checked, paths mapped, the annotator made from the
 * spec's model and settings with this machine's own environment (its keys never leave it), its
 * settings identity checked against the coordinator's, rate limits shared through Redis.
 * Throws an `UnrecoverableError` (the job fails, naming this worker) when the run cannot be labelled here.
 */
export async function createRunContext(job: QueueJob, options: RunContextOptions): Promise<RunContext> {
  const refuse = (reason: string) => new UnrecoverableError(`worker ${workerName} refused the job of run ${job.runId}: ${reason}`);
  let spec: RunSpec;
  let base: Annotator;
  const mapSetting = (value: JsonValue): JsonValue => (typeof value === 'string' ? mapPath(value, options.pathMap) : value);
  try {
    spec = parseRunSpec(job.spec, `The spec of run ${job.runId}`);
    const settings = Object.fromEntries(Object.entries(job.annotatorSettings).map(([key, value]) => [key, mapSetting(value)]));
    // A plain copy: the provider's schema takes an object of strings (process.env is not one).
    const env = options.env === undefined ? {} : { env: Object.fromEntries(Object.entries(options.env).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) };
    base = createAnnotator(spec.model, { ...settings, ...env });
    base.checkReady?.();
  } catch (error) {
    throw refuse(describeError(error));
  }
  const difference = identityDifference(base.settingsIdentity, job.settingsIdentity);
  if (difference !== undefined) {
    await base.close?.();
    throw refuse(`it makes ${annotatorId(base)} with other settings than the coordinator (${difference}). Use the same emolabel install, prompts and price table on every machine.`);
  }
  const { limits } = job;
  const limited = limits.rpm !== undefined || limits.tpm !== undefined;
  const resilience = resilienceMiddleware({
    timeoutMs: limits.timeoutMs, ...(limits.maxAttempts === undefined ? {} : { retry: { maxAttempts: limits.maxAttempts } }),
    ...(limited ? {
      limiter: createRedisRateLimiter({ redis: options.redis, key: REDIS_KEYS.rateBucket(base.provider), requestsPerMinute: limits.rpm, tokensPerMinute: limits.tpm, burstSeconds: limits.burstSeconds }),
    } : {}),
  });
  const taxonomyFile = spec.taxonomyFile === undefined ? undefined : mapPath(spec.taxonomyFile, options.pathMap);
  // The same item context `annotate` makes (detector, worker threads, request limit): what the pipeline adds, workers get.
  const { context, close } = createItemContext({
    annotator: base, taxonomy: resolveTaxonomy(taxonomyFile ?? spec.taxonomy), strategy: getStrategy(spec.strategy),
    frames: spec.frames, faces: spec.faces, faceMargin: spec.faceMargin, workers: options.workers, concurrency: options.concurrency,
  });
  return {
    spec, base, resilience, context, requestLimit: requestLimitMiddleware(context.requestLimit ?? options.concurrency),
    close: async () => {
      await close();
      await base.close?.();
    },
  };
}
