import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest, Annotator } from '../../src/annotators/annotator.js';
import { EmolabelError } from '../../src/errors.js';
import type { FaceDetector } from '../../src/faces/face-detector.js';
import { annotateItems, prepareAnnotation } from '../../src/pipeline/annotate.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';

/** An annotator whose answers wait until the test releases them, one by one, in request order. */
class HeldAnnotator implements Annotator {
  readonly specificationVersion = 'v1';
  readonly provider = 'mock';
  readonly modelId = 'held';
  readonly capabilities = { maxImagesPerRequest: 16, layouts: ['frames'], billing: 'metered' } as const;
  readonly settingsIdentity = {};
  readonly requests: AnnotationRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly waiting: Array<(annotation: Annotation) => void> = [];
  private readonly arrivals: Array<() => void> = [];

  annotate(request: AnnotationRequest): Promise<Annotation> {
    this.requests.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.arrivals.splice(0).forEach((arrived) => arrived());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves once `count` requests in all have arrived. */
  async untilRequests(count: number): Promise<void> {
    while (this.requests.length < count) await new Promise<void>((resolve) => this.arrivals.push(resolve));
  }

  release(annotation: Annotation = { status: 'ok', label: 'Happy', confidence: 0.9 }): void {
    const next = this.waiting.shift();
    if (next === undefined) throw new Error('no request is waiting');
    this.inFlight -= 1;
    next(annotation);
  }
}

/** Finds one face covering the middle of every frame, and counts the frames it saw. */
function countingDetector(): FaceDetector & { calls: number } {
  const detector = {
    name: 'counting',
    calls: 0,
    async detect(image: { width: number; height: number }) {
      detector.calls += 1;
      return [{ x: image.width / 4, y: image.height / 4, width: image.width / 2, height: image.height / 2, score: 0.9 }];
    },
  };
  return detector;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** Waits until `condition` holds; fails after `limitMs` (a behaviour that never happens, not a slow one). */
async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > limitMs) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('annotateItems: frames and faces of later items are made while earlier ones wait on the provider', () => {
  const { dir, cleanup } = makeTempDir();
  const paths = [1, 2, 3, 4, 5, 6].map((index) => join(dir, `face-${index}.jpg`));
  beforeAll(() => paths.forEach((path, index) => copyFileSync(demoFace((index + 1) as 1 | 2 | 3 | 4 | 5 | 6), path)));
  afterAll(cleanup);

  it('with concurrency 1, detects the next item during the current request, and still labels every item once, in order', async () => {
    const annotator = new HeldAnnotator();
    const detector = countingDetector();
    const prepared = await prepareAnnotation(paths, { annotator, detector, strategy: 'grid', concurrency: 1 });
    const done: string[] = [];
    const running = annotateItems(prepared.context, prepared.items, { concurrency: 1, onItemDone: (item) => done.push(item.id) });

    await annotator.untilRequests(1);
    // The next item's face is found while the first request is still unanswered…
    await until(() => detector.calls === 2, 'the second item detected while the first request waits');
    await settle();
    // …and with concurrency 1 no second request goes out, nor a third item ahead of it.
    expect(annotator.requests).toHaveLength(1);
    expect(detector.calls).toBe(2);
    for (let released = 1; released <= paths.length; released += 1) {
      await annotator.untilRequests(released);
      annotator.release();
    }
    const results = await running;
    await prepared.close();

    expect(done).toEqual(['face-1', 'face-2', 'face-3', 'face-4', 'face-5', 'face-6']);
    expect(detector.calls).toBe(paths.length);
    expect(annotator.requests).toHaveLength(paths.length);
    expect(results.map((each) => each?.map((result) => [result.id, result.status, result.label]))).toEqual(
      paths.map((_, index) => [[`face-${index + 1}`, 'ok', 'Happy']]),
    );
  });

  it('never has more requests in flight than the concurrency', async () => {
    const annotator = new HeldAnnotator();
    const prepared = await prepareAnnotation(paths, { annotator, detector: countingDetector(), strategy: 'grid', concurrency: 2 });
    const running = annotateItems(prepared.context, prepared.items, { concurrency: 2 });
    await annotator.untilRequests(2);
    await settle();
    expect(annotator.requests).toHaveLength(2);
    for (let released = 1; released <= paths.length; released += 1) {
      await annotator.untilRequests(Math.min(paths.length, released + 1));
      annotator.release();
    }
    expect((await running).every((each) => each?.[0]?.status === 'ok')).toBe(true);
    expect(annotator.maxInFlight).toBe(2);
    await prepared.close();
  });

  it('keepResults: false hands every result to onItemDone and keeps none', async () => {
    const annotator = new HeldAnnotator();
    const prepared = await prepareAnnotation(paths, { annotator, detector: countingDetector(), strategy: 'grid', concurrency: 3 });
    const seen: ClipResult[] = [];
    const running = annotateItems(prepared.context, prepared.items, { concurrency: 3, keepResults: false, onItemDone: (_item, results) => seen.push(...results) });
    for (let released = 1; released <= paths.length; released += 1) {
      await annotator.untilRequests(released);
      annotator.release();
    }
    const kept = await running;
    await prepared.close();
    expect(kept).toEqual(paths.map(() => undefined));
    expect(seen.map((result) => result.id).sort()).toEqual(paths.map((_, index) => `face-${index + 1}`));
  });

  it('after an error that stops the run, sends nothing for items already extracted and rethrows it', async () => {
    const annotator = new HeldAnnotator();
    const prepared = await prepareAnnotation(paths, { annotator, detector: countingDetector(), strategy: 'grid', concurrency: 1 });
    const original = annotator.annotate.bind(annotator);
    annotator.annotate = (request) => {
      if (annotator.requests.length === 1) {
        annotator.requests.push(request);
        return Promise.reject(new EmolabelError('budget_exceeded', 'Budget reached'));
      }
      return original(request);
    };
    const running = annotateItems(prepared.context, prepared.items, { concurrency: 1 });
    await annotator.untilRequests(1);
    annotator.release();
    await expect(running).rejects.toThrow('Budget reached');
    await prepared.close();
    // The first request was answered, the second stopped the run; the extracted third never went out.
    expect(annotator.requests).toHaveLength(2);
  });
});
