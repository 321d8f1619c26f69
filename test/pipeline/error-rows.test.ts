import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { annotate } from '../../src/pipeline/annotate.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

describe('error rows of an LLM run say which prompt version the run used', () => {
  it('for an item whose request failed and for an input that could not be read', async () => {
    const annotator = Object.assign(new MockAnnotator([{ status: 'error', error: 'HTTP 400: bad request' }]), { settingsIdentity: { prompt: 'direct@v1' } });
    const { results } = await annotate([demoFace(1), '/nonexistent/emolabel-missing.jpg'], { annotator, faces: 'none' });
    expect(results.map((result) => [result.status, result.promptVersion])).toEqual([
      ['error', 'direct@v1'],
      ['error', 'direct@v1'],
    ]);
  });
});

describe('manifest labels the taxonomy does not know', () => {
  it('are kept as given in truth, with a warning that names the label and the taxonomy', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeFileSync(join(dir, 'gold.csv'), `path,label\n${demoFace(1)},bogus\n${demoFace(2)},happiness\n`);
      const annotator = new MockAnnotator([{ status: 'ok', label: 'Happy', confidence: 0.9 }]);
      const { results } = await annotate([], { annotator, faces: 'none', manifest: join(dir, 'gold.csv') });
      expect(results.map((result) => result.truth)).toEqual(['bogus', 'Happy']);
      expect(results[0]?.warnings).toEqual([expect.stringMatching(/label "bogus" is not one of basic7 \(Angry, .*\); kept as given/)]);
      expect(results[1]?.warnings).toEqual([]);
    } finally {
      cleanup();
    }
  });
});

describe('an animated image', () => {
  it('is labelled from its first frame with a warning saying so; a still gets none', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const webp = join(dir, 'animated.webp');
      const frames = await Promise.all([0, 10, 20, 30].map((angle) => sharp(demoFace(2)).rotate(angle).resize(320, 320, { fit: 'cover' }).png().toBuffer()));
      await sharp(frames, { join: { animated: true } }).webp().toFile(webp);
      expect((await sharp(webp).metadata()).pages).toBe(4);
      const still = join(dir, 'still.webp');
      await sharp(demoFace(2)).webp().toFile(still);
      const annotator = new MockAnnotator([{ status: 'ok', label: 'Happy', confidence: 0.9 }]);
      const { results } = await annotate([webp, still], { annotator, faces: 'none' });
      expect(results.map((result) => result.id)).toEqual(['animated', 'still']);
      expect(results[0]?.warnings).toEqual([expect.stringMatching(/animated image with 4 frames: labelled from its first frame only/)]);
      expect(results[1]?.warnings).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
