import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findFaces } from '../../src/faces/find-faces.js';
import { createTinyFaceDetector } from '../../src/faces/tiny-face-detector.js';
import { trackFaces } from '../../src/faces/track-faces.js';
import { cropImage } from '../../src/faces/transform-image.js';
import { decodeImage } from '../../src/media/decode-image.js';
import type { Frame } from '../../src/media/media-item.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';

async function frameOf(path: string, index = 0): Promise<Frame> {
  return { index, sourceIndex: index, image: await decodeImage(readFileSync(path), path) };
}

const detector = createTinyFaceDetector();
const facesDev = loadFacesDev();

describe('findFaces on real photos', () => {
  it('crops the largest face by default, with the box inside the frame', async () => {
    const frame = await frameOf(demoFace(4));
    const [track] = await findFaces([frame], detector);
    expect(track?.faceFound).toBe(true);
    const crop = track?.crops[0];
    expect(crop?.box?.width).toBeGreaterThan(150);
    const all = await detector.detect(frame.image);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(crop?.box?.width).toBe(Math.max(...all.map((box) => box.width)));
    // By default the crop is the box as drawn (margin 0); a 10% margin makes it larger, never larger than the frame.
    expect(Math.abs((crop?.image.width ?? 0) - (crop?.box?.width ?? 0))).toBeLessThanOrEqual(2);
    const [wider] = await findFaces([frame], detector, { margin: 0.1 });
    expect(wider?.crops[0]?.image.width).toBeGreaterThan(crop?.box?.width ?? 0);
    expect(wider?.crops[0]?.image.width).toBeLessThanOrEqual(frame.image.width);
  });

  it('returns one track per person with faces "all", following them across frames', async () => {
    const first = await frameOf(demoFace(4), 0);
    const second = { ...first, index: 1, sourceIndex: 1 };
    const tracks = await findFaces([first, second], detector, { mode: 'all' });
    expect(tracks.length).toBeGreaterThanOrEqual(3);
    for (const track of tracks) expect(track.crops.map((crop) => crop.frameIndex)).toEqual([0, 1]);
  });

  it('falls back to whole frames, marked faceFound false, when no face is found', async () => {
    const blank: Frame = { index: 0, sourceIndex: 0, image: { data: Buffer.alloc(200 * 150 * 3, 90), width: 200, height: 150 } };
    const [track] = await findFaces([blank], detector);
    expect(track).toMatchObject({ faceFound: false, crops: [{ faceFound: false, frameIndex: 0 }] });
    expect(track?.crops[0]?.image.width).toBe(200);
  });

  it.skipIf(!('images' in facesDev))('finds faces in most tight face crops thanks to the padded retry', async () => {
    if (!('images' in facesDev)) return;
    const sample = facesDev.images.slice(0, 40);
    let found = 0;
    for (const { path } of sample) {
      const [track] = await findFaces([await frameOf(path)], detector);
      if (track?.faceFound) found += 1;
    }
    expect(found / sample.length).toBeGreaterThan(0.6);
  });
});

describe('trackFaces', () => {
  it('keeps identities by overlap even when the detector lists faces in another order', () => {
    const left = { x: 0, y: 0, width: 100, height: 100, score: 1 };
    const right = { x: 300, y: 0, width: 100, height: 100, score: 1 };
    const movedLeft = { ...left, x: 10 };
    const newcomer = { x: 600, y: 0, width: 90, height: 90, score: 1 };
    expect(trackFaces([[right, left], [movedLeft, right, newcomer], []])).toEqual([[1, 0], [0, 1, 2], []]);
  });
});
if (!('images' in facesDev)) console.warn(`skipping faces-dev checks: ${facesDev.missing}`);

describe('cropImage', () => {
  it('copies the same pixels sharp extracts from a real photo, and refuses a region outside it', async () => {
    const image = await decodeImage(readFileSync(demoFace(2)), demoFace(2));
    const region = { x: 701, y: 233, width: 311, height: 287 };
    const crop = await cropImage(image, region);
    const expected = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .extract({ left: region.x, top: region.y, width: region.width, height: region.height }).raw().toBuffer();
    expect(crop).toMatchObject({ width: 311, height: 287 });
    expect(crop.data.equals(expected)).toBe(true);
    await expect(cropImage(image, { ...region, x: image.width - 10 })).rejects.toThrow(/not inside/);
    await expect(cropImage(image, { ...region, y: 1.5 })).rejects.toThrow(/not inside/);
  });
});
