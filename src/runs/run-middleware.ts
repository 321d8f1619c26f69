import type { AnnotatorMiddleware } from '../annotators/annotator-middleware.js';
import type { RequestLimit } from '../pipeline/request-limit.js';
import { providerSignalsMiddleware } from '../pipeline/request-limit-middleware.js';
import { type BudgetMiddleware, type BudgetOptions, budgetMiddleware } from './budget-middleware.js';
import { type ResilienceMiddleware, resilienceMiddleware, type ResilientAnnotatorOptions } from './resilience/resilient-annotator.js';
import { type ResponseLogOptions, responseLogMiddleware } from './response-log-middleware.js';

/** What a run puts around its annotator; each part absent leaves its middleware out. */
export interface RunMiddlewareOptions {
  /** Replaces everything else: nothing is sent (see `dryRunMiddleware`). */
  readonly dryRun?: AnnotatorMiddleware;
  /** Response cache + request log of the run store. */
  readonly responseLog?: ResponseLogOptions;
  readonly budget?: BudgetOptions | BudgetMiddleware;
  /** Batch mode: requests go to the provider's batch API (runs/batch/batch-middleware.ts). */
  readonly batch?: AnnotatorMiddleware;
  /** Rate limits, the only timeout, retries, fatal errors: options, or a middleware made for them. */
  readonly resilience?: ResilientAnnotatorOptions | ResilienceMiddleware;
  /** The run's requests-in-flight limit, told of each attempt and each 429 from inside the retries. */
  readonly requestLimit?: RequestLimit;
  /** Further middleware of the caller, closest to the provider. */
  readonly extra?: readonly AnnotatorMiddleware[];
}

/**
 * The one list of a run's middleware, outermost first, and the one place a new one goes:
 *
 * 1. dry run: answers every request with its estimate, so nothing below it runs;
 * 2. response log: a cached answer returns before the budget or the rate limits see it, and every
 *    answer that came back (after its retries) is logged and cached before the caller sees it;
 * 3. budget: reserves each request's estimate; retries inside it are one request to the budget
 *    (batch requests are held by the batch rounds when they submit, and only counted here);
 * 4. batch: answers from collected batches, or defers the request to the next batch;
 * 5. resilience: rate limits, timeout, retries, fatal errors, closest to the provider (it passes
 *    a deferral on unchanged, and retries an online follow-up of a batch answer);
 * 6. provider signals: tells the run's request limit (which wraps all of this, in the pipeline)
 *    of every attempt and every 429, which `--concurrency auto` learns from;
 * 7. the caller's extra middleware.
 *
 * Middleware whose `appliesTo` rejects the annotator is left out by `wrapAnnotator` (the free
 * local model gets none of 2-4).
 */
export function runMiddleware(options: RunMiddlewareOptions): AnnotatorMiddleware[] {
  if (options.dryRun) return [options.dryRun];
  const resilience = options.resilience && ('wrapAnnotate' in options.resilience ? options.resilience : resilienceMiddleware(options.resilience));
  return [
    ...(options.responseLog ? [responseLogMiddleware(options.responseLog)] : []),
    ...(options.budget ? ['wrapAnnotate' in options.budget ? options.budget : budgetMiddleware(options.budget)] : []),
    ...(options.batch ? [options.batch] : []),
    ...(resilience ? [resilience] : []),
    ...(options.requestLimit ? [providerSignalsMiddleware(options.requestLimit)] : []),
    ...(options.extra ?? []),
  ];
}
