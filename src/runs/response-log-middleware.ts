import type { Annotation, JsonValue } from '../annotators/annotator.js';
import { type AnnotatorMiddleware, isMetered } from '../annotators/annotator-middleware.js';
import { currentItemId } from '../pipeline/item-scope.js';
import type { CachedResponse, ResponseStore } from '../store/request-log.js';
import { checkedUsage } from './checked-usage.js';
import { identifyRequest } from './request-identity.js';

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
function cachedAnswer(entry: CachedResponse | undefined, reparse: ((response: JsonValue) => Annotation | undefined) | undefined): Annotation | undefined {
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
      const answer = checkedUsage(await next(request), request, () => annotator.estimate?.(request).costUsd);
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
