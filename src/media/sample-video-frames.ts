import { decodeImage } from './decode-image.js';
import { evenlySpacedIndices } from './evenly-spaced.js';
import { resolveFfmpeg } from './ffmpeg-binaries.js';
import type { Frame } from './media-item.js';
import { probeVideo } from './probe-video.js';
import { runProcess } from './run-process.js';
import { JpegStreamSplitter } from './split-jpeg-stream.js';
import { EmolabelError } from '../errors.js';

/** Longest side of a decoded video frame; larger videos are scaled down inside ffmpeg. */
export const MAX_FRAME_SIDE = 1280;

/**
 * Samples `count` evenly spaced frames of a video in one ffmpeg pass. Frames come over a pipe as
 * JPEG and are decoded in memory; nothing is written to disk.
 */
export async function sampleVideoFrames(path: string, count: number, signal?: AbortSignal): Promise<Frame[]> {
  const info = await probeVideo(path, signal);
  const indices = evenlySpacedIndices(info.frameCount, count);
  const select = indices.map((index) => `eq(n\\,${index})`).join('+');
  const scale = `scale=w='min(iw\\,${MAX_FRAME_SIDE})':h='min(ih\\,${MAX_FRAME_SIDE})':force_original_aspect_ratio=decrease`;
  const args = ['-v', 'error', '-nostdin', '-i', path, '-an', '-vf', `select='${select}',${scale}`,
    '-vsync', '0', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '2', '-'];
  const splitter = new JpegStreamSplitter();
  const jpegs: Buffer[] = [];
  const { ffmpeg } = resolveFfmpeg();
  const output = await runProcess(ffmpeg, args, {
    onStdout: (chunk) => jpegs.push(...splitter.push(chunk)),
    timeoutMs: 300_000,
    signal,
  });
  if (jpegs.length === 0) {
    const reason = output.stderr.trim().split('\n').pop() || `ffmpeg exited with code ${output.exitCode}`;
    throw new EmolabelError('media_error', `${path}: no frames could be decoded (${reason}); check the file or remove it.`, { path });
  }
  const frames: Frame[] = [];
  for (const [index, jpeg] of jpegs.entries()) {
    const sourceIndex = indices[index] ?? index;
    const image = await decodeImage(jpeg, `${path} frame ${sourceIndex}`);
    frames.push({ index, sourceIndex, timeSec: info.fps > 0 ? sourceIndex / info.fps : undefined, image });
  }
  return frames;
}
