import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the shared faces-dev set lives: EMOLABEL_FACES_DEV, else ../shared/data/faces-dev beside the repo. */
export function facesDevRoot(): string {
  const fromEnv = process.env.EMOLABEL_FACES_DEV;
  if (fromEnv) return resolve(fromEnv);
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/faces-dev');
}

export interface LabelledImage {
  readonly path: string;
  readonly label: string;
}

/** The labelled images of faces-dev, or undefined (with the reason) when the set is not on this machine. */
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
 * faces-dev for a test file: its images (empty when absent) and why it is missing, if it is; a
 * missing set is announced once with what will be skipped (`describe.skipIf(missing !== undefined)`).
 */
export function facesDevForTests(skipped: string): { images: LabelledImage[]; missing: string | undefined } {
  const set = loadFacesDev();
  if ('missing' in set) {
    console.warn(`Skipping ${skipped}: ${set.missing}`);
    return { images: [], missing: set.missing };
  }
  return { images: set.images, missing: undefined };
}
