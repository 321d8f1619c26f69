import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { facesDevStills } from './face-variants.js';
import { makeClipFromStill } from '../../test/support/make-clips.js';

export interface BenchClipOptions {
  readonly count: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  /** Folder name prefix under bench/out. */
  readonly prefix: string;
  /**
   * Height of the still as a share of the frame's: the still is set on a grey canvas first, so the
   * face takes this part of the frame as in footage of a person, rather than filling it. @default 1
   */
  readonly faceShare?: number;
}

/** The still on a grey canvas of the frame's aspect, `faceShare` of its height, as a PNG beside the clips. */
async function composeStill(still: string, folder: string, options: BenchClipOptions): Promise<string> {
  const share = options.faceShare ?? 1;
  if (share >= 1) return still;
  const output = join(folder, 'stills', `${basename(still).replace(/\.[^.]+$/, '')}.png`);
  if (existsSync(output)) return output;
  mkdirSync(dirname(output), { recursive: true });
  const metadata = await sharp(still).metadata();
  const height = Math.round((metadata.height ?? 1) / share);
  const width = Math.round((height * options.width) / options.height);
  const top = Math.floor((height - (metadata.height ?? 1)) / 2);
  const left = Math.floor((width - (metadata.width ?? 1)) / 2);
  await sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).composite([{ input: still, top, left }]).png().toFile(output);
  return output;
}

/**
 * H.264 clips made from `count` faces-dev stills spread over the set (the face slowly zooms, see
 * makeClipFromStill), made once and kept in bench/out/<prefix>-WxH-FPSfps-Ss/. Returns the clip paths.
 */
export async function makeBenchClips(options: BenchClipOptions): Promise<string[]> {
  const stills = facesDevStills();
  const share = options.faceShare === undefined || options.faceShare >= 1 ? '' : `-face${Math.round(options.faceShare * 100)}`;
  const folder = resolve('bench/out', `${options.prefix}-${options.width}x${options.height}-${options.fps}fps-${options.seconds}s${share}`);
  mkdirSync(folder, { recursive: true });
  const step = Math.max(1, Math.floor(stills.length / options.count));
  const chosen = stills.filter((_, index) => index % step === 0).slice(0, options.count);
  const clips = chosen.map((still) => ({ still, clip: join(folder, `${basename(still).replace(/\.[^.]+$/, '')}.mp4`) }));
  const missing = clips.filter(({ clip }) => !existsSync(clip));
  for (let start = 0; start < missing.length; start += 4) {
    await Promise.all(missing.slice(start, start + 4).map(async ({ still, clip }) => makeClipFromStill(await composeStill(still, folder, options), clip, options)));
  }
  if (missing.length > 0) console.log(`  made ${missing.length} clips in ${folder}`);
  return clips.map(({ clip }) => clip);
}
