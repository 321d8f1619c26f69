import { EmolabelError } from '../../errors.js';

/** How often and how patiently a failed request is tried again. */
export interface RetryOptions {
  /** Tries per request, the first included; `--retries N` is `maxAttempts: N + 1`. @default 5 */
  readonly maxAttempts?: number;
  /** Ceiling of the first backoff delay, in ms. @default 1000 */
  readonly baseDelayMs?: number;
  /** Each further retry multiplies the ceiling by this. @default 2 */
  readonly factor?: number;
  /** The ceiling never grows past this, in ms. @default 30000 */
  readonly maxDelayMs?: number;
  /**
   * A provider asking to wait longer than this (a daily quota's `Retry-After`) is not waited for:
   * the request fails at once with the wait named. @default 300000 (5 minutes)
   */
  readonly maxRetryAfterMs?: number;
  /** A number in [0, 1); injected for tests. @default Math.random */
  readonly random?: () => number;
}

export const DEFAULT_RETRY = { maxAttempts: 5, baseDelayMs: 1_000, factor: 2, maxDelayMs: 30_000, maxRetryAfterMs: 300_000 } as const;

/** {@link RetryOptions} checked, with defaults filled in. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  /**
   * Milliseconds to wait after failed attempt `attempt` (1 for the first): full jitter, a uniform
   * draw from 0 to `min(maxDelayMs, baseDelayMs * factor^(attempt-1))`, raised to `retryAfterMs`
   * when the provider asked for longer.
   */
  delayAfter(attempt: number, retryAfterMs?: number): number;
}

function describeValue(value: unknown): string {
  return `\`${String(value)}\` (${typeof value})`;
}

function checkNumber(name: string, value: number, minimum: number, whole = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum || (whole && !Number.isInteger(value))) {
    const kind = whole ? 'a whole number' : 'a number';
    throw new EmolabelError('invalid_option', `Expected \`${name}\` to be ${kind} from ${minimum} and up, got ${describeValue(value)}.`);
  }
}

/**
 * Exponential backoff with full jitter (AWS's "Exponential Backoff And Jitter"): spreading retries
 * uniformly keeps workers that failed together from retrying together. `Retry-After` is a floor.
 * @example
 * const policy = createRetryPolicy({ maxAttempts: 3 });
 * policy.delayAfter(2); // somewhere in [0, 2000) ms
 * policy.delayAfter(1, 5_000); // 5000 ms: the provider's Retry-After wins
 */
export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const factor = options.factor ?? DEFAULT_RETRY.factor;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
  const random = options.random ?? Math.random;
  checkNumber('maxAttempts', maxAttempts, 1, true);
  checkNumber('baseDelayMs', baseDelayMs, 0);
  checkNumber('factor', factor, 1);
  checkNumber('maxDelayMs', maxDelayMs, 0);
  checkNumber('maxRetryAfterMs', maxRetryAfterMs, 0);
  return {
    maxAttempts,
    maxRetryAfterMs,
    delayAfter(attempt: number, retryAfterMs?: number): number {
      const ceiling = Math.min(maxDelayMs, baseDelayMs * factor ** Math.max(0, attempt - 1));
      const jittered = Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
      return Math.max(jittered, Math.ceil(retryAfterMs ?? 0));
    },
  };
}
