import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { resolveFfmpeg } from '../media/ffmpeg-binaries.js';
import { probeVideo } from '../media/probe-video.js';
import { runProcess } from '../media/run-process.js';
import { listFrameFiles } from '../media/sample-folder-frames.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { describeError } from '../errors.js';

/** What Label Studio is given for one item: the file it shows and, for a clip, its timing. */
export interface LabelStudioMedia {
  /** `image`: an `<Image>` task (`data.image`); `video`: a `<Video>` task (`data.video`). */
  readonly shownAs: 'image' | 'video';
  /** The file Label Studio loads: the input itself, or the MP4 made from a GIF or a frame folder. */
  readonly path: string;
  /** That file's path relative to the input root (`clips/a.mp4`, and `clips/a.mp4` for `clips/a.gif` made into MP4). */
  readonly relativePath: string;
  /** Frames per second, the clip's real frame count and its duration in seconds (videos only). */
  readonly fps?: number;
  readonly framesCount?: number;
  readonly durationSec?: number;
}

export interface LabelStudioMediaOptions {
  /** The run's inputs (absolute paths): relative paths are taken from the one holding each item. */
  readonly inputs: readonly string[];
  /**
   * Where GIFs and frame folders are written as H.264 MP4 (their input-relative layout kept); without
   * it they stay as they are and become image tasks (a frame folder: its first labelled frame).
   */
  readonly convertInto?: string;
  /** Frame rate given to a frame folder made into MP4. @default 25 */
  readonly folderFps?: number;
  /** Told about each item whose media could not be read or converted. */
  readonly onWarning?: (message: string) => void;
}

/** The default frame rate of a frame folder made into a video (FERV39k-style folders carry none). */
export const DEFAULT_FOLDER_FPS = 25;

/**
 * `path` relative to the run input that holds it: a folder input is its own root, a file input
 * (an image, a clip or a manifest) roots at its folder. Forward slashes, whatever the platform.
 */
export function pathRelativeToInputs(path: string, inputs: readonly string[], inputKinds: ReadonlyMap<string, boolean>): string {
  let best: string | undefined;
  for (const input of inputs) {
    const root = inputKinds.get(input) ? input : dirname(input);
    const inside = relative(root, path);
    if (inside === '' || inside.startsWith('..') || inside.startsWith(sep)) continue;
    if (best === undefined || inside.length < best.length) best = inside;
  }
  return (best ?? path.split(sep).pop() ?? path).split(sep).join('/');
}

/** Which inputs are folders (a gone input counts as a file). */
export function folderInputs(inputs: readonly string[]): Map<string, boolean> {
  return new Map(inputs.map((input) => [input, statSync(input, { throwIfNoEntry: false })?.isDirectory() ?? false]));
}

/** The media of each item as it was input, without reading any file: no timing, no conversion. */
export function inputMedia(results: readonly ClipResult[], inputs: readonly string[]): Map<string, LabelStudioMedia> {
  const kinds = folderInputs(inputs);
  const media = new Map<string, LabelStudioMedia>();
  for (const result of results) {
    const path = result.kind === 'frames' ? (result.frames[0]?.file ?? result.path) : result.path;
    const shownAs = result.kind === 'video' && extname(path).toLowerCase() !== '.gif' ? 'video' : 'image';
    if (!media.has(result.id)) media.set(result.id, { shownAs, path, relativePath: pathRelativeToInputs(path, inputs, kinds) });
  }
  return media;
}

const withMp4Extension = (relativePath: string) => `${relativePath.slice(0, relativePath.length - extname(relativePath).length)}.mp4`;

/** Scales to even sides (H.264 in yuv420p needs them) and writes a browser-playable MP4. */
const H264_OUTPUT = ['-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'];

