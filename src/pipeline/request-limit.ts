import { AsyncResource } from 'node:async_hooks';
import PQueue from 'p-queue';
import { type AnnotatorMiddleware, isMetered } from '../annotators/annotator-middleware.js';
import { EmolabelError } from '../errors.js';

/**
 * At most `concurrency` requests in flight to a paid annotator, however many items or frames ask at
 * once: the run's concurrency counts requests, not items, so a clip's frames (`frame`, `mean`) go
 * out side by side and a clip no longer costs one round trip per frame. Requests wait in arrival
 * order; one whose signal aborts while waiting leaves the queue without being sent.
 */
export function requestLimitMiddleware(concurrency: number): AnnotatorMiddleware {
  const queue = new PQueue({ concurrency });
  return {
    specificationVersion: 'v1',
    name: 'request-limit',
    // The local model is bound by its worker threads, not by requests in flight.
    appliesTo: isMetered,
    async wrapAnnotate({ request, next }) {
      try {
        // Bound to the caller's async context: the queue starts a waiting request from whichever
        // request finished, and the item it belongs to (item scope) must stay the caller's.
        return await queue.add(AsyncResource.bind(() => next(request)), { signal: request.signal });
      } catch (error) {
        if (request.signal?.aborted && !(error instanceof EmolabelError)) {
          throw new EmolabelError('aborted', 'The request was aborted while waiting for a free request slot.', { cause: error });
        }
        throw error;
      }
    },
  };
}
