import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { TokenBucket } from '../../../src/runs/resilience/token-bucket.js';

function grantTimes(bucket: TokenBucket, clock: FakeClock, count: number, tokens = 0): number[] {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) void bucket.acquire(tokens).then(() => times.push(clock.now()));
  return times;
}

describe('TokenBucket.follow: the limits a provider states', () => {
  it('adds a rate it was not given, starting as full as the provider says is left', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ clock });
    // 60 a minute with 3 left: 3 at once (not the 10 s burst of 10), then one a second.
    bucket.follow({ requestsPerMinute: 60, remainingRequests: 3 });
    const times = grantTimes(bucket, clock, 5);
    await clock.advance(2_000);
    expect(times).toEqual([0, 0, 0, 1_000, 2_000]);
    expect(bucket.statedLimits()).toEqual({ requestsPerMinute: 60 });
  });

  it('never replaces a rate it was given (--rpm wins over the headers)', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerMinute: 60, burstSeconds: 1, clock });
    bucket.follow({ requestsPerMinute: 6_000, tokensPerMinute: 60_000 });
    const times = grantTimes(bucket, clock, 3);
    await clock.advance(2_000);
    expect(times).toEqual([0, 1_000, 2_000]);
    expect(bucket.statedLimits()).toEqual({ tokensPerMinute: 60_000 });
  });

  it('a lower stated token limit while a request waits does not leave it waiting for ever', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ clock, burstSeconds: 1 });
    bucket.follow({ tokensPerMinute: 600_000, remainingTokens: 0 });
    // Asks 8,000 tokens of an empty bucket of 10,000 (1 s of 600,000 a minute).
    const times = grantTimes(bucket, clock, 1, 8_000);
    await clock.advance(100);
    // Now the provider says 60,000 a minute: the bucket holds 1,000 at most; the request takes a full one.
    bucket.follow({ tokensPerMinute: 60_000 });
    await clock.advance(2_000);
    expect(times).toHaveLength(1);
  });
});
