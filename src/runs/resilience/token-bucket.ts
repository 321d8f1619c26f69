import { type Clock, systemClock, untilAborted } from './clock.js';
import { EmolabelError } from '../../errors.js';

/** Limits of a {@link TokenBucket}; leave a rate out for no limit on it. */
export interface TokenBucketOptions {
  /** Requests per minute the provider allows (`--rpm`). @default unlimited */
  readonly requestsPerMinute?: number;
  /** Tokens (input + output) per minute the provider allows (`--tpm`). @default unlimited */
  readonly tokensPerMinute?: number;
  /**
   * Seconds of the per-minute allowance that may be spent at once, from a full bucket. Providers
   * often enforce a minute's limit over shorter windows (60 rpm as 1 per second), so a whole
   * minute's burst would trip 429s; 10 s fills the pipe quickly and stays clear of that.
   * @default 10
   */
  readonly burstSeconds?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

export const DEFAULT_BURST_SECONDS = 10;

/** One continuously refilling bucket: `level` units now, up to `capacity`, `rate` units per ms. */
interface Bucket {
  level: number;
  readonly capacity: number;
  readonly rate: number;
}

// Levels within this of the need count as enough: refill arithmetic in floating point lands a hair short.
const EPSILON = 1e-9;

function checkRate(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0) {
    throw new EmolabelError('invalid_option', `Expected \`${name}\` to be a number above 0, got \`${value}\` (${typeof value}).`);
  }
}

function createBucket(perMinute: number | undefined, burstSeconds: number): Bucket | undefined {
  if (perMinute === undefined) return undefined;
  const capacity = Math.max(1, (perMinute * burstSeconds) / 60);
  return { level: capacity, capacity, rate: perMinute / 60_000 };
}

function waitFor(bucket: Bucket | undefined, need: number): number {
  if (bucket === undefined || bucket.level >= need - EPSILON) return 0;
  return Math.ceil((need - bucket.level) / bucket.rate);
}

/** What the resilience middleware asks of a rate limiter: a {@link TokenBucket}, or one shared by processes (in Redis). */
export interface RateLimiter {
  /** Waits until one request and `tokens` tokens are free, then takes them; rejects when `signal` aborts. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void>;
  /** Corrects the tokens taken once the actual count is known. */
  settle(estimate: number, actual: number): void;
  /** Holds every request until `ms` from now. */
  pause(ms: number): void;
}

/**
 * A limiter for requests and tokens per minute: two continuously refilling buckets, taken from in
 * FIFO order, so many workers share a provider's limits without tripping 429s. Each request takes
 * one request and its estimated tokens; {@link settle} corrects the estimate once the actual usage
 * is known (a bucket may go below zero, which delays later requests). {@link pause} holds every
 * request, waiting or new, e.g. for a 429's `Retry-After`, so all workers back off together.
 * @example
 * const bucket = new TokenBucket({ requestsPerMinute: 500, tokensPerMinute: 200_000 });
 * await bucket.acquire(1_200, signal);
 * // … send the request …
 * bucket.settle(1_200, usage.inputTokens + usage.outputTokens);
 */
