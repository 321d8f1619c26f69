import { classifyFailure, type FailureClass } from './classify-failure.js';
import { type Clock, systemClock, untilAborted } from './clock.js';
import { FatalRunError } from './fatal-run-error.js';
import { countFailure, createResilienceStats, type ResilienceStats } from './resilience-stats.js';
import { createRetryPolicy, type RetryOptions, type RetryPolicy } from './retry-policy.js';
import { type RateLimiter, TokenBucket } from './token-bucket.js';
import { createLearnedTokenEstimate, type EstimateTokens } from './token-estimate.js';
import { type Annotation, type AnnotationRequest, type Annotator, annotatorId } from '../../annotators/annotator.js';
import { type AnnotatorMiddleware, isMetered, wrapAnnotator } from '../../annotators/annotator-middleware.js';
import { linkSignals } from '../../annotators/link-signals.js';
import { describeError, EmolabelError, TimeoutError } from '../../errors.js';

/** A retry about to happen, for progress displays and logs. */
export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  /** Milliseconds until the next attempt. */
  readonly delayMs: number;
  readonly failure: FailureClass;
  readonly error: unknown;
}

/** How {@link createResilientAnnotator} limits, times and retries requests. */
export interface ResilientAnnotatorOptions {
  /** Requests per minute (`--rpm`). @default unlimited */
  readonly rpm?: number;
  /** Tokens per minute, input + output (`--tpm`). @default unlimited */
  readonly tpm?: number;
  /** Seconds of the per-minute limits that may be spent at once. @default 10 */
  readonly burstSeconds?: number;
  /** A limiter shared with other annotators on the same account; replaces `rpm`, `tpm`, `burstSeconds`. */
  readonly bucket?: TokenBucket;
  /**
   * Takes the place of the bucket for every request (e.g. one in Redis shared by the queue's
   * worker processes, `emolabel worker`); `bucket` then only reports. @default the bucket
   */
  readonly limiter?: RateLimiter;
  /** Tokens a request will use, taken from the `tpm` bucket before it is sent. @default learned from reported usage, 1,500 per image at first */
  readonly estimateTokens?: EstimateTokens;
  /** An attempt that takes longer is abandoned and retried (`--timeout`, in ms). @default 60000 */
  readonly timeoutMs?: number;
  /** Backoff and attempts (`--retries N` is `{ maxAttempts: N + 1 }`). @default see {@link RetryOptions} */
  readonly retry?: RetryOptions;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Counts to update, e.g. one object shared with a progress bar. @default a fresh one, on `.stats` */
  readonly stats?: ResilienceStats;
  /** Called before each backoff wait. */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * The run's stop signal (the first Ctrl-C): once aborted, no failed attempt is tried again — the
   * request throws `aborted` instead of returning an `error`, so its item is left unfinished for a
   * resume rather than saved as failed. Attempts in flight go on (their answers are kept).
   */
  readonly stopSignal?: AbortSignal;
  /** Called once, when the first fatal failure stops the annotator (e.g. to abort the run's controller). */
  readonly onFatal?: (error: FatalRunError) => void;
}

/** What a resilience layer has seen: shared by {@link ResilienceMiddleware} and {@link ResilientAnnotator}. */
export interface ResilienceState {
  readonly stats: Readonly<ResilienceStats>;
  readonly bucket: TokenBucket;
  /** The fatal error that stopped this annotator, once one has. */
  readonly fatalError: FatalRunError | undefined;
}

/** The resilience middleware, with its counts, bucket and fatal error. */
export interface ResilienceMiddleware extends AnnotatorMiddleware, ResilienceState {}

/** An annotator that rate-limits, times out and retries another; see {@link createResilientAnnotator}. */
export interface ResilientAnnotator extends Annotator, ResilienceState {}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Consecutive requests rejected with the same HTTP 400 that stop the run as fatal. */
export const REJECTIONS_BEFORE_STOP = 3;

/**
 * Refused connections in a row (no answer of any kind between them) that stop the run as fatal,
 * once one of them was already a retry: a server that is not there costs seconds, not a backoff
 * per item. A provider restarting answers again within the retries and resets the count.
 */
export const REFUSALS_BEFORE_STOP = 3;

function checkTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new EmolabelError('invalid_option', `Expected \`timeoutMs\` to be a number of milliseconds above 0, got \`${timeoutMs}\` (${typeof timeoutMs}).`);
  }
}

/** `Failed after 3 attempts (2× HTTP 500, 1× timeout)`. */
function failedAfter(attempts: number, history: ReadonlyMap<string, number>): string {
  const causes = [...history].map(([summary, count]) => `${count}× ${summary}`).join(', ');
  return `Failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (${causes})`;
}

function usedTokens(annotation: Annotation): number | undefined {
  return annotation.usage && annotation.usage.inputTokens + annotation.usage.outputTokens;
}

type AttemptOutcome = { readonly annotation: Annotation } | { readonly error: unknown; readonly timedOut: boolean };