async function ffmpeg(args: readonly string[], input?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  const { ffmpeg: binary } = resolveFfmpeg();
  if (input === undefined) {
    const result = await runProcess(binary, ['-v', 'error', '-y', ...args], { timeoutMs: 600_000 });
    if (result.exitCode !== 0) throw new Error(result.stderr.trim().split('\n').pop() ?? `ffmpeg exited with ${result.exitCode}`);
    return;
  }
  const child = spawn(binary, ['-v', 'error', '-y', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.on('error', () => undefined);
  await input(child.stdin);
  child.stdin.end();
  const code = await closed;
  if (code !== 0) throw new Error(Buffer.concat(stderr).toString('utf8').trim().split('\n').pop() ?? `ffmpeg exited with ${code}`);
}

/** A GIF as MP4, every GIF frame kept once (no frames dropped or repeated, so frame numbers still match). */
export async function convertGifToMp4(gif: string, output: string): Promise<void> {
  await mkdir(dirname(output), { recursive: true });
  await ffmpeg(['-i', gif, '-vsync', '0', ...H264_OUTPUT, output]);
}

/**
 * A frame folder as MP4 at `fps`: frame N of the video is the folder's N-th image in natural order
 * (the numbering results use), each resized to the first image's size.
 */
export async function convertFrameFolderToMp4(folder: string, output: string, fps: number): Promise<number> {
  const files = (await listFrameFiles(folder)).map((name) => join(folder, name));
  const first = files[0];
  if (first === undefined) throw new Error(`${folder} holds no images`);
  const { width = 0, height = 0 } = await sharp(first).metadata();
  await mkdir(dirname(output), { recursive: true });
  await ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps), '-i', '-', ...H264_OUTPUT, output], async (stdin) => {
    for (const file of files) {
      const pixels = await sharp(file).removeAlpha().resize(width, height, { fit: 'fill' }).raw().toBuffer();
      if (!stdin.write(pixels)) await new Promise((resolve) => stdin.once('drain', resolve));
    }
  });
  return files.length;
}

/**
 * Finds, and where asked makes, the media Label Studio is given for each item of `results`: videos
 * are probed (fps, frame count, duration); GIFs and frame folders become H.264 MP4 under
 * `convertInto` (Label Studio's `<Video>` plays neither), else image tasks. Keyed by item id.
 */
export async function prepareLabelStudioMedia(results: readonly ClipResult[], options: LabelStudioMediaOptions): Promise<Map<string, LabelStudioMedia>> {
  const kinds = folderInputs(options.inputs);
  const media = new Map<string, LabelStudioMedia>();
  const fps = options.folderFps ?? DEFAULT_FOLDER_FPS;
  for (const result of results) {
    if (media.has(result.id)) continue;
    const relativePath = pathRelativeToInputs(result.path, options.inputs, kinds);
    const asImage = (): LabelStudioMedia => {
      const frameFile = result.kind === 'frames' ? result.frames[0]?.file : undefined;
      return frameFile === undefined
        ? { shownAs: 'image', path: result.path, relativePath }
        : { shownAs: 'image', path: frameFile, relativePath: pathRelativeToInputs(frameFile, options.inputs, kinds) };
    };
    const isGif = result.kind === 'video' && extname(result.path).toLowerCase() === '.gif';
    try {
      if (result.kind === 'image') {
        media.set(result.id, asImage());
      } else if (result.kind === 'video' && !isGif) {
        const info = await probeVideo(result.path);
        media.set(result.id, { shownAs: 'video', path: result.path, relativePath, fps: info.fps, framesCount: info.frameCount, durationSec: info.durationSec });
      } else if (options.convertInto === undefined) {
        media.set(result.id, asImage());
      } else {
        const mp4Relative = result.kind === 'frames' ? `${relativePath}.mp4` : withMp4Extension(relativePath);
        const output = join(options.convertInto, ...mp4Relative.split('/'));
        if (result.kind === 'frames') await convertFrameFolderToMp4(result.path, output, fps);
        else await convertGifToMp4(result.path, output);
        const info = await probeVideo(output);
        media.set(result.id, { shownAs: 'video', path: output, relativePath: mp4Relative, fps: info.fps, framesCount: info.frameCount, durationSec: info.durationSec });
      }
    } catch (error) {
      options.onWarning?.(`${result.path}: ${describeError(error)}; exported as ${result.kind === 'video' && !isGif ? 'a video without its timing' : 'an image'}.`);
      media.set(result.id, result.kind === 'video' && !isGif ? { shownAs: 'video', path: result.path, relativePath } : asImage());
    }
  }
  return media;
}
