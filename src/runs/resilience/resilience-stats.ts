import type { FailureClass } from './classify-failure.js';

/**
 * Counts the resilient annotator keeps while it works, for the progress bar and the run summary.
 * `rateLimited`, `timeouts`, `serverErrors` and `otherRetryable` count failed attempts by cause.
 */
export interface ResilienceStats {
  /** Requests sent to the provider (every attempt, retries and repair requests included). */
  requests: number;
  /** Attempts made again after a retryable failure. */
  retries: number;
  /** 429 answers that were rate limits (exhausted quotas are fatal and not counted here). */
  rateLimited: number;
  /** Attempts cut off by the per-request timeout. */
  timeouts: number;
  /** 5xx answers. */
  serverErrors: number;
  /** Connections refused, reset or closed mid-answer, and unreadable bodies: other retryable failures. */
  otherRetryable: number;
  /** Requests that ended `error`: after their last attempt, on a failure of the request itself, or an answer the annotator could not use. */
  failed: number;
  /** Milliseconds spent waiting in backoff, summed over requests. */
  backoffMs: number;
  /** Requests waiting now for the rate limits (`--rpm`/`--tpm`, stated ones, a 429's `Retry-After`): a gauge, not a count. */
  waitingForLimits: number;
  /** Requests waiting now in a backoff before their next attempt: a gauge. */
  backingOff: number;
  /** The limits the provider stated in its rate-limit headers and the run followed (no `--rpm`/`--tpm` for them). */
  providerLimits?: { readonly requestsPerMinute?: number; readonly tokensPerMinute?: number };
}

/** Counts a failed attempt under its cause. */
export function countFailure(stats: ResilienceStats, failure: Pick<FailureClass, 'timedOut' | 'rateLimited' | 'httpStatus'>): void {
  if (failure.timedOut) stats.timeouts += 1;
  else if (failure.rateLimited) stats.rateLimited += 1;
  else if (failure.httpStatus !== undefined && failure.httpStatus >= 500) stats.serverErrors += 1;
  else stats.otherRetryable += 1;
}

/** All counts at zero. */
export function createResilienceStats(): ResilienceStats {
  return { requests: 0, retries: 0, rateLimited: 0, timeouts: 0, serverErrors: 0, otherRetryable: 0, failed: 0, backoffMs: 0, waitingForLimits: 0, backingOff: 0 };
}

/**
 * `12 retries after 14 failed attempts (9 rate-limited, 2 timed out, 3 server errors), 1 request gave up`,
 * or `` when nothing was retried (the progress line already counts failed items): short enough for a
 * progress bar. The causes count failed attempts (the last one of a request that gave up too), so
 * they add up to the failed attempts named, not to the retries.
 */
export function formatResilienceStats(stats: Readonly<ResilienceStats>): string {
  if (stats.retries === 0) return '';
  const causes = [
    stats.rateLimited ? `${stats.rateLimited} rate-limited` : '',
    stats.timeouts ? `${stats.timeouts} timed out` : '',
    stats.serverErrors ? `${stats.serverErrors} server error${stats.serverErrors === 1 ? '' : 's'}` : '',
    stats.otherRetryable ? `${stats.otherRetryable} connection or body error${stats.otherRetryable === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const failedAttempts = stats.rateLimited + stats.timeouts + stats.serverErrors + stats.otherRetryable;
  const breakdown = causes.length ? ` after ${failedAttempts} failed attempt${failedAttempts === 1 ? '' : 's'} (${causes.join(', ')})` : '';
  const retries = `${stats.retries} ${stats.retries === 1 ? 'retry' : 'retries'}${breakdown}`;
  return stats.failed ? `${retries}, ${stats.failed} request${stats.failed === 1 ? '' : 's'} gave up` : retries;
}
