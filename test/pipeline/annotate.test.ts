import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate } from '../../src/pipeline/annotate.js';
import { writeBadMedia } from '../support/bad-media.js';
import { demoFace } from '../support/demo-faces.js';
import { makeClipFromStill, makeFrameFolder, makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

describe('annotate() end to end on real faces with the local model', () => {
  const { dir, cleanup } = makeTempDir();
  beforeAll(async () => {
    mkdirSync(join(dir, 'inputs/frames'), { recursive: true });
    copyFileSync(demoFace(2), join(dir, 'inputs/photo.jpg'));
    await makeClipFromStill(demoFace(2), join(dir, 'inputs/clip.mp4'), { seconds: 1, fps: 12, width: 960, height: 684 });
    await makeClipFromStill(demoFace(2), join(dir, 'inputs/animated.gif'), { seconds: 1, fps: 8, width: 360, height: 270 });
    makeFrameFolder(demoFace(2), join(dir, 'inputs/frames/0001'), 6);
    writeBadMedia(join(dir, 'inputs'));
  });
  afterAll(cleanup);

  it('labels every kind of input, keeps going past bad files and names each one', async () => {
    const seen: string[] = [];
    const { results, summary } = await annotate([join(dir, 'inputs')], {
      frames: 4, clipFolders: true, onResult: (batch) => seen.push(...batch.map((result) => result.id)),
    });
    const byId = new Map(results.map((result) => [result.id, result]));
    for (const id of ['photo', 'clip', 'animated', 'frames/0001']) {
      const result = byId.get(id);
      expect(result, id).toMatchObject({ status: 'ok', faceFound: true, model: 'local:face-api', strategy: 'frame', taxonomy: 'basic7' });
      expect(result?.label).toMatch(/^(Angry|Disgust|Fear|Happy|Neutral|Sad|Surprise)$/);
      expect(result?.confidence).toBeGreaterThan(0);
    }
    // The same face everywhere: the clip and the frame folder agree with the photo.
    expect(byId.get('clip')?.label).toBe(byId.get('photo')?.label);
    expect(byId.get('frames/0001')?.label).toBe(byId.get('photo')?.label);
    expect(byId.get('clip')?.framesUsed).toBe(4);
    expect(byId.get('clip')?.frameLabels).toHaveLength(4);
    expect(byId.get('clip')?.frames.map((frame) => frame.sourceIndex)).toEqual([1, 4, 7, 10]);
    expect(byId.get('empty')).toMatchObject({ status: 'error', error: expect.stringMatching(/empty\.jpg is empty \(0 bytes\)/) });
    expect(byId.get('readme')).toMatchObject({ status: 'error', error: expect.stringMatching(/readme\.jpg is not a readable image/) });
    expect(byId.get('corrupt')).toMatchObject({ status: 'error', error: expect.stringMatching(/corrupt\.mp4/) });
    expect(byId.get('giant')).toMatchObject({ status: 'error', error: expect.stringMatching(/giant\.png is 20000x20000 pixels.*downscale/) });
    expect(summary).toMatchObject({ items: results.length, failed: 4 });
    expect(seen.sort()).toEqual(results.map((result) => result.id).sort());
  });

  it('labels the laughing woman of face-api\'s own demo photo sample1.jpg Happy with the defaults', async () => {
    const { results } = await annotate([demoFace(1)], {});
    expect(results).toMatchObject([{ status: 'ok', faceFound: true, label: 'Happy' }]);
    expect(results[0]?.confidence).toBeGreaterThan(0.8);
  });

  it('passes the crops of a clip to the strategy and annotator it is given', async () => {
    const annotator = new MockAnnotator([{ status: 'ok', label: 'Surprise', confidence: 0.8 }]);
    const { results } = await annotate([join(dir, 'inputs/clip.mp4')], { annotator, frames: 3 });
    expect(annotator.calls).toHaveLength(3);
    expect(annotator.calls[0]?.images[0]?.width).toBeLessThan(480);
    expect(results).toMatchObject([{ id: 'clip', label: 'Surprise', frameLabels: ['Surprise', 'Surprise', 'Surprise'], model: 'mock:scripted' }]);
  });

  it('rejects options that make no sense before doing any work', async () => {
    await expect(annotate([join(dir, 'inputs')], { frames: 0 })).rejects.toThrow('Expected `frames` to be a whole number from 1 and up, got `0` (number).');
    await expect(annotate([join(dir, 'inputs')], { model: 'nope:model' })).rejects.toThrow(/Unknown model "nope:model"/);
  });
});

describe('annotate() with a manifest', () => {
  const { dir, cleanup } = makeTempDir();
  afterAll(cleanup);

  it('carries manifest labels into truth in canonical spelling, collapsed for ternary', async () => {
    copyFileSync(demoFace(2), join(dir, 'a.jpg'));
    copyFileSync(demoFace(3), join(dir, 'b.jpg'));
    writeFileSync(join(dir, 'clips.csv'), 'path,label\na.jpg,happiness\nb.jpg,ANGRY\n');
    const annotator = new MockAnnotator([{ status: 'ok', label: 'positive', confidence: 0.7 }]);
    const { results } = await annotate([], { manifest: join(dir, 'clips.csv'), annotator, taxonomy: 'ternary', faces: 'none' });
    expect(results.map((result) => [result.id, result.truth])).toEqual([['a', 'positive'], ['b', 'negative']]);
  });

  it('labels whole frames as ok with face detection not applied under faces: none (not no_face)', async () => {
    copyFileSync(demoFace(2), join(dir, 'c.jpg'));
    const annotator = new MockAnnotator([{ status: 'ok', label: 'Happy', confidence: 0.7 }]);
    const { results, summary } = await annotate([join(dir, 'c.jpg')], { annotator, faces: 'none' });
    expect(results).toMatchObject([{ id: 'c', status: 'ok', faceFound: false, faceDetection: 'not_applied', label: 'Happy' }]);
    expect(summary).toMatchObject({ ok: 1, noFace: 0 });
  });
});
