import { EmolabelError } from '../errors.js';
import { resolveFfmpeg } from '../media/ffmpeg-binaries.js';
import { runProcess } from '../media/run-process.js';
import { MAX_FRAME_SIDE } from '../media/sample-video-frames.js';
import { JpegStreamSplitter } from '../media/split-jpeg-stream.js';

/**
 * Extracts frames of a video by frame number, as JPEG, in one ffmpeg pass. Frames are scaled as
 * `sampleVideoFrames` scaled them, so face boxes stored in frame pixels line up. Returns a map from
 * frame number to JPEG; numbers past the end are missing from it.
 */
export async function extractVideoFrames(path: string, frameNumbers: readonly number[]): Promise<Map<number, Buffer>> {
  const wanted = [...new Set(frameNumbers.filter((number) => Number.isInteger(number) && number >= 0))].sort((a, b) => a - b);
  if (wanted.length === 0) return new Map();
  const select = wanted.map((number) => `eq(n\\,${number})`).join('+');
  const scale = `scale=w='min(iw\\,${MAX_FRAME_SIDE})':h='min(ih\\,${MAX_FRAME_SIDE})':force_original_aspect_ratio=decrease`;
  const args = ['-v', 'error', '-nostdin', '-i', path, '-an', '-vf', `select='${select}',${scale}`,
    '-vsync', '0', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '3', '-'];
  const splitter = new JpegStreamSplitter();
  const jpegs: Buffer[] = [];
  const output = await runProcess(resolveFfmpeg().ffmpeg, args, { onStdout: (chunk) => jpegs.push(...splitter.push(chunk)), timeoutMs: 60_000 });
  if (jpegs.length === 0) {
    const reason = output.stderr.trim().split('\n').pop() || `ffmpeg exited with code ${output.exitCode}`;
    throw new EmolabelError('media_error', `${path}: no frames could be decoded (${reason}).`, { path });
  }
  const frames = new Map<number, Buffer>();
  jpegs.forEach((jpeg, index) => {
    const number = wanted[index];
    if (number !== undefined) frames.set(number, jpeg);
  });
  return frames;
}
