import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { FaceBox } from '../../src/faces/face-box.js';
import { createTinyFaceDetector } from '../../src/faces/tiny-face-detector.js';
import { cropImage } from '../../src/faces/transform-image.js';
import { decodeImage } from '../../src/media/decode-image.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { demoFace } from '../support/demo-faces.js';

const detector = createTinyFaceDetector();

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
