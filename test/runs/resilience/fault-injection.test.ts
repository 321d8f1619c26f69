import { readFile } from 'node:fs/promises';
import PQueue from 'p-queue';
import { afterEach, describe, expect, it } from 'vitest';
import type { Annotation, Annotator } from '../../../src/annotators/annotator.js';
import { createAnnotator } from '../../../src/annotators/annotator-registry.js';
import { decodeImage } from '../../../src/media/decode-image.js';
import type { RgbImage } from '../../../src/media/rgb-image.js';
import { FatalRunError } from '../../../src/runs/resilience/fatal-run-error.js';
import { createResilientAnnotator, type ResilientAnnotatorOptions, type RetryEvent } from '../../../src/runs/resilience/resilient-annotator.js';
import { basic7 } from '../../../src/taxonomy/taxonomy.js';
import { loadFacesDev } from '../../support/faces-dev.js';
import { everyFaultFirst, type Fault, type FaultyOpenAiServer, seededFaults, startFaultyOpenAiServer } from '../../support/faulty-openai-server.js';

const facesDev = loadFacesDev();
const ITEM_COUNT = 36;
const MAX_ATTEMPTS = 4;
const RETRY_AFTER_SECONDS = 0.05;
// Well above a healthy local answer even on a loaded machine (at 500 ms, two busy cores timed out
// healthy attempts, cutting their repair turns short); each hang costs this once per attempt.
const TIMEOUT_MS = 2_000;
// Each image-bearing request's fault; the rest (55%) answer ok.
const SHARES: Partial<Record<Fault, number>> = {
  'rate-limit': 0.15, 'server-error': 0.08, hang: 0.05, reset: 0.04, disconnect: 0.05, 'garbage-body': 0.04, 'garbage-answer': 0.04,
};

let server: FaultyOpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function loadCrops(count: number): Promise<RgbImage[]> {
  if ('missing' in facesDev) return [];
  return Promise.all(facesDev.images.slice(0, count).map(async (image) => decodeImage(await readFile(image.path), image.path)));
}

/** The real openai-compatible annotator against the faulty server; the wrapper's timeout is the only one. */
function realAnnotator(url: string): Annotator {
  return createAnnotator('openai-compatible:any', { baseUrl: url, env: {} });
}

const retry: ResilientAnnotatorOptions['retry'] = { maxAttempts: MAX_ATTEMPTS, baseDelayMs: 10, maxDelayMs: 80 };

const skipReason = 'missing' in facesDev ? ` (skipped: needs real face crops; ${facesDev.missing})` : '';

