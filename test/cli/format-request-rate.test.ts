import { describe, expect, it } from 'vitest';
import { formatRequestRate } from '../../src/cli/format-request-rate.js';
import type { RequestLimitReport } from '../../src/pipeline/request-limit.js';
import { createResilienceStats } from '../../src/runs/resilience/resilience-stats.js';

const base: RequestLimitReport = {
  mode: 'adaptive', initial: 4, final: 14, peak: 19, max: 64, sent: 480, answered: 400, pushBacks: 41, overloads: 0, decreases: 3, latencyHolds: 0,
  elapsedMs: 10_000, limitedMs: { concurrency: 6_100, provider: 3_000, input: 900 },
};

describe('the run summary line on throughput', () => {
  it('counts answers, not attempts, and names what held the rate, largest first, with what to do', () => {
    expect(formatRequestRate(base)).toBe(
      'requests: 40.0 answered/s; concurrency auto 4 → 14 (peak 19), max 64, cut 3× after 41 rate-limited answers; ' +
      'held by the concurrency limit 61%, the provider (rate limits, backoff) 30%, the input (decoding, face detection) 9%: it backed off where the provider pushed back',
    );
  });

  it('advises by what held the rate and how the limit was set', () => {
    expect(formatRequestRate({ ...base, mode: 'fixed', final: 2, peak: 2, max: 2, decreases: 0, pushBacks: 0 })).toMatch(/concurrency 2; held by the concurrency limit 61%.*: raise --concurrency, or use --concurrency auto$/);
    expect(formatRequestRate({ ...base, final: 64, peak: 64, decreases: 0, pushBacks: 0 })).toMatch(/: raise --max-concurrency$/);
    expect(formatRequestRate({ ...base, limitedMs: { concurrency: 0, provider: 1_000, input: 9_000 } })).toMatch(/held by the input \(decoding, face detection\) 90%.*: more --workers/);
    const stated = { ...createResilienceStats(), providerLimits: { requestsPerMinute: 5_000, tokensPerMinute: 2_000_000 } };
    expect(formatRequestRate({ ...base, pushBacks: 0, decreases: 0, limitedMs: { concurrency: 0, provider: 9_000, input: 1_000 } }, stated))
      .toMatch(/: at the limits the provider states; followed the provider's stated limits: 5,000 requests\/min, 2,000,000 tokens\/min$/);
    expect(formatRequestRate({ ...base, pushBacks: 0, decreases: 1, overloads: 2, limitedMs: { concurrency: 0, provider: 9_000, input: 1_000 } }))
      .toMatch(/cut 1× after 2 overloaded or timed out answers; .*: waiting out failures/);
  });

  it('names a provider that queues, when answers slowing held the limit', () => {
    expect(formatRequestRate({ ...base, pushBacks: 0, decreases: 0, latencyHolds: 12, limitedMs: { concurrency: 0, provider: 9_000, input: 1_000 } }))
      .toMatch(/held by the provider .* 90%.*: the provider queues what it cannot run at once .*set --concurrency to what it runs at once$/);
  });

  it('still reports a run whose every request failed, and says nothing when none was sent', () => {
    expect(formatRequestRate({ ...base, answered: 0, overloads: 12, pushBacks: 0, limitedMs: { concurrency: 0, provider: 10_000, input: 0 } })).toMatch(/^requests: 0\.0 answered\/s; .*cut 3× after 12 overloaded or timed out answers; held by the provider/);
    expect(formatRequestRate({ ...base, sent: 0, answered: 0 })).toBe('');
  });
});
