import { loadFacesDev, type LabelledImage } from '../../src/testing/face-images.js';

// faces-dev's reader moved to src/testing/ (the annotator contract's default faces); tests keep importing it from here.
export { facesDevRoot, loadFacesDev, type LabelledImage } from '../../src/testing/face-images.js';

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
