import { describe, expect, it } from 'vitest';
import { limitShares, RateAttribution } from '../../src/pipeline/rate-attribution.js';
import { createRequestLimit, type ProviderOutcome, type RequestLimit } from '../../src/pipeline/request-limit.js';

/** A request held open until the test ends it: sent to the "provider" as soon as it has a slot. */
interface Held {
  finish(outcome: ProviderOutcome): Promise<void>;
}

/** Schedules `count` requests on `limit`; each reports itself sent once it holds a slot, and waits to be finished. */
function scheduleRequests(limit: RequestLimit, count: number): { started: Held[]; done: Promise<unknown> } {
  const started: Held[] = [];
  const done = Promise.allSettled(Array.from({ length: count }, () => limit.schedule(() => new Promise<void>((resolve) => {
    const end = limit.sent();
    started.push({ finish: async (outcome) => { end(outcome); resolve(); await new Promise((tick) => setImmediate(tick)); } });
  }))));
  return { started, done };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the request limit', () => {
  it('fixed: exactly N requests in flight while more wait, and it never changes', async () => {
    const limit = createRequestLimit({ concurrency: 3 });
    const { started, done } = scheduleRequests(limit, 10);
    await tick();
    expect(started).toHaveLength(3);
    for (let index = 0; index < 10; index += 1) {
      await started[index]?.finish(index === 0 ? 'rate-limited' : 'answered');
      expect(started.length - (index + 1)).toBeLessThanOrEqual(3);
    }
    await done;
    expect(limit.report()).toMatchObject({ mode: 'fixed', initial: 3, final: 3, peak: 3, sent: 10, pushBacks: 1, decreases: 0 });
  });

  it('auto: grows by one slot per answer while every slot is busy and requests wait, up to its ceiling', async () => {
    const limit = createRequestLimit({ concurrency: 'auto', maxConcurrency: 12 });
    const { started, done } = scheduleRequests(limit, 60);
    await tick();
    expect(started).toHaveLength(4);
    // Slow start: each answer of a full window adds a slot, so the window doubles.
    for (let index = 0; index < 4; index += 1) await started[index]?.finish('answered');
    expect(limit.current).toBe(8);
    let finished = 4;
    while (finished < started.length) await started[finished++]?.finish('answered');
    await done;
    expect(limit.report()).toMatchObject({ mode: 'adaptive', initial: 4, final: 12, peak: 12, max: 12, sent: 60, decreases: 0 });
  });

  it('auto: does not grow when slots are free (the input, not the limit, holds the rate)', async () => {
    const limit = createRequestLimit({ concurrency: 'auto' });
    for (let round = 0; round < 20; round += 1) {
      // Two requests at a time against a limit of four: never saturated.
      const { started, done } = scheduleRequests(limit, 2);
      await tick();
      for (const held of started) await held.finish('answered');
      await done;
    }
    expect(limit.current).toBe(4);
  });

  it('auto: does not grow for slots held back by the provider\'s limits (the bucket, a backoff)', async () => {
    let heldBack = 2;
    const limit = createRequestLimit({ concurrency: 'auto', heldBack: () => ({ limits: heldBack, backoff: 0 }) });
    const { started, done } = scheduleRequests(limit, 40);
    await tick();
    for (let index = 0; index < 20; index += 1) await started[index]?.finish('answered');
    expect(limit.current).toBe(4);
    heldBack = 0;
    for (let index = 20; index < 24; index += 1) await started[index]?.finish('answered');
    expect(limit.current).toBe(8);
    for (let index = 24; index < started.length; index += 1) await started[index]?.finish('answered');
    await done;
  });

  /** Requests on `limit` that each come back `latencyOf(index)` ms after they were sent, on a clock of the test's own. */
  async function answerAfter(latencyOf: (index: number) => number, count: number): Promise<RequestLimit> {
    const clock = { now: 0 };
    const limit = createRequestLimit({ concurrency: 'auto', now: () => clock.now });
    const sentAt: number[] = [];
    const started: Held[] = [];
    const done = Promise.allSettled(Array.from({ length: count }, () => limit.schedule(() => new Promise<void>((resolve) => {
      sentAt.push(clock.now);
      const end = limit.sent();
      started.push({ finish: async (outcome) => { end(outcome); resolve(); await tick(); } });
    }))));
    await tick();
    for (let index = 0; index < count; index += 1) {
      clock.now = (sentAt[index] ?? clock.now) + latencyOf(index);
      await started[index]?.finish('answered');
    }
    await done;
    return limit;
  }

  it('auto: stops growing while the median answer takes over twice its lowest (a server that queues)', async () => {
    // 100 ms while the limit is low, then 500 ms once the server's queue has built up.
    const queued = await answerAfter((index) => (index < 20 ? 100 : 500), 200);
    expect(queued.report().latencyHolds).toBeGreaterThan(100);
    expect(queued.report().peak).toBeLessThan(40);
  });

  it('auto: keeps growing when latency only spreads (0.5 s to 4 s, as LLMs answer), with no queue building', async () => {
    const spread = [500, 4_000, 1_200, 2_500, 800, 3_500, 1_800, 3_000];
    const limit = await answerAfter((index) => spread[index % spread.length] as number, 200);
    expect(limit.report().latencyHolds).toBe(0);
    expect(limit.report().peak).toBeGreaterThan(60);
  });

  it('auto: a 503, a 529 or a timeout (overloaded) cuts the limit as a 429 does', async () => {
    const limit = createRequestLimit({ concurrency: 'auto' });
    const { started, done } = scheduleRequests(limit, 40);
    await tick();
    let finished = 0;
    while (limit.current < 10) await started[finished++]?.finish('answered');
    await started[finished++]?.finish('overloaded');
    expect(limit.current).toBe(7);
    await started[finished++]?.finish('failed');
    expect(limit.current).toBe(7);
    expect(limit.report()).toMatchObject({ overloads: 1, pushBacks: 0, decreases: 1 });
    while (finished < started.length) await started[finished++]?.finish('answered');
    await done;
  });

  it('auto: a window of 429s cuts the limit by 30% once, then growth is one slot per window', async () => {
    const limit = createRequestLimit({ concurrency: 'auto' });
    const { started, done } = scheduleRequests(limit, 200);
    await tick();
    let finished = 0;
    while (limit.current < 16) await started[finished++]?.finish('answered');
    // Everything in flight comes back 429 together: one cut, not one per answer.
    const inFlight = started.length - finished;
    for (let index = 0; index < inFlight; index += 1) await started[finished++]?.finish('rate-limited');
    expect(limit.current).toBe(11);
    expect(limit.report()).toMatchObject({ pushBacks: inFlight, decreases: 1 });
    // Congestion avoidance: about one slot per eleven answers at eleven, not one per answer.
    for (let index = 0; index < 22; index += 1) await started[finished++]?.finish('answered');
    expect(limit.current).toBeGreaterThanOrEqual(12);
    expect(limit.current).toBeLessThanOrEqual(13);
    while (finished < started.length) await started[finished++]?.finish('answered');
    await done;
  });

  it('auto: the ceiling caps the start as well, and the floor is one request', async () => {
    const limit = createRequestLimit({ concurrency: 'auto', maxConcurrency: 2 });
    expect(limit.current).toBe(2);
    const { started, done } = scheduleRequests(limit, 30);
    await tick();
    let finished = 0;
    for (let round = 0; round < 5; round += 1) {
      const inFlight = started.length - finished;
      for (let index = 0; index < inFlight; index += 1) await started[finished++]?.finish('rate-limited');
    }
    expect(limit.current).toBe(1);
    while (finished < started.length) await started[finished++]?.finish('answered');
    await done;
  });

  it('rejects a concurrency that is not a whole number from 1', () => {
    expect(() => createRequestLimit({ concurrency: 0 })).toThrow(/`concurrency` to be a whole number from 1 and up \(or `auto`\)/);
    expect(() => createRequestLimit({ concurrency: 'auto', maxConcurrency: 2.5 })).toThrow(/`maxConcurrency` to be a whole number from 1 and up, got `2.5`/);
  });
});

