import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../media/rgb-image.js';

function fromRaw(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function toRgb(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Adds a border of `fraction` of the longer side around the image (helps detectors on tight crops); grey unless told. */
export async function padImage(image: RgbImage, fraction: number, color: 'grey' | 'black' = 'grey'): Promise<{ image: RgbImage; offset: number }> {
  const offset = Math.round(Math.max(image.width, image.height) * fraction);
  const value = color === 'black' ? 0 : 128;
  const padded = await toRgb(
    fromRaw(image).extend({ top: offset, bottom: offset, left: offset, right: offset, background: { r: value, g: value, b: value } }),
  );
  return { image: padded, offset };
}

/** Cuts a rectangle out of an image; the rectangle must lie inside it. */
export async function cropImage(image: RgbImage, region: { x: number; y: number; width: number; height: number }): Promise<RgbImage> {
  return toRgb(fromRaw(image).extract({ left: region.x, top: region.y, width: region.width, height: region.height }));
}

/** Scales an image so its longer side is at most `maxSide` pixels; smaller images are returned as they are. */
export async function limitImageSize(image: RgbImage, maxSide: number): Promise<RgbImage> {
  if (Math.max(image.width, image.height) <= maxSide) return image;
  return toRgb(fromRaw(image).resize({ width: maxSide, height: maxSide, fit: 'inside' }));
}
