import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { FaceBox } from '../../src/faces/face-box.js';
import type { FaceDetector } from '../../src/faces/face-detector.js';
import { createTinyFaceDetector, looksLikeFaceCrop, type TinyFaceDetectorOptions } from '../../src/faces/tiny-face-detector.js';
import { cropImage } from '../../src/faces/transform-image.js';
import { decodeImage } from '../../src/media/decode-image.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';

const detector = createTinyFaceDetector();
const facesDev = loadFacesDev();

async function scaleImage(image: RgbImage, factor: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width: Math.round(image.width * factor) }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const centre = (box: FaceBox) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

describe('tiny face detector: boxes in the coordinates of the image it was given', () => {
  it('finds the same faces at twice the size, with boxes twice as large and in the same places', async () => {
    const path = demoFace(4);
    const image = await decodeImage(readFileSync(path), path);
    const large = await scaleImage(image, 2);
    const boxes = await detector.detect(image);
    const largeBoxes = await detector.detect(large);
    expect(boxes.length).toBeGreaterThanOrEqual(3);
    expect(largeBoxes).toHaveLength(boxes.length);
    for (const [index, box] of boxes.entries()) {
      const twin = largeBoxes[index]!;
      expect(twin.width / box.width).toBeGreaterThan(1.8);
      expect(twin.width / box.width).toBeLessThan(2.2);
      expect(Math.abs(centre(twin).x / 2 - centre(box).x)).toBeLessThan(box.width * 0.1);
      expect(Math.abs(centre(twin).y / 2 - centre(box).y)).toBeLessThan(box.height * 0.1);
    }
  });

  it('finds a face that fills a tight crop (the padded retry) and maps its box back inside the crop', async () => {
    const path = demoFace(4);
    const image = await decodeImage(readFileSync(path), path);
    const [largest] = await detector.detect(image);
    const region = { x: Math.round(largest!.x), y: Math.round(largest!.y), width: Math.round(largest!.width), height: Math.round(largest!.height) };
    const tight = await cropImage(image, region);
    const [found] = await detector.detect(tight);
    expect(found).toBeDefined();
    expect(found!.width).toBeGreaterThan(tight.width * 0.5);
    expect(found!.width).toBeLessThan(tight.width * 1.5);
    expect(Math.abs(centre(found!).x - tight.width / 2)).toBeLessThan(tight.width * 0.2);
    expect(Math.abs(centre(found!).y - tight.height / 2)).toBeLessThan(tight.height * 0.25);
  });
});

describe('tiny face detector: which passes run', () => {
  /** A detector that records the passes it runs, and the record. */
  function recording(options: TinyFaceDetectorOptions = {}): { detector: FaceDetector; passes: string[] } {
    const passes: string[] = [];
    return { detector: createTinyFaceDetector({ ...options, onPass: (pass) => passes.push(pass.kind) }), passes };
  }

  async function squareOf(image: RgbImage, side: number): Promise<RgbImage> {
    const square = Math.min(image.width, image.height);
    const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .extract({ left: Math.floor((image.width - square) / 2), top: 0, width: square, height: square }).resize(side, side).raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  }

  it('runs only the unpadded pass on a large photo whose faces it finds', async () => {
    const path = demoFace(4);
    const image = await decodeImage(readFileSync(path), path);
    const { detector: shaped, passes } = recording();
    expect(looksLikeFaceCrop(image)).toBe(false);
    expect((await shaped.detect(image)).length).toBeGreaterThanOrEqual(3);
    expect(passes).toEqual(['unpadded']);
  });

  it('runs only the padded pass on a tight face crop, where the unpadded pass finds nothing', async () => {
    const path = demoFace(4);
    const image = await decodeImage(readFileSync(path), path);
    const [largest] = await detector.detect(image);
    const tight = await cropImage(image, { x: Math.round(largest!.x), y: Math.round(largest!.y), width: Math.round(largest!.width), height: Math.round(largest!.height) });
    expect(looksLikeFaceCrop(tight)).toBe(true);
    const shaped = recording();
    const unpaddedFirst = recording({ passOrder: 'unpadded-first' });
    const [found] = await shaped.detector.detect(tight);
    const [before] = await unpaddedFirst.detector.detect(tight);
    expect(shaped.passes).toEqual(['padded']);
    expect(unpaddedFirst.passes).toEqual(['unpadded', 'padded']);
    // The same face either way: the padded pass found it.
    expect(found).toEqual(before);
    expect(found!.width).toBeGreaterThan(tight.width * 0.6);
  });

  it('still runs the unpadded pass on a crop-shaped photo whose faces are small, and finds every face as before', async () => {
    // sample5.jpg's middle square at 1000x1000: five faces, each about a fifth of the side, which the padded pass sees too small.
    const path = demoFace(5);
    const square = await squareOf(await decodeImage(readFileSync(path), path), 1000);
    expect(looksLikeFaceCrop(square)).toBe(true);
    const shaped = recording();
    const unpaddedFirst = recording({ passOrder: 'unpadded-first' });
    const faces = await shaped.detector.detect(square);
    expect(faces).toEqual(await unpaddedFirst.detector.detect(square));
    expect(faces.length).toBeGreaterThanOrEqual(4);
    expect(shaped.passes).toEqual(['padded', 'unpadded']);
    expect(unpaddedFirst.passes).toEqual(['unpadded']);
  });

  it('calls an image a face crop by its shape: up to 1024 px and at most 5:4 wide', () => {
    expect(looksLikeFaceCrop({ width: 350, height: 350 })).toBe(true);
    expect(looksLikeFaceCrop({ width: 48, height: 48 })).toBe(true);
    expect(looksLikeFaceCrop({ width: 356, height: 536 })).toBe(true);
    expect(looksLikeFaceCrop({ width: 640, height: 480 })).toBe(false);
    expect(looksLikeFaceCrop({ width: 1280, height: 720 })).toBe(false);
    expect(looksLikeFaceCrop({ width: 1080, height: 1080 })).toBe(false);
  });

  it.skipIf(!('images' in facesDev))('finds on faces-dev crops every face unpadded-first found, running the unpadded pass far less', async () => {
    if (!('images' in facesDev)) return;
    const sample = facesDev.images.slice(0, 24);
    const shaped = recording();
    const unpaddedFirst = recording({ passOrder: 'unpadded-first' });
    let foundShaped = 0;
    let foundBefore = 0;
    for (const { path } of sample) {
      const image = await decodeImage(readFileSync(path), path);
      if ((await shaped.detector.detect(image)).length > 0) foundShaped += 1;
      if ((await unpaddedFirst.detector.detect(image)).length > 0) foundBefore += 1;
    }
    expect(foundBefore).toBeGreaterThan(sample.length * 0.6);
    expect(foundShaped).toBeGreaterThanOrEqual(foundBefore);
    const unpaddedRuns = (passes: string[]) => passes.filter((pass) => pass === 'unpadded').length;
    expect(unpaddedRuns(unpaddedFirst.passes)).toBe(sample.length);
    expect(unpaddedRuns(shaped.passes)).toBeLessThan(sample.length / 2);
  });
});
