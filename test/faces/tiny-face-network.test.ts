import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadFaceApi } from '../../src/faces/face-api-runtime.js';
import type { FaceBox } from '../../src/faces/face-box.js';
import { detectTinyFaces } from '../../src/faces/tiny-face-network.js';
import { limitImageSize } from '../../src/faces/transform-image.js';
import { decodeImage } from '../../src/media/decode-image.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';

const facesDev = loadFacesDev();

/** face-api's own `detectAllFaces` with the tiny detector on the image as it is, boxes largest first. */
async function faceApiDetect(image: RgbImage, inputSize: number, minScore: number): Promise<FaceBox[]> {
  const { faceapi, tf } = await loadFaceApi();
  const tensor = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    const found = await faceapi.detectAllFaces(tensor as unknown as Parameters<typeof faceapi.detectAllFaces>[0], new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore }));
    return bySize(found.map(({ box, score }) => ({ x: box.x, y: box.y, width: box.width, height: box.height, score })));
  } finally {
    tensor.dispose();
  }
}

const bySize = (boxes: FaceBox[]) => [...boxes].sort((a, b) => b.width * b.height - a.width * a.height);

/** The same faces: as many, each box within `tolerance` of its width, scores within 0.05. */
function expectSameFaces(ours: FaceBox[], theirs: FaceBox[], tolerance: number): void {
  expect(ours).toHaveLength(theirs.length);
  for (const [index, box] of bySize(ours).entries()) {
    const twin = theirs[index]!;
    for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(box[key] - twin[key])).toBeLessThanOrEqual(tolerance * twin.width);
    expect(Math.abs(box.score - twin.score)).toBeLessThan(0.05);
  }
}

async function decoded(path: string): Promise<RgbImage> {
  return decodeImage(readFileSync(path), path);
}

describe('the fused tiny face network finds what face-api itself finds', () => {
  it('on the demo photos (landscape, several faces), at input 416', async () => {
    const runtime = await loadFaceApi();
    let faces = 0;
    for (const number of [1, 2, 3, 4, 5, 6] as const) {
      const image = await limitImageSize(await decoded(demoFace(number)), 416);
      const theirs = await faceApiDetect(image, 416, 0.4);
      expectSameFaces(await detectTinyFaces(runtime, image, 416, 0.4), theirs, 0.02);
      faces += theirs.length;
    }
    expect(faces).toBeGreaterThanOrEqual(15);
  });

  it('on a square photo smaller than the input (scaled up as face-api does), to float rounding', async () => {
    const runtime = await loadFaceApi();
    const source = await decoded(demoFace(1));
    const { data, info } = await sharp(source.data, { raw: { width: source.width, height: source.height, channels: 3 } })
      .extract({ left: 320, top: 0, width: 1280, height: 1280 }).resize(300, 300).raw().toBuffer({ resolveWithObject: true });
    const image = { data, width: info.width, height: info.height };
    const theirs = await faceApiDetect(image, 416, 0.4);
    expect(theirs.length).toBeGreaterThanOrEqual(2);
    expectSameFaces(await detectTinyFaces(runtime, image, 416, 0.4), theirs, 0.001);
  });

  it.skipIf(!('images' in facesDev))('on faces-dev crops in a black border written into the input, as face-api on the padded image', async () => {
    if (!('images' in facesDev)) return;
    const runtime = await loadFaceApi();
    let faces = 0;
    for (const { path } of facesDev.images.slice(0, 12)) {
      const small = await limitImageSize(await decoded(path), 160);
      const offset = Math.round(Math.max(small.width, small.height) * 0.5);
      const { data, info } = await sharp(small.data, { raw: { width: small.width, height: small.height, channels: 3 } })
        .extend({ top: offset, bottom: offset, left: offset, right: offset, background: { r: 0, g: 0, b: 0 } }).raw().toBuffer({ resolveWithObject: true });
      const theirs = await faceApiDetect({ data, width: info.width, height: info.height }, 320, 0.2);
      expectSameFaces(await detectTinyFaces(runtime, small, 320, 0.2, { offset, value: 0 }), theirs, 0.02);
      faces += theirs.length;
    }
    expect(faces).toBeGreaterThanOrEqual(8);
  });
});
