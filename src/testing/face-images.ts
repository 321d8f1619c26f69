import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const demoDirectory = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** Real photos shipped in @vladmandic/face-api (a dependency, so always there): sample1-6.jpg, several with more than one face. */
export function demoFace(number: 1 | 2 | 3 | 4 | 5 | 6): string {
  return join(demoDirectory, `sample${number}.jpg`);
}

/**
 * Where the faces-dev set lives: `EMOLABEL_FACES_DEV`, else `../shared/data/faces-dev` beside the
 * package folder (this file is two folders down, in src/testing/ or dist/testing/).
 */
export function facesDevRoot(): string {
  const fromEnv = process.env.EMOLABEL_FACES_DEV;
  if (fromEnv) return resolve(fromEnv);
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/faces-dev');
}

/** An image of faces-dev with its gold label. */
export interface LabelledImage {
  readonly path: string;
  readonly label: string;
}

/** The labelled images of faces-dev (`labels.csv`: image,label), or why the set is not on this machine. */
export function loadFacesDev(): { images: LabelledImage[] } | { missing: string } {
  const root = facesDevRoot();
  const labels = join(root, 'labels.csv');
  if (!existsSync(labels)) return { missing: `faces-dev not found at ${root} (set EMOLABEL_FACES_DEV to its folder)` };
  const images = readFileSync(labels, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [image = '', label = ''] = line.split(',');
      return { path: join(root, image), label: label.trim() };
    });
  return { images };
}

/**
 * The annotator contract's default faces: a Happy, a Sad and a Surprise crop of faces-dev (350x350)
 * when the set is present, else face-api's demo photos 1-3.
 */
export function defaultContractFaces(): string[] {
  const facesDev = loadFacesDev();
  if (!('images' in facesDev)) return [demoFace(1), demoFace(2), demoFace(3)];
  return ['Happy', 'Sad', 'Surprise'].map((label) => {
    const image = facesDev.images.find((each) => each.label === label);
    if (image === undefined) throw new Error(`faces-dev at ${facesDevRoot()} has no ${label} image; the annotator contract needs one of each of Happy, Sad, Surprise.`);
    return image.path;
  });
}
