import { resolveFfmpeg } from './ffmpeg-binaries.js';
import { checkVideoFile } from './read-media-file.js';
import { runProcess } from './run-process.js';
import { EmolabelError } from '../errors.js';

/** What sampling needs to know about a video's first video stream. */
export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** Number of frames, counted from the packets (exact, no decoding). */
  readonly frameCount: number;
  readonly fps: number;
  readonly durationSec: number;
}

interface ProbeJson {
  streams?: Array<{ width?: number; height?: number; nb_read_packets?: string; avg_frame_rate?: string; r_frame_rate?: string; duration?: string }>;
  format?: { duration?: string };
}

function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [numerator, denominator] = rate.split('/').map(Number);
  if (!numerator || !denominator) return 0;
  return numerator / denominator;
}

/** Reads a video's size, frame count, rate and duration with ffprobe; throws a clear error for non-videos. */
export async function probeVideo(path: string, signal?: AbortSignal): Promise<VideoInfo> {
  await checkVideoFile(path);
  const { ffprobe } = resolveFfmpeg();
  const args = ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries',
    'stream=width,height,nb_read_packets,avg_frame_rate,r_frame_rate,duration:format=duration', '-of', 'json', path];
  const output = await runProcess(ffprobe, args, { timeoutMs: 60_000, signal });
  let probe: ProbeJson = {};
  try {
    probe = JSON.parse(output.stdout.toString('utf8')) as ProbeJson;
  } catch {
    // Falls through to the error below with ffprobe's own words.
  }
  const stream = probe.streams?.[0];
  const frameCount = Number(stream?.nb_read_packets ?? 0);
  if (output.exitCode !== 0 || stream === undefined || !stream.width || !stream.height || frameCount === 0) {
    const reason = output.stderr.trim().split('\n').pop() || 'no video stream with frames';
    throw new EmolabelError('media_error', `${path} is not a readable video (${reason}); check the file or remove it.`, { path });
  }
  const fps = parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate);
  const durationSec = Number(stream.duration ?? probe.format?.duration ?? 0) || (fps > 0 ? frameCount / fps : 0);
  return { width: stream.width, height: stream.height, frameCount, fps: fps || frameCount / (durationSec || 1), durationSec };
}
