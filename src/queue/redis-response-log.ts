import type { Redis } from 'ioredis';
import { z } from 'zod';
import { annotatorId, type Annotation, type JsonValue } from '../annotators/annotator.js';
import { type AnnotatorMiddleware, isMetered } from '../annotators/annotator-middleware.js';
import { currentItemId } from '../pipeline/item-scope.js';
import { checkedUsage } from '../runs/checked-usage.js';
import { identifyRequest } from '../runs/request-identity.js';
import { cachedAnswer, cappedAnswer } from '../runs/response-log-middleware.js';
import { CODEC_VERSION, decodeBlob, encodeBlob } from '../store/blob-codec.js';
import { CACHED_ANNOTATION, RAW_RESPONSE } from '../store/codecs.js';
import type { CachedResponse, LoggedRequest } from '../store/request-log.js';
import { REDIS_KEYS, REDIS_TTL_SECONDS } from './queue-job.js';

export interface RedisResponseLogOptions {
  readonly redis: Redis;
  readonly runId: string;
  readonly jobId: string;
  /** Answer repeated requests from the shared cache. */
  readonly useCache: boolean;
}

const storedAnswer = z.object({ codec: z.number(), annotation: z.string(), response: z.string().optional() });

/** A cached answer as Redis keeps it: the store's blobs (versioned codecs), so both read the same way. */
async function readCachedAnswer(redis: Redis, cacheKey: string): Promise<CachedResponse | undefined> {
  const text = await redis.get(REDIS_KEYS.cachedAnswer(cacheKey));
  if (text === null) return undefined;
  const parsed = storedAnswer.safeParse(JSON.parse(text));
  if (!parsed.success) return undefined;
  const source = (column: string) => ({ file: 'redis', table: 'emolabel:answer', column, row: `cache key ${cacheKey}` });
  const annotation = decodeBlob(CACHED_ANNOTATION, parsed.data.annotation, parsed.data.codec, source('annotation'));
  return parsed.data.response === undefined ? { annotation } : { annotation, response: decodeBlob(RAW_RESPONSE, parsed.data.response, parsed.data.codec, source('response')) };
}

/**
 * The queue's response cache and request log, the worker-side twin of the store's: every request
 * is answered from the answers cached in Redis when the same request was answered before (by any
 * worker, any run), and every answer is cached in Redis and appended to its job's request list
 * the moment it comes, before the strategy sees it. A worker killed mid-job loses nothing paid
 * for: the job's next attempt finds those answers in the cache, and the first attempt's requests
 * stay in the job's list, which the coordinator writes to the run store's request log with the
 * results. Applies to metered annotators only, like the store's.
 */
export function redisResponseLogMiddleware(options: RedisResponseLogOptions): AnnotatorMiddleware {
  const { redis } = options;
  const requestsKey = REDIS_KEYS.jobRequests(options.jobId);
  const log = async (entry: LoggedRequest, cache?: { cacheKey: string; annotation: Annotation; response?: JsonValue }) => {
    const multi = redis.multi().rpush(requestsKey, JSON.stringify(entry)).expire(requestsKey, REDIS_TTL_SECONDS);
    if (cache) {
      const value = { codec: CODEC_VERSION, annotation: encodeBlob(cache.annotation), ...(cache.response === undefined ? {} : { response: encodeBlob(cache.response) }) };
      multi.set(REDIS_KEYS.cachedAnswer(cache.cacheKey), JSON.stringify(value), 'EX', REDIS_TTL_SECONDS);
    }
    await multi.exec();
  };
  return {
    specificationVersion: 'v1',
    name: 'redis-response-log',
    appliesTo: isMetered,
    async wrapAnnotate({ request, next, annotator }): Promise<Annotation> {
      const { cacheKey, summary } = identifyRequest(annotator, request, annotator.settingsIdentity);
      const startedAt = new Date().toISOString();
      const itemId = currentItemId();
      const base = { runId: options.runId, ...(itemId === undefined ? {} : { itemId }), cacheKey, request: summary, startedAt };
      if (options.useCache) {
        const reparse = annotator.reparse && ((response: JsonValue) => annotator.reparse?.(request, response));
        const cached = cachedAnswer(await readCachedAnswer(redis, cacheKey), reparse);
        if (cached !== undefined) {
          await log({ ...base, annotation: cached, fromCache: true, durationMs: 0 });
          return { ...cached, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0 }, cached: true };
        }
      }
      const started = performance.now();
      const answer = cappedAnswer(checkedUsage(await next(request), request, () => annotator.estimate?.(request).costUsd), annotatorId(annotator));
      const { providerResponse: response, ...annotation } = answer;
      // Only plain answers answer again: a refusal may not repeat, an error should be retried, a repair never saw the images.
      const cacheable = annotation.status === 'ok' && annotation.repaired !== true;
      await log({
        ...base, annotation, ...(response === undefined ? {} : { response }), fromCache: false, durationMs: Math.round(performance.now() - started), cacheable,
        ...(annotation.usage?.reasoningTokens === undefined ? {} : { reasoningTokens: annotation.usage.reasoningTokens }),
      }, cacheable ? { cacheKey, annotation, ...(response === undefined ? {} : { response }) } : undefined);
      return annotation;
    },
  };
}

const loggedRequest = z.looseObject({
  runId: z.string(), cacheKey: z.string(), request: z.looseObject({ model: z.string() }), annotation: z.looseObject({ status: z.string() }),
  fromCache: z.boolean(), startedAt: z.string(), durationMs: z.number(),
});

/** The requests a job's attempts logged, oldest first (entries that do not read are skipped). */
export async function readJobRequests(redis: Redis, jobId: string): Promise<LoggedRequest[]> {
  const entries = await redis.lrange(REDIS_KEYS.jobRequests(jobId), 0, -1);
  return entries.flatMap((text) => {
    const parsed = loggedRequest.safeParse(JSON.parse(text));
    return parsed.success ? [parsed.data as unknown as LoggedRequest] : [];
  });
}
