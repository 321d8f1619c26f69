import { decodeStillImage } from './decode-image.js';
import type { Frame, MediaItem } from './media-item.js';
import { readImageFile } from './read-media-file.js';
import { sampleFolderFrames } from './sample-folder-frames.js';
import { sampleVideoFrames } from './sample-video-frames.js';

/** Default number of frames sampled from a video or frame folder. */
export const DEFAULT_FRAME_COUNT = 8;

/** Decodes the frames of an item: the image itself, or `frameCount` evenly spaced frames of a clip. */
export async function loadFrames(item: MediaItem, frameCount = DEFAULT_FRAME_COUNT, signal?: AbortSignal): Promise<Frame[]> {
  switch (item.kind) {
    case 'image': {
      const { image, warnings } = await decodeStillImage(await readImageFile(item.path), item.path);
      return [{ index: 0, sourceIndex: 0, file: item.path, image, ...(warnings.length > 0 ? { warnings } : {}) }];
    }
    case 'video':
      return sampleVideoFrames(item.path, frameCount, signal);
    case 'frames':
      return sampleFolderFrames(item.path, frameCount);
  }
}
