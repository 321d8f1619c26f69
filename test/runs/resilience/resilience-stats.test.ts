import { describe, expect, it } from 'vitest';
import { createResilienceStats, formatResilienceStats } from '../../../src/runs/resilience/resilience-stats.js';

describe('formatResilienceStats: the retry part of the progress line', () => {
  it('says nothing without retries (failed items are counted by the line itself), else the causes and requests that gave up', () => {
    const stats = { ...createResilienceStats(), requests: 4, failed: 4 };
    expect(formatResilienceStats(stats)).toBe('');
    expect(formatResilienceStats({ ...stats, retries: 3, rateLimited: 2, timeouts: 1, failed: 1 })).toBe('3 retries after 3 failed attempts (2 rate-limited, 1 timed out), 1 request gave up');
    // A request that gave up after its last attempt: its failure is counted, not retried; the breakdown adds up to what it names.
    expect(formatResilienceStats({ ...stats, retries: 2, serverErrors: 3, failed: 1 })).toBe('2 retries after 3 failed attempts (3 server errors), 1 request gave up');
  });
});
