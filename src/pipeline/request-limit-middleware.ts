import { AsyncResource } from 'node:async_hooks';
import { createRequestLimit, type ProviderOutcome, type RequestLimit } from './request-limit.js';
import { type AnnotatorMiddleware, isMetered } from '../annotators/annotator-middleware.js';
import { EmolabelError, TimeoutError } from '../errors.js';

/**
 * What a failed attempt says about the provider's load: `rate-limited` (a retryable 429),
 * `overloaded` (503, Anthropic's 529, or the attempt cut off by the run's timeout, the reason of
 * its abort signal), else `failed`.
 */
export function providerOutcomeOf(error: unknown, signal?: AbortSignal): ProviderOutcome {
  if (signal?.aborted && signal.reason instanceof TimeoutError) return 'overloaded';
  if (!EmolabelError.isInstance(error)) return 'failed';
  if (error instanceof TimeoutError) return 'overloaded';
  if (error.httpStatus === 429 && error.isRetryable) return 'rate-limited';
  return error.httpStatus === 503 || error.httpStatus === 529 ? 'overloaded' : 'failed';
}

/**
 * At most `limit` requests in flight to a paid annotator, however many items or frames ask at
 * once: the run's concurrency counts requests, not items, so a clip's frames (`frame`, `mean`) go
 * out side by side and a clip no longer costs one round trip per frame. Requests wait in arrival
 * order; one whose signal aborts while waiting leaves the queue without being sent.
 */
export function requestLimitMiddleware(limit: number | RequestLimit): AnnotatorMiddleware {
  const requests = typeof limit === 'number' ? createRequestLimit({ concurrency: limit }) : limit;
  return {
    specificationVersion: 'v1',
    name: 'request-limit',
    // The local model is bound by its worker threads, not by requests in flight.
    appliesTo: isMetered,
    async wrapAnnotate({ request, next }) {
      try {
        // Bound to the caller's async context: the queue starts a waiting request from whichever
        // request finished, and the item it belongs to (item scope) must stay the caller's.
        return await requests.schedule(AsyncResource.bind(() => next(request)), request.signal);
      } catch (error) {
        if (request.signal?.aborted && !(error instanceof EmolabelError)) {
          throw new EmolabelError('aborted', 'The request was aborted while waiting for a free request slot.', { cause: error });
        }
        throw error;
      }
    },
  };
}

/**
 * Tells a {@link RequestLimit} when each attempt leaves for the provider and how it ended: put it
 * next to the provider (inside the retries), so each 429 is seen, not only a request's last answer.
 */
export function providerSignalsMiddleware(limit: RequestLimit): AnnotatorMiddleware {
  return {
    specificationVersion: 'v1',
    name: 'provider-signals',
    appliesTo: isMetered,
    async wrapAnnotate({ request, next }) {
      const done = limit.sent();
      try {
        const annotation = await next(request);
        done('answered');
        return annotation;
      } catch (error) {
        done(providerOutcomeOf(error, request.signal));
        throw error;
      }
    },
  };
}
