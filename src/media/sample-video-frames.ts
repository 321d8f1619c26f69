import { decodeImage } from './decode-image.js';
import { evenlySpacedIndices } from './evenly-spaced.js';
import { resolveFfmpeg } from './ffmpeg-binaries.js';
import type { Frame } from './media-item.js';
import { probeVideo } from './probe-video.js';
import { checkVideoFile } from './read-media-file.js';
import { runProcess } from './run-process.js';
import { JpegStreamSplitter } from './split-jpeg-stream.js';
import { EmolabelError } from '../errors.js';

/** Longest side of a decoded video frame; larger videos are scaled down inside ffmpeg. */
export const MAX_FRAME_SIDE = 1280;

/**
 * Frames `frameNumbers` (sorted, distinct) of a video as JPEG, in one ffmpeg pass over a pipe, scaled
 * to at most {@link MAX_FRAME_SIDE}; frame numbers past the end yield nothing. Throws naming the
 * file when ffmpeg decodes no frame at all.
 */
export async function pipeVideoFramesAsJpeg(
  path: string,
  frameNumbers: readonly number[],
  options: { readonly quality: number; readonly timeoutMs: number; readonly signal?: AbortSignal; readonly advice?: string },
): Promise<Buffer[]> {
  await checkVideoFile(path);
  const select = frameNumbers.map((index) => `eq(n\\,${index})`).join('+');
  const scale = `scale=w='min(iw\\,${MAX_FRAME_SIDE})':h='min(ih\\,${MAX_FRAME_SIDE})':force_original_aspect_ratio=decrease`;
  const args = ['-v', 'error', '-nostdin', '-i', path, '-an', '-vf', `select='${select}',${scale}`,
    '-vsync', '0', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', String(options.quality), '-'];
  const splitter = new JpegStreamSplitter();
  const jpegs: Buffer[] = [];
  const { ffmpeg } = resolveFfmpeg();
  const output = await runProcess(ffmpeg, args, { onStdout: (chunk) => jpegs.push(...splitter.push(chunk)), timeoutMs: options.timeoutMs, signal: options.signal });
  if (jpegs.length === 0) {
    const reason = output.stderr.trim().split('\n').pop() || `ffmpeg exited with code ${output.exitCode}`;
    throw new EmolabelError('media_error', `${path}: no frames could be decoded (${reason})${options.advice ?? ''}.`, { path });
  }
  return jpegs;
}

/**
 * Samples `count` evenly spaced frames of a video in one ffmpeg pass. Frames come over a pipe as
 * JPEG and are decoded in memory; nothing is written to disk.
 */
export async function sampleVideoFrames(path: string, count: number, signal?: AbortSignal): Promise<Frame[]> {
  const info = await probeVideo(path, signal);
  const indices = evenlySpacedIndices(info.frameCount, count);
  const jpegs = await pipeVideoFramesAsJpeg(path, indices, { quality: 2, timeoutMs: 300_000, signal, advice: '; check the file or remove it' });
  const frames: Frame[] = [];
  for (const [index, jpeg] of jpegs.entries()) {
    const sourceIndex = indices[index] ?? index;
    const image = await decodeImage(jpeg, `${path} frame ${sourceIndex}`);
    frames.push({ index, sourceIndex, timeSec: info.fps > 0 ? sourceIndex / info.fps : undefined, image });
  }
  return frames;
}
