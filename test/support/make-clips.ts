import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';
import { runProcess } from '../../src/media/run-process.js';

/** A fresh temporary folder, removed by the returned cleanup. */
export function makeTempDir(prefix = 'emolabel-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Makes a short clip from a still photo with ffmpeg: the face slowly zooms so frames differ.
 * `.gif` outputs are palette GIFs; other extensions are H.264 (mp4/mkv/mov) or VP8 (webm).
 */
export async function makeClipFromStill(
  still: string,
  output: string,
  options: { seconds?: number; fps?: number; width?: number; height?: number } = {},
): Promise<string> {
  const { seconds = 2, fps = 15, width = 480, height = 360 } = options;
  const { ffmpeg } = resolveFfmpeg();
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`;
  const codec = output.endsWith('.gif') ? [] : output.endsWith('.webm') ? ['-c:v', 'libvpx', '-b:v', '500k'] : ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'];
  const result = await runProcess(ffmpeg, ['-v', 'error', '-y', '-loop', '1', '-i', still, '-t', String(seconds), '-r', String(fps), '-vf', fit, ...codec, output]);
  if (result.exitCode !== 0) throw new Error(`ffmpeg could not make ${output}: ${result.stderr}`);
  return output;
}

/** A FERV39k-style frame folder: `count` frames named 1.jpg … count.jpg, all symlinks to one still. */
export function makeFrameFolder(still: string, folder: string, count: number): string {
  mkdirSync(folder, { recursive: true });
  for (let index = 1; index <= count; index += 1) symlinkSync(still, join(folder, `${index}.jpg`));
  return folder;
}
