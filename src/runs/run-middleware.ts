import type { AnnotatorMiddleware } from '../annotators/annotator-middleware.js';
import { type BudgetOptions, budgetMiddleware } from './budget-middleware.js';
import { type ResilienceMiddleware, resilienceMiddleware, type ResilientAnnotatorOptions } from './resilience/resilient-annotator.js';
import { type ResponseLogOptions, responseLogMiddleware } from './response-log-middleware.js';

/** What a run puts around its annotator; each part absent leaves its middleware out. */
export interface RunMiddlewareOptions {
  /** Replaces everything else: nothing is sent (see `dryRunMiddleware`). */
  readonly dryRun?: AnnotatorMiddleware;
  /** Response cache + request log of the run store. */
  readonly responseLog?: ResponseLogOptions;
  readonly budget?: BudgetOptions;
  /** Rate limits, the only timeout, retries, fatal errors: options, or a middleware made for them. */
  readonly resilience?: ResilientAnnotatorOptions | ResilienceMiddleware;
  /** Further middleware of the caller, closest to the provider. */
  readonly extra?: readonly AnnotatorMiddleware[];
}

/**
 * The one list of a run's middleware, outermost first, and the one place a new one goes:
 *
 * 1. dry run: answers every request with its estimate, so nothing below it runs;
 * 2. response log: a cached answer returns before the budget or the rate limits see it, and every
 *    answer that came back (after its retries) is logged and cached before the caller sees it;
 * 3. budget: reserves each request's estimate; retries inside it are one request to the budget;
 * 4. resilience: rate limits, timeout, retries, fatal errors, closest to the provider;
 * 5. the caller's extra middleware.
 *
 * Middleware whose `appliesTo` rejects the annotator is left out by `wrapAnnotator` (the free
 * local model gets none of 2-4).
 */
export function runMiddleware(options: RunMiddlewareOptions): AnnotatorMiddleware[] {
  if (options.dryRun) return [options.dryRun];
  const resilience = options.resilience && ('wrapAnnotate' in options.resilience ? options.resilience : resilienceMiddleware(options.resilience));
  return [
    ...(options.responseLog ? [responseLogMiddleware(options.responseLog)] : []),
    ...(options.budget ? [budgetMiddleware(options.budget)] : []),
    ...(resilience ? [resilience] : []),
    ...(options.extra ?? []),
  ];
}
