import type { Clock } from '../../../src/runs/resilience/clock.js';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly resolve: () => void;
}

/** Lets every queued promise callback run (microtasks drain before a macrotask). */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fake time for the resilience layer: `sleep` registers a timer that fires only when the test
 * moves time with {@link advance} or {@link runUntilSettled}. Records every sleep asked for.
 */
export class FakeClock implements Clock {
  private time = 0;
  private counter = 0;
  private timers: Timer[] = [];
  /** Durations passed to `sleep`, in call order. */
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        order: (this.counter += 1),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((candidate) => candidate !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Timers waiting to fire. */
  pending(): number {
    return this.timers.length;
  }

  private nextTimer(limit: number): Timer | undefined {
    const due = this.timers.filter((timer) => timer.at <= limit).sort((a, b) => a.at - b.at || a.order - b.order);
    return due[0];
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((candidate) => candidate !== timer);
    this.time = Math.max(this.time, timer.at);
    timer.resolve();
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flushPromises();
      const timer = this.nextTimer(target);
      if (timer === undefined) break;
      this.fire(timer);
    }
    this.time = target;
    await flushPromises();
  }

  /** Fires timers one by one until `promise` settles; fails if it is still pending with no timer left. */
  async runUntilSettled<T>(promise: Promise<T>, maxTimers = 10_000): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    for (let fired = 0; fired < maxTimers; fired += 1) {
      await flushPromises();
      if (settled) return watched;
      const timer = this.nextTimer(Number.POSITIVE_INFINITY);
      if (timer === undefined) throw new Error('FakeClock: the promise is still pending and no timer is left to fire');
      this.fire(timer);
    }
    throw new Error(`FakeClock: the promise did not settle within ${maxTimers} timers`);
  }
}
