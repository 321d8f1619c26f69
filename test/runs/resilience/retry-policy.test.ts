import { describe, expect, it } from 'vitest';
import { createRetryPolicy, DEFAULT_RETRY } from '../../../src/runs/resilience/retry-policy.js';
import { seededRandom } from '../../support/seeded-random.js';

describe('createRetryPolicy', () => {
  it('has documented defaults', () => {
    const policy = createRetryPolicy();
    expect(policy.maxAttempts).toBe(5);
    expect(policy.maxRetryAfterMs).toBe(300_000);
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 5, baseDelayMs: 1_000, factor: 2, maxDelayMs: 30_000, maxRetryAfterMs: 300_000 });
  });

  it('full jitter: a draw of 0 waits nothing, a draw near 1 waits just under the doubling ceiling', () => {
    const low = createRetryPolicy({ random: () => 0 });
    const high = createRetryPolicy({ random: () => 0.999_999 });
    expect([1, 2, 3, 4].map((attempt) => low.delayAfter(attempt))).toEqual([0, 0, 0, 0]);
    expect([1, 2, 3, 4, 5, 6].map((attempt) => high.delayAfter(attempt))).toEqual([999, 1_999, 3_999, 7_999, 15_999, 29_999]);
    // Past the cap the ceiling stays at maxDelayMs.
    expect(high.delayAfter(20)).toBe(29_999);
  });

  it('every delay lies in [0, min(max, base * factor^(attempt-1))) and the draws spread out', () => {
    const policy = createRetryPolicy({ baseDelayMs: 100, factor: 3, maxDelayMs: 5_000, random: seededRandom(7) });
    for (let attempt = 1; attempt <= 8; attempt += 1) {
      const ceiling = Math.min(5_000, 100 * 3 ** (attempt - 1));
      const delays = Array.from({ length: 200 }, () => policy.delayAfter(attempt));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThan(ceiling);
      // Jitter, not a constant: the draws cover most of the range.
      expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(ceiling * 0.8);
    }
  });

  it('Retry-After is a floor: never waits less than the provider asked', () => {
    const policy = createRetryPolicy({ random: seededRandom(3) });
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      expect(policy.delayAfter(attempt, 5_000)).toBeGreaterThanOrEqual(5_000);
      expect(policy.delayAfter(attempt, 50)).toBeGreaterThanOrEqual(50);
    }
    // A jitter above the floor is kept.
    expect(createRetryPolicy({ random: () => 0.99 }).delayAfter(3, 100)).toBe(3_960);
    expect(createRetryPolicy({ random: () => 0 }).delayAfter(3, 100)).toBe(100);
  });

  it('rejects bad settings, naming the setting and the value', () => {
    expect(() => createRetryPolicy({ maxAttempts: 0 })).toThrow('Expected `maxAttempts` to be a whole number from 1 and up, got `0` (number).');
    expect(() => createRetryPolicy({ maxAttempts: 2.5 })).toThrow('`maxAttempts`');
    expect(() => createRetryPolicy({ factor: 0.5 })).toThrow('Expected `factor` to be a number from 1 and up');
    expect(() => createRetryPolicy({ baseDelayMs: -1 })).toThrow('`baseDelayMs`');
  });
});
