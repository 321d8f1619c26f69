import type { Annotation } from '../annotators/annotator.js';
import { type AnnotatorMiddleware, isMetered } from '../annotators/annotator-middleware.js';
import { currentItemId } from '../pipeline/item-scope.js';
import type { ResponseStore } from '../store/request-log.js';
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
        const cached = options.responses.cached(cacheKey);
        if (cached !== undefined) {
          options.responses.record({ runId: options.runId, itemId, cacheKey, request: summary, annotation: cached, fromCache: true, startedAt, durationMs: 0 });
          if (options.stats) options.stats.cached += 1;
          // A cached answer costs nothing this time.
          return { ...cached, costUsd: 0, usage: { inputTokens: 0, outputTokens: 0 }, cached: true };
        }
      }
      const started = performance.now();
      const annotation = await next(request);
      const durationMs = Math.round(performance.now() - started);
      options.responses.record({ runId: options.runId, itemId, cacheKey, request: summary, annotation, fromCache: false, startedAt, durationMs });
      if (options.stats) options.stats.sent += 1;
      return annotation;
    },
  };
}