/**
 * The middleware that makes a run survive its provider (the only timeout of a run lives here): requests wait for the `rpm`/`tpm` token bucket,
 * each attempt is cut off after `timeoutMs`, retryable failures (429, 5xx, timeouts, dropped
 * connections) are tried again with exponential backoff and full jitter that never undercuts
 * `Retry-After`, and a 429's `Retry-After` pauses every request on the bucket.
 *
 * Never throws for a retryable failure: after the last attempt it returns `{ status: 'error' }`
 * saying what happened and how often. A failure no retry heals (401, 403, 404, exhausted quota,
 * missing key) throws a {@link FatalRunError} at once; in-flight requests are aborted and every
 * later call throws the same error without a request. Aborts pass through. Every returned
 * annotation carries `attempts`.
 * @example
 * const annotator = wrapAnnotator({ annotator: createAnnotator('openai:gpt-4o-mini'), middleware: resilienceMiddleware({
 *   rpm: 500, tpm: 200_000, timeoutMs: 30_000, retry: { maxAttempts: 4 },
 *   onFatal: () => controller.abort(),
 * }) });
 */
export function resilienceMiddleware(options: ResilientAnnotatorOptions = {}): ResilienceMiddleware {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  checkTimeout(timeoutMs);
  const policy: RetryPolicy = createRetryPolicy(options.retry);
  const bucket = options.bucket ?? new TokenBucket({ requestsPerMinute: options.rpm, tokensPerMinute: options.tpm, burstSeconds: options.burstSeconds, clock });
  const limiter: RateLimiter = options.limiter ?? bucket;
  const learned = createLearnedTokenEstimate();
  const estimateTokens = options.estimateTokens ?? learned.estimate;
  const stats = options.stats ?? createResilienceStats();
  const stop = new AbortController();
  let fatalError: FatalRunError | undefined;
  // The same HTTP 400 for request after request is no item's fault: after a few the run stops.
  let repeatedRejection = { reason: '', count: 0 };
  // Attempts in a row that found nothing listening; any other outcome resets it.
  let refusedInARow = 0;

  /** Counts the request in a gauge (`waitingForLimits`, `backingOff`) until `wait` settles: the request limit reads them. */
  const waitingFor = async <T>(wait: Promise<T>, gauge: 'waitingForLimits' | 'backingOff' = 'waitingForLimits'): Promise<T> => {
    stats[gauge] += 1;
    try {
      return await wait;
    } finally {
      stats[gauge] -= 1;
    }
  };

  const stopWith = (reason: FatalRunError): FatalRunError => {
    if (fatalError) return fatalError;
    fatalError = reason;
    stop.abort(reason);
    options.onFatal?.(reason);
    return reason;
  };

  /** What to throw when the caller aborted or a fatal failure stopped the annotator. */
  const stopError = (id: string, request: AnnotationRequest, error: unknown): unknown => {
    if (request.signal?.aborted) {
      const reason: unknown = request.signal.reason;
      if (reason instanceof EmolabelError) return reason;
      return error instanceof EmolabelError && error.code === 'aborted' ? error : new EmolabelError('aborted', `The request to ${id} was aborted.`, { cause: reason });
    }
    return fatalError ?? error;
  };

  const attemptOnce = async (id: string, next: (request: AnnotationRequest) => Promise<Annotation>, request: AnnotationRequest, runSignal: AbortSignal): Promise<AttemptOutcome> => {
    const attempt = new AbortController();
    const timer = new AbortController();
    let timedOut = false;
    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        timedOut = true;
        attempt.abort(new TimeoutError(id, timeoutMs));
      },
      () => undefined,
    );
    // Not AbortSignal.any: the run's signal would keep every attempt's signal (see linkSignals).
    const { signal, unlink } = linkSignals([runSignal, attempt.signal]);
    // A repair request waits for its own place under --rpm; its tokens are settled with the answer's usage.
    const beforeExtraRequest = async () => {
      await waitingFor(limiter.acquire(0, signal));
      stats.requests += 1;
    };
    try {
      return { annotation: await untilAborted(next({ ...request, signal, beforeExtraRequest }), signal) };
    } catch (error) {
      // A timed-out annotator may throw its own abort error; report the timeout instead.
      return timedOut ? { error: attempt.signal.reason, timedOut } : { error, timedOut };
    } finally {
      timer.abort();
      unlink();
    }
  };

  const notRetried = (id: string, summary: string): EmolabelError =>
    new EmolabelError('aborted', `The request to ${id} failed (${summary}) after the run was asked to stop, so it was not tried again; its item is left for a resume.`);

  const failed = (error: string, attempts: number): Annotation => {
    stats.failed += 1;
    return { status: 'error', error, attempts, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
  };

  const annotate = async (id: string, next: (request: AnnotationRequest) => Promise<Annotation>, request: AnnotationRequest): Promise<Annotation> => {
    if (fatalError) throw fatalError;
    const runSignal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    const estimate = Math.max(0, estimateTokens(request));
    const history = new Map<string, number>();
    for (let attempt = 1; ; attempt += 1) {
      try {
        await waitingFor(limiter.acquire(estimate, runSignal));
      } catch (error) {
        throw stopError(id, request, error);
      }
      stats.requests += 1;
      const outcome = await attemptOnce(id, next, request, runSignal);
      if ('annotation' in outcome) {
        repeatedRejection = { reason: '', count: 0 };
        refusedInARow = 0;
        // Limits the provider states (rate-limit headers) are followed unless given; a shared limiter
        // (Redis) keeps its own. They describe this moment, not the answer: no layer above keeps them.
        const { rateLimits, ...annotation } = outcome.annotation;
        if (rateLimits && options.limiter === undefined) {
          bucket.follow(rateLimits);
          const stated = bucket.statedLimits();
          if (stated.requestsPerMinute !== undefined || stated.tokensPerMinute !== undefined) stats.providerLimits = stated;
        }
        const actual = usedTokens(annotation);
        limiter.settle(estimate, actual ?? estimate);
        if (actual !== undefined) learned.learn(request, actual);
        if (annotation.status === 'error') stats.failed += 1;
        return { ...annotation, attempts: attempt };
      }
      if (runSignal.aborted) throw stopError(id, request, outcome.error);
      const classified = classifyFailure(outcome.error);
      const failure: FailureClass = outcome.timedOut ? { ...classified, kind: 'retryable', timedOut: true, rateLimited: false, summary: 'timeout' } : classified;
      if (failure.kind === 'stop') throw outcome.error;
      if (failure.kind === 'fatal') throw stopWith(new FatalRunError(failure.fatalReason ?? 'misconfigured', id, outcome.error));
      refusedInARow = failure.refused ? refusedInARow + 1 : 0;
      if (failure.refused && attempt > 1 && refusedInARow >= REFUSALS_BEFORE_STOP) throw stopWith(new FatalRunError('unreachable', id, outcome.error));
      history.set(failure.summary, (history.get(failure.summary) ?? 0) + 1);
      const message = describeError(outcome.error);
      if (failure.kind === 'item') {
        if (failure.httpStatus === 400) {
          repeatedRejection = { reason: message, count: repeatedRejection.reason === message ? repeatedRejection.count + 1 : 1 };
          if (repeatedRejection.count >= REJECTIONS_BEFORE_STOP) throw stopWith(new FatalRunError('rejected_request', id, outcome.error));
        }
        return failed(attempt === 1 ? message : `${failedAfter(attempt, history)}; last: ${message}`, attempt);
      }
      countFailure(stats, failure);
      if (options.stopSignal?.aborted) throw notRetried(id, failure.summary);
      // A 429 was turned away before any work: give its tokens back, and hold everyone for its Retry-After.
      if (failure.rateLimited) limiter.settle(estimate, 0);
      const retryAfterMs = failure.retryAfterMs;
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) {
        const wait = `${Math.round(retryAfterMs / 1000)} s`;
        return failed(`${id} asked to wait ${wait} before trying again, more than the ${Math.round(policy.maxRetryAfterMs / 1000)} s limit; run again later. ${message}`, attempt);
      }
      if (failure.rateLimited && retryAfterMs !== undefined) limiter.pause(retryAfterMs);
      if (attempt >= policy.maxAttempts) return failed(`${failedAfter(attempt, history)}; last: ${message}`, attempt);
      const delayMs = policy.delayAfter(attempt, retryAfterMs);
      stats.retries += 1;
      stats.backoffMs += delayMs;
      options.onRetry?.({ attempt, delayMs, failure, error: outcome.error });
      const { signal: backoffSignal, unlink } = linkSignals(options.stopSignal ? [runSignal, options.stopSignal] : [runSignal]);
      try {
        await waitingFor(clock.sleep(delayMs, backoffSignal), 'backingOff');
      } catch (error) {
        if (!runSignal.aborted && options.stopSignal?.aborted) throw notRetried(id, failure.summary);
        throw stopError(id, request, error);
      } finally {
        unlink();
      }
    }
  };

  return {
    specificationVersion: 'v1',
    name: 'resilience',
    appliesTo: isMetered,
    wrapAnnotate: ({ request, next, annotator }) => annotate(annotatorId(annotator), next, request),
    stats,
    bucket,
    get fatalError() {
      return fatalError;
    },
  };
}

/** `inner` behind a {@link resilienceMiddleware} (whatever its billing), with the middleware's state. */
export function createResilientAnnotator(inner: Annotator, options: ResilientAnnotatorOptions = {}): ResilientAnnotator {
  const middleware = resilienceMiddleware(options);
  const wrapped = wrapAnnotator({ annotator: inner, middleware: { ...middleware, appliesTo: () => true } });
  return Object.defineProperties(wrapped, {
    stats: { value: middleware.stats, enumerable: true },
    bucket: { value: middleware.bucket, enumerable: true },
    fatalError: { get: () => middleware.fatalError, enumerable: true },
  }) as ResilientAnnotator;
}
