import { describe, expect, it, vi } from 'vitest';
import { FakeClock, flushPromises } from './fake-clock.js';
import type { Annotation, AnnotationRequest, Annotator } from '../../../src/annotators/annotator.js';
import { httpFailureError } from '../../../src/annotators/llm/provider-error.js';
import { EmolabelError } from '../../../src/errors.js';
import { FatalRunError } from '../../../src/runs/resilience/fatal-run-error.js';
import { createResilientAnnotator, type ResilientAnnotatorOptions, type RetryEvent } from '../../../src/runs/resilience/resilient-annotator.js';
import { basic7 } from '../../../src/taxonomy/taxonomy.js';
import { MockAnnotator } from '../../support/mock-annotator.js';

const image = { data: Buffer.alloc(3 * 4 * 4, 128), width: 4, height: 4 };
const request: AnnotationRequest = { images: [image], taxonomy: basic7 };
const ok: Annotation = { status: 'ok', label: 'happy', confidence: 0.9, usage: { inputTokens: 900, outputTokens: 100 } };

const http = (status: number, message = 'provider message', retryAfterMs?: number) =>
  httpFailureError({ modelId: 'mock:scripted', status, message, retryAfterMs });
const fail = (error: unknown) => (): Annotation => {
  throw error;
};

/** The wrapper on a fake clock, with jitter drawn at its ceiling unless a test says otherwise. */
function wrap(inner: Annotator, options: ResilientAnnotatorOptions = {}) {
  const clock = new FakeClock();
  const annotator = createResilientAnnotator(inner, { clock, ...options, retry: { random: () => 0.5, ...options.retry } });
  return { clock, annotator };
}

