import { type Annotation, annotatorId, type JsonValue } from '../annotators/annotator.js';
import { type AnnotatorMiddleware, isMetered } from '../annotators/annotator-middleware.js';
import { currentItemId } from '../pipeline/item-scope.js';
import type { CachedResponse, ResponseStore } from '../store/request-log.js';
import { checkedUsage } from './checked-usage.js';
import { identifyRequest } from './request-identity.js';

/**
 * The most characters one answer may have (its raw text, rationale or JSON reply): a real answer is
 * a few hundred; beyond this it is a broken or hostile server, and the item fails instead of
 * filling the store (30 MB answers once made a 1.26 GB store). @default 1,000,000
 */
export const MAX_STORED_ANSWER_CHARS = 1_000_000;

const megabytes = (chars: number) => `${(chars / 1_000_000).toFixed(1)} MB`;

/** The answer, or an `error` in its place (usage and cost kept: it was paid for) when it is absurdly large. */
export function cappedAnswer(annotation: Annotation, id: string): Annotation {
  const size = Math.max(annotation.rawText?.length ?? 0, annotation.rationale?.length ?? 0, annotation.error?.length ?? 0,
    annotation.providerResponse === undefined ? 0 : JSON.stringify(annotation.providerResponse).length);
  if (size <= MAX_STORED_ANSWER_CHARS) return annotation;
  return {
    status: 'error', usage: annotation.usage, ...(annotation.costUsd === undefined ? {} : { costUsd: annotation.costUsd }),
    rawText: `${(annotation.rawText ?? '').slice(0, 200)}…`,
    error: `${id} answered with ${megabytes(size)}, more than the ${megabytes(MAX_STORED_ANSWER_CHARS)} an answer may have; not stored. Check the server behind the model (a broken proxy or a model stuck repeating itself).`,
  };
}

export interface ResponseLogOptions {
  readonly runId: string;
  readonly responses: ResponseStore;
  /** Reuse stored answers to identical requests (same pixels, prompt, model, settings). @default true */
  readonly useCache?: boolean;
  /** Counts of requests answered by the cache and sent, for progress. */
  readonly stats?: { cached: number; sent: number };
}

/**
 * The response cache and the request log: every request is answered from the cache when the same
 * request was answered before, and every answer is stored (request log + cache, one transaction)
 * before the caller sees it. What was paid for is never lost, and never paid for twice. Applies to
 * metered annotators only (the free local model is neither cached nor logged).
 */
/**
 * The answer a cache entry gives: read again from the provider's stored reply when the annotator
 * can (so parser fixes reach cached answers), else the stored annotation. A stored reply that no
 * longer reads is a miss: the request is sent again.
 */
export function cachedAnswer(entry: CachedResponse | undefined, reparse: ((response: JsonValue) => Annotation | undefined) | undefined): Annotation | undefined {
  if (entry === undefined) return undefined;
  if (entry.response === undefined || reparse === undefined) return entry.annotation;
  const fresh = reparse(entry.response);
  if (fresh === undefined) return undefined;
  const { providerResponse: _stored, ...annotation } = fresh;
  return annotation;
}

export function responseLogMiddleware(options: ResponseLogOptions): AnnotatorMiddleware {
  return {
    specificationVersion: 'v1',
    name: 'response-log',
    appliesTo: isMetered,
    async wrapAnnotate({ request, next, annotator }): Promise<Annotation> {
      const { cacheKey, summary } = identifyRequest(annotator, request, annotator.settingsIdentity);
      const startedAt = new Date().toISOString();
      const itemId = currentItemId();
      if (options.useCache !== false) {
        const reparse = annotator.reparse && ((response: JsonValue) => annotator.reparse?.(request, response));
        const cached = cachedAnswer(options.responses.cachedEntry(cacheKey), reparse);
        if (cached !== undefined) {
          options.responses.record({ runId: options.runId, itemId, cacheKey, request: summary, annotation: cached, fromCache: true, startedAt, durationMs: 0 });
          if (options.stats) options.stats.cached += 1;
          // A cached answer costs nothing this time.
          return { ...cached, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0 }, cached: true };
        }
      }
      const started = performance.now();
      // Impossible usage (negative, not a number) would be logged as a wrong cost or fail the log's insert.
      const answer = cappedAnswer(checkedUsage(await next(request), request, () => annotator.estimate?.(request).costUsd), annotatorId(annotator));
      const { providerResponse: response, ...annotation } = answer;
      const durationMs = Math.round(performance.now() - started);
      options.responses.record({
        runId: options.runId, itemId, cacheKey, request: summary, annotation, ...(response === undefined ? {} : { response }), fromCache: false, startedAt, durationMs,
        // Only plain answers answer again: a refusal may not repeat, an error should be retried, a repair never saw the images.
        cacheable: annotation.status === 'ok' && annotation.repaired !== true,
        ...(annotation.usage?.reasoningTokens === undefined ? {} : { reasoningTokens: annotation.usage.reasoningTokens }),
      });
      if (options.stats) options.stats.sent += 1;
      return annotation;
    },
  };
}
