import { describe, expect, it } from 'vitest';
import { FakeClock, flushPromises } from './fake-clock.js';
import { TokenBucket } from '../../../src/runs/resilience/token-bucket.js';

/** Starts `count` acquires of `tokens` each and records the fake time each one was granted. */
function grantTimes(bucket: TokenBucket, clock: FakeClock, count: number, tokens = 0): number[] {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) void bucket.acquire(tokens).then(() => times.push(clock.now()));
  return times;
}

describe('TokenBucket', () => {
  it('rpm 60 with a whole-minute burst grants 60 at once, then one a second', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerMinute: 60, burstSeconds: 60, clock });
    const times = grantTimes(bucket, clock, 63);
    await clock.advance(0);
    expect(times).toHaveLength(60);
    expect(times.every((time) => time === 0)).toBe(true);
    await clock.advance(999);
    expect(times).toHaveLength(60);
    await clock.advance(1);
    expect(times).toHaveLength(61);
    await clock.advance(2_000);
    expect(times.slice(60)).toEqual([1_000, 2_000, 3_000]);
  });

  it('by default bursts 10 seconds of the allowance, then refills continuously', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerMinute: 60, clock });
    const times = grantTimes(bucket, clock, 12);
    await clock.advance(5_000);
    expect(times).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1_000, 2_000]);
  });

  it('tpm: waits until the estimated tokens have refilled', async () => {
    const clock = new FakeClock();
    // 6,000 a minute with a whole-minute burst: 6,000 tokens at once, then 100 a second.
    const bucket = new TokenBucket({ tokensPerMinute: 6_000, burstSeconds: 60, clock });
    const times = grantTimes(bucket, clock, 2, 4_000);
    await clock.advance(19_999);
    expect(times).toEqual([0]);
    // The second needs 4,000 with 2,000 left: 2,000 more at 100/s.
    await clock.advance(1);
    expect(times).toEqual([0, 20_000]);
  });

  it('waits for both buckets: the stricter one decides', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerMinute: 600, tokensPerMinute: 60_000, burstSeconds: 1, clock });
    // Request bucket: 10 at once then 10/s; token bucket: 1,000 at once then 1,000/s.
    const times = grantTimes(bucket, clock, 3, 500);
    await clock.advance(2_000);
    expect(times).toEqual([0, 0, 500]);
  });

  it('settle charges a request that used more than estimated, delaying the next one', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ tokensPerMinute: 6_000, burstSeconds: 10, clock });
    // Capacity 1,000 tokens, 100 a second.
    await bucket.acquire(1_000);
    bucket.settle(1_000, 3_000);
    expect(bucket.available().tokens).toBeCloseTo(-2_000, 6);
    const times = grantTimes(bucket, clock, 1, 1_000);
    await clock.advance(29_999);
    expect(times).toEqual([]);
    await clock.advance(1);
    expect(times).toEqual([30_000]);
  });

  it('settle refunds a request that used less, never above capacity', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ tokensPerMinute: 6_000, burstSeconds: 10, clock });
    await bucket.acquire(800);
    bucket.settle(800, 300);
    expect(bucket.available().tokens).toBeCloseTo(700, 6);
    bucket.settle(5_000, 0);
    expect(bucket.available().tokens).toBe(1_000);
  });

  it('a request estimated above capacity waits for a full bucket and leaves it in debt', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ tokensPerMinute: 6_000, burstSeconds: 10, clock });
    const times = grantTimes(bucket, clock, 2, 5_000);
    await clock.advance(0);
    expect(times).toEqual([0]);
    expect(bucket.available().tokens).toBeCloseTo(-4_000, 6);
    // From -4,000 to the full 1,000 it needs again: 50 s at 100/s.
    await clock.advance(50_000);
    expect(times).toEqual([0, 50_000]);
  });

  it('pause holds new and waiting requests, even with no rate limits', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ clock });
    bucket.pause(2_000);
    const times = grantTimes(bucket, clock, 2);
    await clock.advance(1_000);
    bucket.pause(500); // shorter than what is left: changes nothing
    expect(bucket.pausedFor()).toBe(1_000);
    await clock.advance(999);
    expect(times).toEqual([]);
    await clock.advance(1);
    expect(times).toEqual([2_000, 2_000]);
  });

  it('a pause made while a request waits for tokens holds it longer', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerMinute: 60, burstSeconds: 1, clock });
    await bucket.acquire(0);
    const times = grantTimes(bucket, clock, 1);
    await clock.advance(500);
    bucket.pause(3_000);
    await clock.advance(3_000);
    expect(times).toEqual([3_500]);
  });

  it('grants in arrival order', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ tokensPerMinute: 60_000, burstSeconds: 1, clock });
    const order: string[] = [];
    await bucket.acquire(1_000);
    void bucket.acquire(900).then(() => order.push('large'));
    void bucket.acquire(10).then(() => order.push('small'));
    await clock.advance(2_000);
    expect(order).toEqual(['large', 'small']);
  });

  it('an aborted wait rejects with the reason and takes nothing', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ requestsPerMinute: 60, burstSeconds: 1, clock });
    await bucket.acquire(0);
    const controller = new AbortController();
    const waiting = bucket.acquire(0, controller.signal);
    const later = grantTimes(bucket, clock, 1);
    await flushPromises();
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await clock.advance(1_000);
    // The aborted request took no token: the next one gets the first refilled request.
    expect(later).toEqual([1_000]);
  });

  it('rejects limits that are not positive numbers, naming the option', () => {
    expect(() => new TokenBucket({ requestsPerMinute: 0 })).toThrow('Expected `requestsPerMinute` to be a number above 0, got `0` (number).');
    expect(() => new TokenBucket({ tokensPerMinute: Number.NaN })).toThrow('`tokensPerMinute`');
  });
});

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