describe('createResilientAnnotator', () => {
  it('passes a first-try answer through with attempts 1 and the inner identity', async () => {
    const inner = new MockAnnotator([ok], 'scripted', 4);
    const { annotator } = wrap(inner);
    expect(await annotator.annotate(request)).toEqual({ ...ok, attempts: 1 });
    expect(annotator).toMatchObject({ provider: 'mock', modelId: 'scripted', capabilities: { maxImagesPerRequest: 4 } });
    expect(annotator.stats).toMatchObject({ requests: 1, retries: 0, failed: 0 });
  });

  it('follows the limits an answer states, unless given, and passes the answer on without them', async () => {
    const stated: Annotation = { ...ok, rateLimits: { requestsPerMinute: 600, tokensPerMinute: 90_000, remainingRequests: 42 } };
    const inner = new MockAnnotator([stated, stated]);
    const { annotator } = wrap(inner);
    const answer = await annotator.annotate(request);
    expect(answer).toEqual({ ...ok, attempts: 1 });
    expect(annotator.stats.providerLimits).toEqual({ requestsPerMinute: 600, tokensPerMinute: 90_000 });
    // 42 left, less the 10 s burst cap of 100: the bucket starts where the provider says it is.
    expect(annotator.bucket.available().requests).toBe(42);
    const given = wrap(new MockAnnotator([stated]), { rpm: 60 });
    await given.annotator.annotate(request);
    expect(given.annotator.stats.providerLimits).toEqual({ tokensPerMinute: 90_000 });
  });

  it('retries 5xx with backoff and returns the answer with the attempts it took', async () => {
    const inner = new MockAnnotator([fail(http(500)), fail(http(503)), ok]);
    const events: RetryEvent[] = [];
    const { clock, annotator } = wrap(inner, { onRetry: (event) => events.push(event) });
    const annotation = await clock.runUntilSettled(annotator.annotate(request));
    expect(annotation).toMatchObject({ status: 'ok', label: 'happy', attempts: 3 });
    expect(inner.calls).toHaveLength(3);
    // Full jitter at a draw of 0.5: half of 1 s, then half of 2 s.
    expect(events.map((event) => [event.attempt, event.delayMs, event.failure.summary])).toEqual([[1, 500, 'HTTP 500'], [2, 1_000, 'HTTP 503']]);
    expect(annotator.stats).toMatchObject({ requests: 3, retries: 2, serverErrors: 2, backoffMs: 1_500 });
  });

  it('after the last attempt returns an error saying what happened and how often, never throws', async () => {
    const inner = new MockAnnotator([fail(http(500)), fail(http(429, 'slow down')), fail(http(500, 'still broken'))]);
    const { clock, annotator } = wrap(inner, { retry: { maxAttempts: 3 } });
    const annotation = await clock.runUntilSettled(annotator.annotate(request));
    expect(annotation.status).toBe('error');
    expect(annotation.attempts).toBe(3);
    expect(annotation.error).toMatch(/^Failed after 3 attempts \(2× HTTP 500, 1× HTTP 429\); last: mock:scripted answered HTTP 500: still broken/);
    expect(inner.calls).toHaveLength(3);
    expect(annotator.stats).toMatchObject({ requests: 3, retries: 2, rateLimited: 1, serverErrors: 2, failed: 1 });
  });

  it('waits at least the Retry-After, even when the jitter draws less', async () => {
    const calledAt: number[] = [];
    const { clock, annotator } = wrap(
      new MockAnnotator([fail(http(429, 'rate limit', 5_000)), () => ok].map((step) => () => {
        calledAt.push(clock.now());
        return step();
      })),
      { retry: { random: () => 0 } },
    );
    await clock.runUntilSettled(annotator.annotate(request));
    expect(calledAt).toEqual([0, 5_000]);
  });

  it("a 429's Retry-After holds every request, not just the one that got it", async () => {
    const calledAt: number[] = [];
    let calls = 0;
    const inner = new MockAnnotator([
      () => {
        calledAt.push(clock.now());
        calls += 1;
        if (calls === 1) throw http(429, 'rate limit', 2_000);
        return ok;
      },
    ]);
    const { clock, annotator } = wrap(inner, { retry: { random: () => 0 } });
    const first = annotator.annotate(request);
    await clock.advance(100);
    const second = annotator.annotate(request);
    await clock.advance(3_000);
    await Promise.all([first, second]);
    expect(calledAt[0]).toBe(0);
    expect(Math.min(...calledAt.slice(1))).toBeGreaterThanOrEqual(2_000);
  });

  it('abandons an attempt after timeoutMs, aborting its signal, and retries', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const inner: Annotator = {
      specificationVersion: 'v1', provider: 'mock', modelId: 'hang', capabilities: { maxImagesPerRequest: 1, layouts: ['frames'], billing: 'metered' }, settingsIdentity: {},
      annotate(given) {
        signals.push(given.signal as AbortSignal);
        calls += 1;
        // The first attempt hangs and ignores its signal; the wrapper must not wait for it.
        return calls === 1 ? new Promise<Annotation>(() => undefined) : Promise.resolve(ok);
      },
    };
    const { clock, annotator } = wrap(inner, { timeoutMs: 300 });
    const pending = annotator.annotate(request);
    await clock.advance(299);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(signals[0]?.aborted).toBe(true);
    const annotation = await clock.runUntilSettled(pending);
    expect(annotation).toMatchObject({ status: 'ok', attempts: 2 });
    expect(annotator.stats).toMatchObject({ timeouts: 1, retries: 1 });
  });

  it('an annotator that never answers ends in an error naming the timeout', async () => {
    const inner: Annotator = {
      specificationVersion: 'v1', provider: 'mock', modelId: 'hang', capabilities: { maxImagesPerRequest: 1, layouts: ['frames'], billing: 'metered' }, settingsIdentity: {},
      // Like the LLM annotators: gives up with its own abort error once its signal aborts.
      annotate: (given) => new Promise<Annotation>((_, reject) => given.signal?.addEventListener('abort', () => reject(new EmolabelError('aborted', 'aborted')))),
    };
    const { clock, annotator } = wrap(inner, { timeoutMs: 300, retry: { maxAttempts: 2 } });
    const annotation = await clock.runUntilSettled(annotator.annotate(request));
    expect(annotation).toMatchObject({ status: 'error', attempts: 2 });
    expect(annotation.error).toBe('Failed after 2 attempts (2× timeout); last: mock:hang did not answer within 300 ms; raise `timeoutMs` for slow models.');
  });

  it('with a single attempt allowed, says so in the singular', async () => {
    const { annotator } = wrap(new MockAnnotator([fail(http(502))]), { retry: { maxAttempts: 1 } });
    expect((await annotator.annotate(request)).error).toMatch(/^Failed after 1 attempt \(1× HTTP 502\); last: /);
  });

  it('a fatal failure throws after exactly one request, stops in-flight work and every later call', async () => {
    const onFatal = vi.fn();
    const signals: AbortSignal[] = [];
    const inner: Annotator = {
      specificationVersion: 'v1', provider: 'mock', modelId: 'scripted', capabilities: { maxImagesPerRequest: 1, layouts: ['frames'], billing: 'metered' }, settingsIdentity: {},
      annotate(given) {
        signals.push(given.signal as AbortSignal);
        // The first request hangs (in flight, ignoring its signal) while the second is refused.
        if (signals.length === 1) return new Promise<Annotation>(() => undefined);
        return Promise.reject(http(401, 'Incorrect API key provided'));
      },
    };
    const { clock, annotator } = wrap(inner, { onFatal });
    const inFlight = annotator.annotate(request);
    inFlight.catch(() => undefined);
    await flushPromises();
    await expect(annotator.annotate(request)).rejects.toBeInstanceOf(FatalRunError);
    await expect(inFlight).rejects.toBe(annotator.fatalError);
    expect(signals[0]?.aborted).toBe(true);
    await expect(annotator.annotate(request)).rejects.toBe(annotator.fatalError);
    expect(signals).toHaveLength(2);
    expect(onFatal).toHaveBeenCalledTimes(1);
    expect(onFatal).toHaveBeenCalledWith(annotator.fatalError);
    expect(annotator.fatalError).toMatchObject({ code: 'fatal_provider_error', reason: 'rejected_api_key', httpStatus: 401 });
    expect(annotator.fatalError?.message).toMatch(/^Run stopped: mock:scripted cannot work as configured\. The provider rejected the API key/);
    expect(clock.pending()).toBe(0);
  });

  it('an exhausted quota is fatal at once, not retried', async () => {
    const inner = new MockAnnotator([fail(http(429, 'You exceeded your current quota, please check your plan and billing details.')), ok]);
    const { annotator } = wrap(inner);
    await expect(annotator.annotate(request)).rejects.toMatchObject({ reason: 'quota_exhausted' });
    expect(inner.calls).toHaveLength(1);
  });

  it('a failure of this request alone (HTTP 400) fails the item without retrying', async () => {
    const inner = new MockAnnotator([fail(http(400, 'image too large')), ok]);
    const { annotator } = wrap(inner);
    const annotation = await annotator.annotate(request);
    expect(annotation).toMatchObject({ status: 'error', attempts: 1 });
    expect(annotation.error).toContain('image too large');
    expect(inner.calls).toHaveLength(1);
  });

  it('a Retry-After beyond maxRetryAfterMs fails the item at once, naming the wait', async () => {
    const inner = new MockAnnotator([fail(http(429, 'daily limit', 3_600_000)), ok]);
    const { annotator } = wrap(inner, { retry: { maxRetryAfterMs: 60_000 } });
    const annotation = await annotator.annotate(request);
    expect(annotation.error).toMatch(/asked to wait 3600 s before trying again, more than the 60 s limit/);
    expect(inner.calls).toHaveLength(1);
  });

  it('an abort during backoff stops at once with an aborted error and no further request', async () => {
    const inner = new MockAnnotator([fail(http(503)), ok]);
    const { clock, annotator } = wrap(inner);
    const controller = new AbortController();
    const pending = annotator.annotate({ ...request, signal: controller.signal });
    await clock.advance(10);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    await clock.advance(60_000);
    expect(inner.calls).toHaveLength(1);
  });

  it('an abort reason that is an EmolabelError (a reached budget) is thrown as is', async () => {
    const inner = new MockAnnotator([fail(http(503)), ok]);
    const { clock, annotator } = wrap(inner);
    const controller = new AbortController();
    const pending = annotator.annotate({ ...request, signal: controller.signal });
    await clock.advance(10);
    const budget = new EmolabelError('budget_exceeded', 'budget of $1 reached');
    controller.abort(budget);
    await expect(pending).rejects.toBe(budget);
  });

  it('honours rpm across requests', async () => {
    const calledAt: number[] = [];
    const { clock, annotator } = wrap(new MockAnnotator([() => (calledAt.push(clock.now()), ok)]), { rpm: 60, burstSeconds: 1 });
    const all = Promise.all([1, 2, 3].map(() => annotator.annotate(request)));
    await clock.advance(2_000);
    await all;
    expect(calledAt).toEqual([0, 1_000, 2_000]);
  });

  it('counts an annotator\'s extra request (an LLM repair) under rpm: it waits for its own place', async () => {
    const sentAt: number[] = [];
    const repairing = async (call: AnnotationRequest): Promise<Annotation> => {
      sentAt.push(clock.now());
      await call.beforeExtraRequest?.(call.signal);
      sentAt.push(clock.now());
      return ok;
    };
    const inner = new MockAnnotator([]);
    inner.annotate = repairing;
    const { clock, annotator } = wrap(inner, { rpm: 60, burstSeconds: 1 });
    const both = Promise.all([annotator.annotate(request), annotator.annotate(request)]);
    await clock.advance(3_000);
    await both;
    // One a second: the first request, its repair, then the second request and its repair.
    expect(sentAt).toEqual([0, 1_000, 2_000, 3_000]);
    expect(annotator.stats.requests).toBe(4);
  });

  it('takes estimated tokens from the tpm bucket and settles them against reported usage', async () => {
    const estimateTokens = vi.fn(() => 400);
    const inner = new MockAnnotator([ok]);
    const { annotator } = wrap(inner, { tpm: 60_000, burstSeconds: 2, estimateTokens });
    expect(annotator.bucket.available().tokens).toBe(2_000);
    await annotator.annotate(request);
    expect(estimateTokens).toHaveBeenCalledWith(request);
    // 1,000 used (900 in, 100 out), not the 400 estimated.
    expect(annotator.bucket.available().tokens).toBe(1_000);
  });

  it('gives a 429 its tokens back: a turned-away request used none', async () => {
    const inner = new MockAnnotator([fail(http(429, 'rate limit')), ok]);
    // 2,000 tokens of capacity refilling at 10 a second: the half-second backoff refills almost nothing.
    const { clock, annotator } = wrap(inner, { tpm: 600, burstSeconds: 200, estimateTokens: () => 400 });
    await clock.runUntilSettled(annotator.annotate(request));
    expect(annotator.bucket.available().tokens).toBe(1_000);
  });

  it('rejects a timeout that is not a positive number', () => {
    expect(() => createResilientAnnotator(new MockAnnotator([ok]), { timeoutMs: 0 })).toThrow('Expected `timeoutMs` to be a number of milliseconds above 0');
  });

  describe('refused connections', () => {
    /** What undici throws when nothing listens: a TypeError whose cause has code ECONNREFUSED. */
    const refused = () => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });

    it('stop the annotator after three in a row once one was a retry, as unreachable', async () => {
      const inner = new MockAnnotator([fail(refused()), fail(refused()), fail(refused()), ok]);
      const { clock, annotator } = wrap(inner, { retry: { maxAttempts: 6 } });
      const failure = await clock.runUntilSettled(annotator.annotate(request).catch((error: unknown) => error));
      expect(failure).toBeInstanceOf(FatalRunError);
      expect(failure).toMatchObject({ reason: 'unreachable' });
      expect((failure as Error).message).toMatch(/Nothing accepts connections at the provider's address.*`baseUrl`/);
      expect(inner.calls).toHaveLength(3);
      await expect(annotator.annotate(request)).rejects.toBe(failure);
    });

    it('a provider that answers again within them resets the count', async () => {
      const inner = new MockAnnotator([fail(refused()), fail(refused()), ok, fail(refused()), fail(refused()), ok]);
      const { clock, annotator } = wrap(inner, { retry: { maxAttempts: 6 } });
      expect(await clock.runUntilSettled(annotator.annotate(request))).toMatchObject({ status: 'ok', attempts: 3 });
      expect(await clock.runUntilSettled(annotator.annotate(request))).toMatchObject({ status: 'ok', attempts: 3 });
    });

    it('are counted apart from dropped connections, which stay retryable', async () => {
      const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      const inner = new MockAnnotator([fail(reset), fail(reset), fail(reset), fail(reset), ok]);
      const { clock, annotator } = wrap(inner, { retry: { maxAttempts: 6 } });
      expect(await clock.runUntilSettled(annotator.annotate(request))).toMatchObject({ status: 'ok', attempts: 5 });
    });
  });
});
