import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { EmolabelError } from '../errors.js';

/** Where emolabel found ffmpeg and ffprobe. */
export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** `env` (EMOLABEL_FFMPEG / EMOLABEL_FFPROBE), `system` (on PATH) or `npm` (bundled static build). */
  readonly source: 'env' | 'system' | 'npm';
}

let cached: FfmpegBinaries | undefined;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(command: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function bundledBinary(packageName: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const path = (require(packageName) as { path: string }).path;
    return isExecutable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves ffmpeg and ffprobe once: EMOLABEL_FFMPEG/EMOLABEL_FFPROBE if set, else a system build on
 * PATH, else the static binaries shipped by the `@ffmpeg-installer` and `@ffprobe-installer` packages.
 */
export function resolveFfmpeg(): FfmpegBinaries {
  if (cached !== undefined) return cached;
  const fromEnv = { ffmpeg: process.env.EMOLABEL_FFMPEG, ffprobe: process.env.EMOLABEL_FFPROBE };
  if (fromEnv.ffmpeg && fromEnv.ffprobe) {
    cached = { ffmpeg: fromEnv.ffmpeg, ffprobe: fromEnv.ffprobe, source: 'env' };
    return cached;
  }
  const system = { ffmpeg: findOnPath('ffmpeg'), ffprobe: findOnPath('ffprobe') };
  if (system.ffmpeg && system.ffprobe) {
    cached = { ffmpeg: system.ffmpeg, ffprobe: system.ffprobe, source: 'system' };
    return cached;
  }
  const bundled = { ffmpeg: bundledBinary('@ffmpeg-installer/ffmpeg'), ffprobe: bundledBinary('@ffprobe-installer/ffprobe') };
  if (bundled.ffmpeg && bundled.ffprobe) {
    cached = { ffmpeg: bundled.ffmpeg, ffprobe: bundled.ffprobe, source: 'npm' };
    return cached;
  }
  throw new EmolabelError(
    'media_error',
    'ffmpeg and ffprobe were not found: install ffmpeg (apt-get install ffmpeg), reinstall emolabel so its bundled ' +
      'binaries are present, or set EMOLABEL_FFMPEG and EMOLABEL_FFPROBE to their paths.',
  );
}