export class TokenBucket implements RateLimiter {
  private readonly clock: Clock;
  private readonly burstSeconds: number;
  private requests: Bucket | undefined;
  private tokens: Bucket | undefined;
  // Limits set by the provider's headers (see follow); those given to the constructor never change.
  private readonly given: { readonly requests: boolean; readonly tokens: boolean };
  private stated: { requestsPerMinute?: number; tokensPerMinute?: number } = {};
  private updatedAt: number;
  private pausedUntilTime = Number.NEGATIVE_INFINITY;
  // Every acquire runs after the one before it settles: first come, first served.
  private queue: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions = {}) {
    checkRate('requestsPerMinute', options.requestsPerMinute);
    checkRate('tokensPerMinute', options.tokensPerMinute);
    checkRate('burstSeconds', options.burstSeconds);
    const burstSeconds = options.burstSeconds ?? DEFAULT_BURST_SECONDS;
    this.clock = options.clock ?? systemClock;
    this.burstSeconds = burstSeconds;
    this.requests = createBucket(options.requestsPerMinute, burstSeconds);
    this.tokens = createBucket(options.tokensPerMinute, burstSeconds);
    this.given = { requests: this.requests !== undefined, tokens: this.tokens !== undefined };
    this.updatedAt = this.clock.now();
  }

  /**
   * Follows the limits a provider states (its rate-limit headers) for each rate this bucket was not
   * given: a bucket at that rate, as full as the provider says is left. A rate given to the
   * constructor (`--rpm`, `--tpm`) always wins. A changed limit replaces the bucket, keeping its level.
   */
  follow(limits: { readonly requestsPerMinute?: number; readonly tokensPerMinute?: number; readonly remainingRequests?: number; readonly remainingTokens?: number }): void {
    this.refill();
    const replace = (current: Bucket | undefined, perMinute: number, remaining: number | undefined): Bucket => {
      const fresh = createBucket(perMinute, this.burstSeconds) as Bucket;
      fresh.level = Math.min(fresh.capacity, current?.level ?? remaining ?? fresh.capacity);
      return fresh;
    };
    const { requestsPerMinute, tokensPerMinute } = limits;
    if (!this.given.requests && requestsPerMinute !== undefined && requestsPerMinute > 0 && requestsPerMinute !== this.stated.requestsPerMinute) {
      this.requests = replace(this.requests, requestsPerMinute, limits.remainingRequests);
      this.stated = { ...this.stated, requestsPerMinute };
    }
    if (!this.given.tokens && tokensPerMinute !== undefined && tokensPerMinute > 0 && tokensPerMinute !== this.stated.tokensPerMinute) {
      this.tokens = replace(this.tokens, tokensPerMinute, limits.remainingTokens);
      this.stated = { ...this.stated, tokensPerMinute };
    }
  }

  /** The limits taken from the provider's headers by {@link follow} (empty when none were, or all were given). */
  statedLimits(): { readonly requestsPerMinute?: number; readonly tokensPerMinute?: number } {
    return this.stated;
  }

  /**
   * Waits until one request and `tokens` tokens are free and no pause holds, then takes them.
   * A request estimated above the token bucket's capacity waits for a full bucket and leaves it in
   * debt. Rejects with `signal.reason` when `signal` aborts, taking nothing.
   */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitAndTake(Math.max(0, tokens), signal));
    this.queue = turn.catch(() => undefined);
    return signal ? untilAborted(turn, signal) : turn;
  }

  /** Corrects the token bucket once a request's actual token count is known. */
  settle(estimate: number, actual: number): void {
    if (this.tokens === undefined) return;
    this.refill();
    this.tokens.level = Math.min(this.tokens.capacity, this.tokens.level + estimate - actual);
  }

  /** Holds every request until `ms` from now (a later pause never shortens an earlier one). */
  pause(ms: number): void {
    this.pausedUntilTime = Math.max(this.pausedUntilTime, this.clock.now() + Math.max(0, ms));
  }

  /** Milliseconds until a pause ends; 0 when none holds. */
  pausedFor(): number {
    return Math.max(0, this.pausedUntilTime - this.clock.now());
  }

  /** The units free now, for progress displays and tests. */
  available(): { requests: number; tokens: number } {
    this.refill();
    return { requests: this.requests?.level ?? Number.POSITIVE_INFINITY, tokens: this.tokens?.level ?? Number.POSITIVE_INFINITY };
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    for (const bucket of [this.requests, this.tokens]) {
      if (bucket) bucket.level = Math.min(bucket.capacity, bucket.level + elapsed * bucket.rate);
    }
  }

  private async waitAndTake(tokens: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      // Read each turn: `follow` may have replaced the bucket (a smaller capacity) while this waited.
      const need = this.tokens ? Math.min(tokens, this.tokens.capacity) : 0;
      const wait = Math.max(this.pausedFor(), waitFor(this.requests, 1), waitFor(this.tokens, need));
      if (wait <= 0) break;
      await this.clock.sleep(wait, signal);
    }
    if (this.requests) this.requests.level -= 1;
    if (this.tokens) this.tokens.level -= tokens;
  }
}
