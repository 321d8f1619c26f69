import { readFileSync } from 'node:fs';
import type { FaceCrop } from '../../src/faces/find-faces.js';
import { decodeImage } from '../../src/media/decode-image.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';

/** `count` real face crops in frame order: faces-dev (square 350 px crops) when present, else demo photos. */
export async function realCrops(count: number): Promise<FaceCrop[]> {
  const facesDev = loadFacesDev();
  const demo = [demoFace(1), demoFace(2), demoFace(3), demoFace(4), demoFace(5), demoFace(6)];
  const paths = 'images' in facesDev
    ? facesDev.images.filter((_, index) => index % 23 === 0).slice(0, count).map((image) => image.path)
    : Array.from({ length: count }, (_, index) => demo[index % demo.length]!);
  return Promise.all(paths.map(async (path, frameIndex) => ({ frameIndex, faceFound: true, image: await decodeImage(readFileSync(path), path) })));
}
