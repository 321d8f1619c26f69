import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeImage } from './decode-image.js';
import { evenlySpacedIndices, sortNatural } from './evenly-spaced.js';
import { type Frame, isImagePath } from './media-item.js';
import { readImageFile } from './read-media-file.js';
import { EmolabelError } from '../errors.js';

/** The image files directly inside a frame folder, in natural name order (2.jpg before 10.jpg). */
export async function listFrameFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new EmolabelError('media_error', `Cannot read frame folder ${folder}: ${(error as Error).message}`, { cause: error, path: folder });
  }
  return sortNatural(names.filter(isImagePath));
}

/** Samples `count` evenly spaced frames from a folder of frame images (FERV39k layout). */
export async function sampleFolderFrames(folder: string, count: number): Promise<Frame[]> {
  const files = await listFrameFiles(folder);
  if (files.length === 0) {
    throw new EmolabelError('media_error', `Frame folder ${folder} holds no images (.jpg, .png, .webp); check the path.`, { path: folder });
  }
  const frames: Frame[] = [];
  for (const [index, sourceIndex] of evenlySpacedIndices(files.length, count).entries()) {
    const file = join(folder, files[sourceIndex] ?? '');
    const image = await decodeImage(await readImageFile(file), file);
    frames.push({ index, sourceIndex, file, image });
  }
  return frames;
}