describe('what held the rate', () => {
  it('gives the provider every moment a request waits for its rate limits, and its share of slots in backoff', () => {
    const held = (limits: number, backoff: number) => ({ limits, backoff });
    expect(limitShares({ limit: 8, inFlight: 8, waiting: 3, heldBack: held(1, 0) })).toEqual({ provider: 1, concurrency: 0, input: 0 });
    // One request in a long backoff while thirty are at the provider is a thirtieth of the moment.
    expect(limitShares({ limit: 30, inFlight: 30, waiting: 5, heldBack: held(0, 1) })).toEqual({ provider: 1 / 30, concurrency: 29 / 30, input: 0 });
    expect(limitShares({ limit: 4, inFlight: 4, waiting: 0, heldBack: held(0, 0) })).toEqual({ provider: 0, concurrency: 1, input: 0 });
    expect(limitShares({ limit: 4, inFlight: 2, waiting: 0, heldBack: held(0, 1) })).toEqual({ provider: 0.25, concurrency: 0, input: 0.75 });
    expect(limitShares({ limit: 4, inFlight: 0, waiting: 0, heldBack: held(0, 0) })).toBeUndefined();
  });

  it('leaves out idle stretches longer than 10 s (a batch waited for), not short ones', () => {
    let now = 0;
    const attribution = new RateAttribution(() => now);
    attribution.observe({ limit: 2, inFlight: 2, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    now = 1_000;
    attribution.observe({ limit: 2, inFlight: 0, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    now = 61_000;
    attribution.observe({ limit: 2, inFlight: 1, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    now = 62_000;
    attribution.observe({ limit: 2, inFlight: 0, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    expect(attribution.limitedMs()).toEqual({ concurrency: 1_000, provider: 0, input: 1_000 });
    expect(attribution.elapsedMs()).toBe(2_000);
  });

  it('adds up each interval under the state it was in, idle stretches as input, from the first request to the last observation', () => {
    let now = 1_000;
    const attribution = new RateAttribution(() => now);
    attribution.observe({ limit: 2, inFlight: 0, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    now = 2_000;
    attribution.observe({ limit: 2, inFlight: 2, waiting: 5, heldBack: { limits: 0, backoff: 0 } });
    now = 2_300;
    attribution.observe({ limit: 2, inFlight: 2, waiting: 5, heldBack: { limits: 2, backoff: 0 } });
    now = 3_000;
    attribution.observe({ limit: 2, inFlight: 0, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    now = 3_100;
    attribution.observe({ limit: 2, inFlight: 1, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    now = 3_200;
    attribution.observe({ limit: 2, inFlight: 0, waiting: 0, heldBack: { limits: 0, backoff: 0 } });
    expect(attribution.limitedMs()).toEqual({ concurrency: 300, provider: 700, input: 200 });
    expect(attribution.elapsedMs()).toBe(1_200);
  });
});
