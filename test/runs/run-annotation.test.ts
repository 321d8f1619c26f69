import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest } from '../../src/annotators/annotator.js';
import { EmolabelError } from '../../src/errors.js';
import { ResponseStore } from '../../src/store/request-log.js';
import type { AnnotateOptions } from '../../src/pipeline/annotate.js';
import { runAnnotation, type RunSession } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const paid = (request: AnnotationRequest): Annotation => ({
  // The label depends on the pixels, so a wrong cache hit would show up as a wrong label.
  status: 'ok', label: request.images[0]!.data[0]! % 2 === 0 ? 'Happy' : 'Sad', confidence: 0.9,
  usage: { inputTokens: 1000, outputTokens: 20 }, costUsd: 0.01,
});

describe('runAnnotation: a stored, resumable, cached run', () => {
  const { dir, cleanup } = makeTempDir();
  const images = join(dir, 'images');
  const facesDev = loadFacesDev();
  let store: RunStore;
  beforeAll(() => {
    mkdirSync(images);
    // Six real, different face photos: faces-dev when present, else the demo photos.
    const sources = 'images' in facesDev ? facesDev.images.slice(0, 6).map((image) => image.path) : ([1, 2, 3, 4, 5, 6] as const).map(demoFace);
    sources.forEach((source, index) => copyFileSync(source, join(images, `face-${index}.jpg`)));
    store = RunStore.open(join(dir, 'runs.db'));
  });
  afterAll(() => {
    store.close();
    cleanup();
  });
  /** Runs `inputs` (or `extra.resume`) with `annotator`: the spec's fields of `extra` go to the spec, the others to the session. */
  const run = (inputs: string[], annotator: MockAnnotator, extra: Partial<AnnotateOptions & RunSession & { resume: string }> = {}) => {
    const { resume, model, strategy, taxonomy, frames, faces, faceMargin, manifest, clipFolders, annotatorSettings, ...session } = extra;
    const target = resume ? { resume } : runSpecOf(inputs, { model: model ?? 'mock:scripted', faces: faces ?? 'none', strategy, taxonomy, frames, faceMargin, manifest, clipFolders, annotatorSettings });
    return runAnnotation(target, { store, annotator, concurrency: 1, ...session });
  };

  it('resumes a run whose folder got a new file that sorts first: the new item is added, nothing done is redone', async () => {
    const folder = join(dir, 'growing');
    mkdirSync(folder);
    for (const name of ['face-b', 'face-c', 'face-d']) copyFileSync(join(images, `${name === 'face-b' ? 'face-1' : name === 'face-c' ? 'face-2' : 'face-3'}.jpg`), join(folder, `${name}.jpg`));
    const own = RunStore.open(join(dir, 'growing.db'));
    const stop = new AbortController();
    const first = new MockAnnotator([paid]);
    const interrupted = await run([folder], first, { store: own, stopSignal: stop.signal, onResult: () => stop.abort() });
    expect(interrupted.run).toMatchObject({ status: 'interrupted', done: 1, total: 3 });
    copyFileSync(join(images, 'face-4.jpg'), join(folder, 'face-a.jpg'));
    const second = new MockAnnotator([paid]);
    const resumed = await run([folder], second, { store: own });
    own.close();
    expect(resumed.run).toMatchObject({ id: interrupted.run.id, status: 'done', done: 4, total: 4 });
    expect(second.calls).toHaveLength(3);
    expect(resumed.results.map((result) => result.id).sort()).toEqual(['face-a', 'face-b', 'face-c', 'face-d']);
    // Whole frames (faces: none) label as no_face today (issue 17); none may be an error.
    expect(resumed.results.filter((result) => result.status === 'error')).toEqual([]);
  });

  it('stops on request, then the same call finishes only the remaining items', async () => {
    const stop = new AbortController();
    const first = new MockAnnotator([paid]);
    let seen = 0;
    const interrupted = await run([images], first, {
      stopSignal: stop.signal, onResult: () => (++seen === 2 ? stop.abort() : undefined),
    });
    expect(interrupted.stopped?.reason).toBe('interrupted');
    expect(interrupted.run).toMatchObject({ status: 'interrupted', done: 2, total: 6 });
    expect(first.calls).toHaveLength(2);

    const second = new MockAnnotator([paid]);
    const finished = await run([images], second);
    expect(finished.resumed).toBe(true);
    expect(finished.run.id).toBe(interrupted.run.id);
    expect(second.calls).toHaveLength(4);
    expect(finished.run).toMatchObject({ status: 'done', done: 6, total: 6 });
    expect(finished.results.map((result) => result.id)).toEqual(['face-0', 'face-1', 'face-2', 'face-3', 'face-4', 'face-5']);
    expect(finished.summary.costUsd).toBeCloseTo(0.06, 10);
  });

  it('resumes a run with a taxonomy file by --resume, and a changed timeout does not make it another run', async () => {
    const taxonomyFile = join(dir, 'arousal.json');
    writeFileSync(taxonomyFile, JSON.stringify({
      name: 'arousal', labels: [{ name: 'high' }, { name: 'low' }],
      fromBasic: { Angry: 'high', Disgust: 'low', Fear: 'high', Happy: 'high', Neutral: 'low', Sad: 'low', Surprise: 'high' },
    }));
    const high = (): Annotation => ({ status: 'ok', label: 'high', confidence: 0.9, usage: { inputTokens: 10, outputTokens: 2 }, costUsd: 0.001 });
    const stop = new AbortController();
    const first = await run([images], new MockAnnotator([high]), {
      taxonomy: taxonomyFile, resilience: { timeoutMs: 2_000 }, stopSignal: stop.signal, onResult: () => stop.abort(),
    });
    expect(first.run).toMatchObject({ status: 'interrupted', done: 1, taxonomy: 'arousal' });

    // The same command with another timeout is the same run.
    const stop2 = new AbortController();
    const second = await run([images], new MockAnnotator([high]), {
      taxonomy: taxonomyFile, resilience: { timeoutMs: 20_000 }, stopSignal: stop2.signal, onResult: () => stop2.abort(),
    });
    expect(second.run.id).toBe(first.run.id);

    // --resume by id alone: the taxonomy comes back from its file.
    const resumed = await run([], new MockAnnotator([high]), { resume: first.run.id });
    expect(resumed.run).toMatchObject({ status: 'done', done: 6 });
    expect(new Set(resumed.results.map((result) => `${result.taxonomy}:${result.label}`))).toEqual(new Set(['arousal:high']));
  });

  it('answers a second identical run from the cache: zero requests, same labels, no cost', async () => {
    const fresh = new MockAnnotator([paid]);
    const again = await run([images], fresh, { frames: 8 });
    expect(again.resumed).toBe(false);
    expect(fresh.calls).toHaveLength(0);
    expect(again.requests).toEqual({ sent: 0, cached: 6 });
    expect(again.summary.costUsd).toBe(0);
    const first = store.listRuns().find((run) => run.id !== again.run.id && run.taxonomy === 'basic7') ?? again.run;
    expect(again.results.map((result) => result.label)).toEqual(store.getResults(first.id).map((result) => result.label));
    expect(new ResponseStore(store.database).countRequests(again.run.id)).toEqual({ sent: 0, cached: 6 });
  });

  it('sends every request again with cache off', async () => {
    const annotator = new MockAnnotator([paid]);
    const outcome = await run([images], annotator, { cache: false, frames: 7 });
    expect(annotator.calls).toHaveLength(6);
    expect(outcome.requests).toEqual({ sent: 6, cached: 0 });
  });

  it('stops before passing --max-cost, and resumes with a higher budget', async () => {
    const annotator = new MockAnnotator([paid]);
    const capped = await run([images], annotator, { cache: false, frames: 3, maxCostUsd: 0.035 });
    expect(capped.stopped?.reason).toBe('budget');
    expect(capped.stopped?.message).toMatch(/Budget reached: \$0\.0300 spent of `maxCostUsd` \$0\.0350/);
    expect(annotator.calls).toHaveLength(3);
    expect(capped.run).toMatchObject({ status: 'stopped', done: 3 });

    const more = new MockAnnotator([paid]);
    const resumed = await run([], more, { resume: capped.run.id, cache: false, maxCostUsd: 1 });
    expect(more.calls).toHaveLength(3);
    expect(resumed.run).toMatchObject({ status: 'done', done: 6 });
    expect(resumed.summary.costUsd).toBeCloseTo(0.06, 10);
  });

  it('counts requests paid for an item that was never finished against the budget of the resumed run', async () => {
    // One clip of three frames, one $0.01 request per frame: the budget stops the run mid-clip.
    const clip = join(dir, 'clip', 'c1');
    mkdirSync(clip, { recursive: true });
    for (let index = 0; index < 3; index += 1) copyFileSync(join(images, `face-${index}.jpg`), join(clip, `${index + 1}.jpg`));
    // A store of its own: the other tests' cached answers for these images would make them free.
    const own = RunStore.open(join(dir, 'budget.db'));
    const first = new MockAnnotator([paid]);
    const capped = await run([join(dir, 'clip')], first, { store: own, clipFolders: true, frames: 3, maxCostUsd: 0.025 });
    expect(capped.stopped?.reason).toBe('budget');
    expect(first.calls).toHaveLength(2);
    expect(capped.run).toMatchObject({ done: 0 });
    expect(capped.run.costUsd).toBeCloseTo(0.02, 10);

    // Resumed under the same budget: $0.02 is already spent, so the third request would pass it.
    const again = new MockAnnotator([paid]);
    const resumed = await run([], again, { store: own, resume: capped.run.id, maxCostUsd: 0.025 });
    own.close();
    expect(resumed.stopped?.reason).toBe('budget');
    expect(again.calls).toHaveLength(0);
    expect(resumed.run.costUsd).toBeCloseTo(0.02, 10);
  });

  it('lets free answers through a $0 budget, and stops a priced one before it is sent', async () => {
    const free = new MockAnnotator([{ status: 'ok', label: 'Happy', confidence: 0.9, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 }]);
    const freeRun = await run([images], free, { cache: false, maxCostUsd: 0 });
    expect(freeRun.stopped).toBeUndefined();
    expect(freeRun.run).toMatchObject({ status: 'done', done: 6 });
    const priced = new MockAnnotator([paid]);
    const pricedRun = await run([images], priced, { cache: false, maxCostUsd: 0, estimateCostUsd: () => 0.01 });
    expect(pricedRun.stopped?.reason).toBe('budget');
    expect(priced.calls).toHaveLength(0);
  });

  it('stops at once on an error that cannot heal, keeping what was done', async () => {
    let calls = 0;
    const annotator = new MockAnnotator([(request) => {
      calls += 1;
      if (calls === 3) throw new EmolabelError('fatal_provider_error', 'mock answered HTTP 401: invalid key — set MOCK_API_KEY');
      return paid(request);
    }]);
    const outcome = await run([images], annotator, { cache: false, frames: 2 });
    expect(outcome.stopped).toEqual({ reason: 'fatal', message: 'mock answered HTTP 401: invalid key — set MOCK_API_KEY' });
    expect(outcome.run).toMatchObject({ status: 'stopped', done: 2 });
  });

  it('fails before recording a run when the annotator is not ready', async () => {
    const before = store.listRuns().length;
    const annotator = Object.assign(new MockAnnotator([paid]), {
      checkReady: () => {
        throw new EmolabelError('missing_api_key', 'Set OPENAI_API_KEY to use openai:gpt-4o-mini.');
      },
    });
    await expect(run([images], annotator, { frames: 5 })).rejects.toThrow('Set OPENAI_API_KEY');
    expect(store.listRuns()).toHaveLength(before);
  });
});
