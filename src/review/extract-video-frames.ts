import { pipeVideoFramesAsJpeg } from '../media/sample-video-frames.js';

/**
 * Extracts frames of a video by frame number, as JPEG, in one ffmpeg pass. Frames are scaled as
 * `sampleVideoFrames` scaled them, so face boxes stored in frame pixels line up. Returns a map from
 * frame number to JPEG; numbers past the end are missing from it.
 */
export async function extractVideoFrames(path: string, frameNumbers: readonly number[]): Promise<Map<number, Buffer>> {
  const wanted = [...new Set(frameNumbers.filter((number) => Number.isInteger(number) && number >= 0))].sort((a, b) => a - b);
  if (wanted.length === 0) return new Map();
  const jpegs = await pipeVideoFramesAsJpeg(path, wanted, { quality: 3, timeoutMs: 60_000 });
  const frames = new Map<number, Buffer>();
  jpegs.forEach((jpeg, index) => {
    const number = wanted[index];
    if (number !== undefined) frames.set(number, jpeg);
  });
  return frames;
}
