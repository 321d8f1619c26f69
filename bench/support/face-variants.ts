import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { loadFacesDev } from '../../test/support/faces-dev.js';

export interface FaceVariantsOptions {
  /** How many distinct images. */
  readonly count: number;
  /** Longest side of each image, in pixels; undefined keeps the still's size. */
  readonly maxSide?: number;
  /** Where the folder is made. @default bench/out */
  readonly parent?: string;
}

/** The faces-dev stills, or an error saying where the set was looked for. */
export function facesDevStills(): string[] {
  const set = loadFacesDev();
  if ('missing' in set) throw new Error(set.missing);
  return set.images.map((image) => image.path);
}

/**
 * A folder of `count` distinct JPEGs made from the faces-dev stills: still `i % stills` shifted by
 * a few pixels, mirrored or re-encoded at another quality, so no two files have the same pixels and
 * the response cache answers none of them. Made once and reused (`face-<count>-<size>/`).
 */
export async function makeFaceVariants(options: FaceVariantsOptions): Promise<string> {
  const stills = facesDevStills();
  const folder = resolve(options.parent ?? 'bench/out', `faces-${options.count}-${options.maxSide ?? 'full'}`);
  if (existsSync(folder) && readdirSync(folder).length === options.count) return folder;
  mkdirSync(folder, { recursive: true });
  const variantsPerStill = 4 * 4 * 2 * 8;
  if (options.count > stills.length * variantsPerStill) throw new Error(`at most ${stills.length * variantsPerStill} distinct variants`);
  const started = performance.now();
  const make = async (index: number) => {
    const still = stills[index % stills.length] ?? '';
    const variant = Math.floor(index / stills.length);
    const [dx, dy, mirror, quality] = [variant % 4, Math.floor(variant / 4) % 4, Math.floor(variant / 16) % 2 === 1, 90 - (Math.floor(variant / 32) % 8)];
    const metadata = await sharp(still).metadata();
    const width = (metadata.width ?? 1) - dx;
    const height = (metadata.height ?? 1) - dy;
    let image = sharp(still).extract({ left: dx, top: dy, width, height });
    if (mirror) image = image.flop();
    if (options.maxSide !== undefined) image = image.resize({ width: options.maxSide, height: options.maxSide, fit: 'inside' });
    writeFileSync(join(folder, `face-${String(index).padStart(6, '0')}.jpg`), await image.jpeg({ quality }).toBuffer());
  };
  for (let start = 0; start < options.count; start += 64) {
    await Promise.all(Array.from({ length: Math.min(64, options.count - start) }, (_, offset) => make(start + offset)));
  }
  console.log(`  made ${options.count} distinct face images in ${folder} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return folder;
}
