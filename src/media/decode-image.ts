import sharp from 'sharp';
import type { RgbImage } from './rgb-image.js';
import { EmolabelError } from '../errors.js';

/** Images above this many pixels are refused before decoding (about 8K x 8K). */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

/**
 * Decodes an encoded image (JPEG, PNG, WebP, GIF's first frame …) to RGB, applying EXIF rotation.
 * Refuses images larger than {@link MAX_IMAGE_PIXELS} with a message naming the file.
 */
export async function decodeImage(encoded: Buffer, source: string): Promise<RgbImage> {
  return (await decodeStillImage(encoded, source)).image;
}

/**
 * {@link decodeImage}, with what the caller should be told about the file: an animated image
 * (WebP, GIF named as an image) is decoded from its first frame, and says so.
 */
export async function decodeStillImage(encoded: Buffer, source: string): Promise<{ image: RgbImage; warnings: string[] }> {
  if (encoded.length === 0) {
    throw new EmolabelError('media_error', `${source} is empty (0 bytes); re-export or remove it.`, { path: source });
  }
  try {
    // The header alone tells the size; check it before sharp's own limit gives a vaguer message.
    const metadata = await sharp(encoded, { limitInputPixels: false }).metadata();
    const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
    if (pixels > MAX_IMAGE_PIXELS) {
      throw new EmolabelError(
        'media_error',
        `${source} is ${metadata.width}x${metadata.height} pixels, above the ${MAX_IMAGE_PIXELS.toLocaleString('en')}-pixel limit; downscale it first.`,
        { path: source },
      );
    }
    const pipeline = sharp(encoded, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' });
    const { data, info } = await pipeline.rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const pages = metadata.pages ?? 1;
    const warnings = pages > 1 ? [`animated image with ${pages} frames: labelled from its first frame only (convert it to a video such as .mp4 to sample its frames)`] : [];
    return { image: toRgb(data, info.width, info.height, info.channels), warnings };
  } catch (error) {
    if (error instanceof EmolabelError) throw error;
    const reason = (error as Error).message.split('\n')[0];
    throw new EmolabelError('media_error', `${source} is not a readable image (${reason}); check the file or remove it.`, {
      cause: error,
      path: source,
    });
  }
}

function toRgb(data: Buffer, width: number, height: number, channels: number): RgbImage {
  if (channels === 3) return { data, width, height };
  // Greyscale JPEGs decode to one channel even after toColourspace; expand them.
  const rgb = Buffer.alloc(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    const grey = data[pixel * channels] ?? 0;
    rgb[pixel * 3] = grey;
    rgb[pixel * 3 + 1] = channels >= 3 ? (data[pixel * channels + 1] ?? grey) : grey;
    rgb[pixel * 3 + 2] = channels >= 3 ? (data[pixel * channels + 2] ?? grey) : grey;
  }
  return { data: rgb, width, height };
}

/** Encodes RGB pixels as JPEG (for LLM requests and review thumbnails). */
export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality }).toBuffer();
}
