import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, EmolabelError, errorFromData, errorToData, TimeoutError } from '../src/errors.js';

/** Sends `value` through a real MessagePort, as worker threads do, and resolves to what arrives. */
function acrossThreads<T>(value: T): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  return new Promise((resolve) => {
    port2.once('message', (message: T) => {
      port1.close();
      resolve(message);
    });
    port1.postMessage(value);
  });
}

describe('errors carry data', () => {
  it('typed errors are recognised by isInstance, and a timeout is a field, not words', () => {
    const timeout = new TimeoutError('openai:gpt-4o-mini', 300);
    expect(TimeoutError.isInstance(timeout)).toBe(true);
    expect(EmolabelError.isInstance(timeout)).toBe(true);
    expect(timeout).toMatchObject({ code: 'provider_error', isRetryable: true, timeoutMs: 300 });
    expect(TimeoutError.isInstance(new EmolabelError('provider_error', 'it timed out'))).toBe(false);
    const budget = new BudgetExceededError({ spentUsd: 1, reservedUsd: 0.5, maxCostUsd: 2, nextUsd: 0.75 });
    expect(BudgetExceededError.isInstance(budget)).toBe(true);
    expect(TimeoutError.isInstance(budget)).toBe(false);
  });

  it('an error from a worker thread keeps its class and every field', async () => {
    const sent = [
      new TimeoutError('local:face-api', 1500),
      new BudgetExceededError({ spentUsd: 1, reservedUsd: 0.5, maxCostUsd: 2, nextUsd: 0.75 }),
      new EmolabelError('media_error', 'clip.mp4: ffmpeg could not decode it', { path: '/data/clip.mp4', httpStatus: 500 }),
    ];
    const received = await Promise.all(sent.map(async (error) => errorFromData(await acrossThreads(errorToData(error)))));
    expect(TimeoutError.isInstance(received[0])).toBe(true);
    expect(received[0]).toMatchObject({ name: 'TimeoutError', message: sent[0]!.message, timeoutMs: 1500, isRetryable: true });
    expect(received[1]).toBeInstanceOf(BudgetExceededError);
    expect(received[1]).toMatchObject({ spentUsd: 1, reservedUsd: 0.5, maxCostUsd: 2, nextUsd: 0.75, code: 'budget_exceeded' });
    expect(received[2]).toMatchObject({ code: 'media_error', path: '/data/clip.mp4', httpStatus: 500 });
    const plain = errorFromData(await acrossThreads(errorToData(new RangeError('out of range'))));
    expect(plain).toMatchObject({ name: 'RangeError', message: 'out of range' });
    expect(EmolabelError.isInstance(plain)).toBe(false);
  });
});
