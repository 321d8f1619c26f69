import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationRequest } from '../../../src/annotators/annotator.js';
import { annotate, type AnnotateOptions } from '../../../src/pipeline/annotate.js';
import type { ClipResult } from '../../../src/pipeline/clip-result.js';
import { writeBadMedia } from '../../support/bad-media.js';
import { demoFace } from '../../support/demo-faces.js';
import { loadFacesDev } from '../../support/faces-dev.js';
import { makeClipFromStill, makeFrameFolder, makeTempDir } from '../../support/make-clips.js';
import { MockAnnotator } from '../../support/mock-annotator.js';

/** Two runs agree: same rows, same labels, probabilities within 1e-6, same boxes. Durations differ. */
function expectSameResults(actual: readonly ClipResult[], expected: readonly ClipResult[]): void {
  expect(actual.map((result) => [result.id, result.faceIndex])).toEqual(expected.map((result) => [result.id, result.faceIndex]));
  for (const [index, want] of expected.entries()) {
    const got = actual[index];
    const { durationMs: _gotDuration, confidence: gotConfidence, distribution: gotDistribution, frames: gotFrames, ...gotRest } = got ?? want;
    const { durationMs: _wantDuration, confidence: wantConfidence, distribution: wantDistribution, frames: wantFrames, ...wantRest } = want;
    expect(gotRest, want.id).toEqual(wantRest);
    if (wantConfidence === undefined) expect(gotConfidence).toBeUndefined();
    else expect(gotConfidence).toBeCloseTo(wantConfidence, 6);
    expect(Object.keys(gotDistribution ?? {})).toEqual(Object.keys(wantDistribution ?? {}));
    for (const [label, probability] of Object.entries(wantDistribution ?? {})) expect(gotDistribution?.[label]).toBeCloseTo(probability, 6);
    expect(gotFrames.map(({ box, ...frame }) => frame)).toEqual(wantFrames.map(({ box, ...frame }) => frame));
    for (const [frameIndex, frame] of wantFrames.entries()) {
      for (const side of ['x', 'y', 'width', 'height', 'score'] as const) {
        expect(gotFrames[frameIndex]?.box?.[side] ?? 0).toBeCloseTo(frame.box?.[side] ?? 0, 6);
      }
    }
  }
}

/** What an annotator was shown, independent of the order items finished in. */
function imagesSeen(calls: readonly AnnotationRequest[]): string[] {
  return calls
    .flatMap((call) => call.images)
    .map((image) => `${image.width}x${image.height} ${Buffer.isBuffer(image.data)} ${createHash('sha1').update(image.data).digest('hex')}`)
    .sort();
}

describe('annotate() with worker threads gives the results of the main thread', () => {
  const { dir, cleanup } = makeTempDir();
  const inputs = join(dir, 'inputs');
  beforeAll(async () => {
    mkdirSync(join(inputs, 'frames'), { recursive: true });
    copyFileSync(demoFace(1), join(inputs, 'photo-1.jpg'));
    copyFileSync(demoFace(3), join(inputs, 'photo-3.jpg'));
    const facesDev = loadFacesDev();
    if ('images' in facesDev) {
      for (const image of facesDev.images.slice(0, 4)) copyFileSync(image.path, join(inputs, `dev-${image.path.split('/').pop()}`));
    }
    await makeClipFromStill(demoFace(2), join(inputs, 'clip.mp4'), { seconds: 1, fps: 12, width: 640, height: 456 });
    makeFrameFolder(demoFace(4), join(inputs, 'frames/0001'), 5);
    writeBadMedia(inputs);
  });
  afterAll(cleanup);

  const options: AnnotateOptions = { frames: 4, clipFolders: true, concurrency: 2 };

  it('labels images, an mp4 and a frame folder the same with 2 workers as with 1, and names each bad file', async () => {
    const onMain = await annotate([inputs], { ...options, workers: 1 });
    const onWorkers = await annotate([inputs], { ...options, workers: 2 });
    expectSameResults(onWorkers.results, onMain.results);
    const byId = new Map(onWorkers.results.map((result) => [result.id, result]));
    for (const id of ['photo-1', 'photo-3', 'clip', 'frames/0001']) expect(byId.get(id), id).toMatchObject({ status: 'ok', faceFound: true, model: 'local:face-api' });
    expect(byId.get('clip')?.framesUsed).toBe(4);
    expect(byId.get('frames/0001')?.framesUsed).toBe(4);
    expect(byId.get('corrupt')).toMatchObject({ status: 'error', error: expect.stringMatching(/corrupt\.mp4/) });
    expect(byId.get('empty')).toMatchObject({ status: 'error', error: expect.stringMatching(/empty\.jpg is empty \(0 bytes\)/) });
    expect(byId.get('readme')).toMatchObject({ status: 'error', error: expect.stringMatching(/readme\.jpg is not a readable image/) });
    expect(byId.get('giant')).toMatchObject({ status: 'error', error: expect.stringMatching(/giant\.png is 20000x20000 pixels/) });
    expect(onWorkers.summary).toEqual(onMain.summary);
  });

  it('tracks every face of a group photo the same way with --faces all and the mean strategy', async () => {
    const groupOptions: AnnotateOptions = { faces: 'all', strategy: 'mean', taxonomy: 'ternary' };
    const onMain = await annotate([demoFace(4)], { ...groupOptions, workers: 1 });
    const onWorkers = await annotate([demoFace(4)], { ...groupOptions, workers: 2 });
    expect(onMain.results.length).toBeGreaterThan(1);
    expectSameResults(onWorkers.results, onMain.results);
  });

  it('with an LLM-style annotator, makes frames and crops on the workers and shows the annotator the same pixels', async () => {
    const answer = { status: 'ok', label: 'Happy', confidence: 0.9 } as const;
    const mainAnnotator = new MockAnnotator([answer]);
    const workerAnnotator = new MockAnnotator([answer]);
    const onMain = await annotate([inputs], { ...options, annotator: mainAnnotator, workers: 1 });
    const onWorkers = await annotate([inputs], { ...options, annotator: workerAnnotator, workers: 2 });
    expectSameResults(onWorkers.results, onMain.results);
    expect(workerAnnotator.calls.length).toBe(mainAnnotator.calls.length);
    expect(imagesSeen(workerAnnotator.calls)).toEqual(imagesSeen(mainAnnotator.calls));
    expect(imagesSeen(workerAnnotator.calls).every((seen) => seen.includes(' true '))).toBe(true);
    expect(onWorkers.results.find((result) => result.id === 'corrupt')).toMatchObject({ status: 'error', error: expect.stringMatching(/corrupt\.mp4/) });
  });

  it('saves frames and face crops from the workers when asked', async () => {
    const saveFramesDir = join(dir, 'saved');
    const { results } = await annotate([join(inputs, 'clip.mp4')], { frames: 2, saveFramesDir, workers: 2 });
    expect(results).toMatchObject([{ id: 'clip', status: 'ok' }]);
    expect(readdirSync(join(saveFramesDir, 'clip')).sort()).toEqual(['face-0-frame-0.jpg', 'face-0-frame-1.jpg', 'frame-0.jpg', 'frame-1.jpg']);
  });

  it('rejects a worker count that is not a whole number from 1 before any work', async () => {
    await expect(annotate([inputs], { workers: 0 })).rejects.toThrow('Expected `workers` to be a whole number from 1 and up, got `0` (number).');
  });
});
