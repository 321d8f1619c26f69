import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaUnavailableError } from './review-media.js';
import { resolveFfmpeg } from '../media/ffmpeg-binaries.js';
import { runProcess } from '../media/run-process.js';
import type { ClipResult } from '../pipeline/clip-result.js';

/** Seconds of video shown before the first and after the last sampled frame. */
export const CLIP_CONTEXT_SEC = 1;
/** Longest stretch of a clip the page plays (long videos are cut around their sampled frames). */
export const MAX_CLIP_SEC = 30;

/** Where the played stretch of a video starts and how long it is: the sampled frames and a second either side. */
export function clipWindow(result: Pick<ClipResult, 'frames'>): { startSec: number; durationSec: number } {
  const times = result.frames.flatMap((frame) => (frame.timeSec === undefined ? [] : [frame.timeSec]));
  if (times.length === 0) return { startSec: 0, durationSec: MAX_CLIP_SEC };
  const startSec = Math.max(0, Math.min(...times) - CLIP_CONTEXT_SEC);
  const end = Math.max(...times) + CLIP_CONTEXT_SEC;
  return { startSec, durationSec: Math.min(MAX_CLIP_SEC, Math.max(0.5, end - startSec)) };
}

/**
 * The stretch of a video around its sampled frames, re-encoded by ffmpeg as WebM (VP8, no sound,
 * at most 640 px wide): every browser plays it, whatever the source's codec, and the page gets
 * video made from the file, never the file's own bytes.
 */
export async function clipWebm(result: Pick<ClipResult, 'kind' | 'path' | 'frames' | 'id'>): Promise<{ webm: Buffer; startSec: number }> {
  if (result.kind !== 'video') throw new MediaUnavailableError('not_in_run', `${result.id} is not a video`);
  if (!existsSync(result.path)) throw new MediaUnavailableError('missing', `${result.path} no longer exists`);
  const { startSec, durationSec } = clipWindow(result);
  // To a file, not a pipe: only a seekable output gets the duration and cues that let the player seek.
  const folder = await mkdtemp(join(tmpdir(), 'emolabel-clip-'));
  const file = join(folder, 'clip.webm');
  try {
    const args = [
      '-hide_banner', '-loglevel', 'error', '-ss', startSec.toFixed(3), '-t', durationSec.toFixed(3), '-i', result.path,
      '-an', '-vf', "scale='min(640,iw)':-2", '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-y', file,
    ];
    const output = await runProcess(resolveFfmpeg().ffmpeg, args, { timeoutMs: 60_000 });
    const webm = output.exitCode === 0 ? await readFile(file).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    if (webm.length === 0) {
      throw new MediaUnavailableError('unreadable', `ffmpeg could not cut ${result.path}: ${output.stderr.trim().split('\n').slice(-1)[0] || `exit ${output.exitCode}`}`);
    }
    return { webm, startSec };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The part of `body` a `Range: bytes=a-b` header asks for, or `undefined` for the whole (or an unreadable range). */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const start = match[1] === '' ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = match[1] === '' || match[2] === '' ? size - 1 : Math.min(size - 1, Number(match[2]));
  return start <= end && start < size ? { start, end } : undefined;
}
