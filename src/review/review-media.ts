import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import sharp from 'sharp';
import { extractVideoFrames } from './extract-video-frames.js';
import { expandBox } from '../faces/face-box.js';
import { DEFAULT_FACE_MARGIN } from '../faces/find-faces.js';
import { MAX_IMAGE_PIXELS } from '../media/decode-image.js';
import { readImageFile } from '../media/read-media-file.js';
import type { ClipResult, FrameRecord } from '../pipeline/clip-result.js';

/** Why a picture cannot be shown: the file is gone, it is not an image, or it is not part of the run. */
export type MediaProblem = 'missing' | 'unreadable' | 'not_in_run';

/** Thrown by {@link ReviewMedia} when a picture cannot be made; the server answers with a placeholder. */
export class MediaUnavailableError extends Error {
  override readonly name = 'MediaUnavailableError';
  constructor(readonly problem: MediaProblem, message: string) {
    super(message);
  }
}

/** Longest side of a served face crop. */
const CROP_SIDE = 256;
/** Frames kept in memory, so the crops of a clip reuse its frames. */
const CACHE_SIZE = 96;

/**
 * The file one frame of a result comes from: the image itself, the video, or a frame file that must
 * sit directly in the result's frame folder. Paths come only from the run's stored results, never
 * from a request, so nothing outside the run can be named.
 */
export function frameSource(result: Pick<ClipResult, 'kind' | 'path'>, frame: FrameRecord): string {
  if (result.kind !== 'frames') return result.path;
  const file = frame.file === undefined ? '' : resolve(frame.file);
  if (file === '' || dirname(file) !== resolve(result.path)) {
    throw new MediaUnavailableError('not_in_run', `frame ${frame.index} of ${result.path} names no file inside the clip's folder`);
  }
  return file;
}

/** Whether the file behind a frame is still on disk (a deleted file is shown as a placeholder). */
export function isFrameMissing(result: Pick<ClipResult, 'kind' | 'path'>, frame: FrameRecord): boolean {
  try {
    return !existsSync(frameSource(result, frame));
  } catch {
    return true;
  }
}

/**
 * Renders the pictures of the review page from a run's media: whole frames (in the pixel space of
 * the stored face boxes) and face crops. Output is always re-encoded JPEG, never the file's bytes, so
 * a file that is not an image cannot leak through.
 */
export class ReviewMedia {
  private readonly cache = new Map<string, Promise<Buffer>>();

  /** The frame at `frameIndex` of `result.frames`, as JPEG. */
  async frameJpeg(result: ClipResult, frameIndex: number): Promise<Buffer> {
    const frame = result.frames[frameIndex];
    if (!frame) throw new MediaUnavailableError('not_in_run', `${result.id} has no frame ${frameIndex}`);
    const source = frameSource(result, frame);
    if (!existsSync(source)) throw new MediaUnavailableError('missing', `${source} no longer exists`);
    if (result.kind === 'video') return this.videoFrame(result, frame.sourceIndex);
    return this.remember(`image:${source}`, () => imageJpeg(source));
  }

  /** The face crop of the frame at `frameIndex` (its box grown by `margin`), as JPEG. */
  async cropJpeg(result: ClipResult, frameIndex: number, margin = DEFAULT_FACE_MARGIN): Promise<Buffer> {
    const box = result.frames[frameIndex]?.box;
    if (!box) throw new MediaUnavailableError('not_in_run', `${result.id} has no face box in frame ${frameIndex}`);
    const frame = await this.frameJpeg(result, frameIndex);
    const { width = 0, height = 0 } = await sharp(frame).metadata();
    const region = expandBox(box, margin, width, height);
    if (region.x >= width || region.y >= height) throw new MediaUnavailableError('unreadable', `the face box of ${result.id} lies outside its frame`);
    return sharp(frame)
      .extract({ left: region.x, top: region.y, width: Math.min(region.width, width - region.x), height: Math.min(region.height, height - region.y) })
      .resize({ width: CROP_SIDE, height: CROP_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 88 })
      .toBuffer();
  }

  private videoFrame(result: ClipResult, sourceIndex: number): Promise<Buffer> {
    const key = (number: number) => `video:${result.path}:${number}`;
    const cached = this.cache.get(key(sourceIndex));
    if (cached) return cached;
    // One ffmpeg pass fills every frame of the clip, so the other frames and crops come from memory.
    const numbers = result.frames.map((frame) => frame.sourceIndex);
    const batch = extractVideoFrames(result.path, numbers).catch((error: unknown) => {
      throw new MediaUnavailableError('unreadable', (error as Error).message);
    });
    for (const number of numbers) {
      this.store(key(number), batch.then((frames) => frames.get(number) ?? Promise.reject(new MediaUnavailableError('unreadable', `${result.path} has no frame ${number}`))));
    }
    return this.cache.get(key(sourceIndex)) as Promise<Buffer>;
  }

  private remember(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const made = make();
    this.store(key, made);
    return made;
  }

  private store(key: string, value: Promise<Buffer>): void {
    // A failure is not cached: the file may be fixed or restored while the page is open.
    value.catch(() => this.cache.delete(key));
    this.cache.set(key, value);
    while (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

async function imageJpeg(path: string): Promise<Buffer> {
  let encoded: Buffer;
  try {
    // Only a regular file under the image size cap: a FIFO or /dev/zero gets a placeholder at once.
    encoded = await readImageFile(path);
  } catch (error) {
    const gone = (error as { cause?: { code?: string } }).cause?.code === 'ENOENT';
    throw new MediaUnavailableError(gone ? 'missing' : 'unreadable', (error as Error).message);
  }
  try {
    // rotate() applies EXIF orientation, as decodeImage did when the boxes were found.
    return await sharp(encoded, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).rotate().jpeg({ quality: 88 }).toBuffer();
  } catch (error) {
    throw new MediaUnavailableError('unreadable', `${path} is not a readable image: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** An SVG shown in place of a picture that cannot be rendered. */
export function placeholderSvg(problem: MediaProblem): string {
  const text = problem === 'missing' ? 'media file missing' : problem === 'unreadable' ? 'media unreadable' : 'not part of this run';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240"><rect width="320" height="240" fill="#e5e7eb"/>` +
    `<path d="M120 150l30-40 25 30 15-20 30 30z" fill="#9ca3af"/><text x="160" y="195" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#4b5563">${text}</text></svg>`;
}
