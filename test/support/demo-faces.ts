import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const demoDirectory = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** Real photos shipped in @vladmandic/face-api: sample1-6.jpg, several with more than one face. */
export function demoFace(number: 1 | 2 | 3 | 4 | 5 | 6): string {
  return join(demoDirectory, `sample${number}.jpg`);
}