describe.skipIf('missing' in facesDev)(`fault injection against a faulty OpenAI-compatible server${skipReason}`, () => {
  it(`${ITEM_COUNT} face crops, 6 at a time: every request ends ok or with an explicit error, and the retries explain the request count`, async () => {
    server = await startFaultyOpenAiServer({ chooseFault: everyFaultFirst(Object.keys(SHARES) as Fault[], seededFaults('emolabel-faults-1', SHARES)), retryAfterSeconds: RETRY_AFTER_SECONDS });
    const crops = await loadCrops(ITEM_COUNT);
    expect(crops).toHaveLength(ITEM_COUNT);
    const retries: RetryEvent[] = [];
    const annotator = createResilientAnnotator(realAnnotator(server.url), { timeoutMs: TIMEOUT_MS, retry, onRetry: (event) => retries.push(event) });
    const queue = new PQueue({ concurrency: 6 });
    const annotations: Annotation[] = await Promise.all(crops.map((crop) => queue.add(() => annotator.annotate({ images: [crop], taxonomy: basic7 }))));

    // Every fault kind was served (the first new images get one each), the rest by seeded shares.
    const requests = server.requests;
    const served = new Set(requests.map((request) => request.fault));
    for (const fault of Object.keys(SHARES)) expect(served, `no request was answered ${fault}`).toContain(fault);

    // Every request ends ok or with an explicit error; an error says how often it was tried.
    for (const annotation of annotations) {
      expect(['ok', 'error']).toContain(annotation.status);
      if (annotation.status === 'ok') expect(basic7.labels).toContain(annotation.label);
      else expect(annotation.error).toMatch(/^Failed after \d attempts \(.+\); last: .+/);
    }
    expect(annotations.filter((annotation) => annotation.status === 'ok').length).toBeGreaterThan(ITEM_COUNT / 2);

    // The requests are what the retries explain: one image request per attempt, one text-only
    // repair per garbage answer, and never more than the attempts allowed per item.
    const imageRequests = requests.filter((request) => request.imageKey !== undefined);
    const attempts = annotations.map((annotation) => annotation.attempts ?? 0);
    expect(attempts.every((count) => count >= 1 && count <= MAX_ATTEMPTS)).toBe(true);
    expect(imageRequests).toHaveLength(attempts.reduce((sum, count) => sum + count, 0));
    const garbageAnswers = imageRequests.filter((request) => request.fault === 'garbage-answer').length;
    expect(requests).toHaveLength(imageRequests.length + garbageAnswers);
    const perImage = new Map<string, number>();
    for (const request of imageRequests) perImage.set(request.imageKey ?? '', (perImage.get(request.imageKey ?? '') ?? 0) + 1);
    expect(perImage.size).toBe(ITEM_COUNT);
    expect(Math.max(...perImage.values())).toBeLessThanOrEqual(MAX_ATTEMPTS);
    expect([...perImage.values()].sort()).toEqual([...attempts].sort());
    // An item that failed on its last attempt used them all.
    for (const annotation of annotations) if (annotation.status === 'error') expect(annotation.attempts).toBe(MAX_ATTEMPTS);

    // After a 429 the same image came back no sooner than Retry-After (1 ms of timer rounding allowed).
    const retryAfterMs = RETRY_AFTER_SECONDS * 1000;
    let checked = 0;
    for (const [index, request] of imageRequests.entries()) {
      if (request.fault !== 'rate-limit' || request.answeredAt === undefined) continue;
      const next = imageRequests.slice(index + 1).find((later) => later.imageKey === request.imageKey);
      if (next === undefined) continue;
      expect(next.arrivedAt - request.answeredAt).toBeGreaterThanOrEqual(retryAfterMs - 1);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
    const rateLimitedRetries = retries.filter((event) => event.failure.rateLimited);
    expect(rateLimitedRetries.length).toBeGreaterThanOrEqual(checked);
    for (const event of rateLimitedRetries) expect(event.delayMs).toBeGreaterThanOrEqual(retryAfterMs);

    // The stats count what the server did.
    const failedAttempts = imageRequests.filter((request) => request.fault !== 'ok' && request.fault !== 'garbage-answer').length;
    expect(annotator.stats.requests).toBe(requests.length);
    expect(annotator.stats.rateLimited).toBe(imageRequests.filter((request) => request.fault === 'rate-limit').length);
    // Every hang timed out (a slow healthy answer on a loaded machine may add one).
    expect(annotator.stats.timeouts).toBeGreaterThanOrEqual(imageRequests.filter((request) => request.fault === 'hang').length);
    expect(annotator.stats.serverErrors).toBe(imageRequests.filter((request) => request.fault === 'server-error').length);
    expect(annotator.stats.retries + annotator.stats.failed).toBeGreaterThanOrEqual(failedAttempts);
  }, 60_000);

  it.each([
    ['unauthorized', 'rejected_api_key', /valid key/],
    ['insufficient-quota', 'quota_exhausted', /Add credit/],
  ] as const)('%s: the wrapper stops the run with a fatal error after exactly one request', async (fault, reason, advice) => {
    server = await startFaultyOpenAiServer({ chooseFault: () => fault });
    const crops = await loadCrops(8);
    const annotator = createResilientAnnotator(realAnnotator(server.url), { timeoutMs: TIMEOUT_MS, retry });
    const queue = new PQueue({ concurrency: 1 });
    const outcomes = await Promise.allSettled(crops.map((crop) => queue.add(() => annotator.annotate({ images: [crop], taxonomy: basic7 }))));
    expect(server.requests).toHaveLength(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.reason).toBe(annotator.fatalError);
    }
    expect(annotator.fatalError).toBeInstanceOf(FatalRunError);
    expect(annotator.fatalError).toMatchObject({ code: 'fatal_provider_error', reason });
    expect(annotator.fatalError?.message).toMatch(advice);
    expect(annotator.stats).toMatchObject({ requests: 1, retries: 0 });
  });
});
