import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { EmolabelError } from '../errors.js';

/**
 * Largest image file read (200 MiB). An image is read whole into memory before decoding, so a
 * bigger file (or a link to a device that never ends) is refused before any byte is read.
 */
export const MAX_IMAGE_FILE_BYTES = 200 * 1024 * 1024;

/** Largest video file handed to ffmpeg (64 GiB); ffmpeg streams it, so the cap only stops absurd inputs. */
export const MAX_VIDEO_FILE_BYTES = 64 * 1024 ** 3;

function describeType(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  if (info.isDirectory()) return 'a folder';
  return 'not a plain file';
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Throws naming the file unless `info` (of the file a link points to) is a regular file of at most `maxBytes`. */
function assertRegularFile(file: string, info: Stats, maxBytes: number, what: string): void {
  if (!info.isFile()) {
    throw new EmolabelError('media_error', `${file} is ${describeType(info)}, not a regular file; only regular ${what} files are read, so point it at one or remove it.`, { path: file });
  }
  if (info.size > maxBytes) {
    throw new EmolabelError('media_error', `${file} is ${formatMiB(info.size)}, above the ${maxBytes / 1024 / 1024} MiB limit for ${what === 'image' ? 'an' : 'a'} ${what} file; shrink it or remove it.`, { path: file });
  }
}

function fileError(file: string, error: unknown): EmolabelError {
  const code = (error as NodeJS.ErrnoException).code;
  const what = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : (error as Error).message;
  return new EmolabelError('media_error', `${file} ${what}.`, { cause: error, path: file });
}

/**
 * Reads an image file whole, after checking (on the opened file, links followed) that it is a
 * regular file of at most `maxBytes`. Opened non-blocking, so a FIFO is refused instead of waiting
 * for a writer; a device such as /dev/zero is refused before any byte is read.
 * `maxBytes` defaults to {@link MAX_IMAGE_FILE_BYTES}.
 */
export async function readImageFile(file: string, maxBytes = MAX_IMAGE_FILE_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fileError(file, error);
  }
  try {
    const info = await handle.stat();
    assertRegularFile(file, info, maxBytes, 'image');
    // Read what the file held when opened: a file growing meanwhile cannot push past the cap.
    const buffer = Buffer.alloc(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof EmolabelError) throw error;
    throw fileError(file, error);
  } finally {
    await handle.close();
  }
}

/**
 * Checks, before ffmpeg opens it, that a video path (links followed) is a regular file of at most
 * `maxBytes`: a FIFO would hang ffprobe and a device would stream forever.
 * `maxBytes` defaults to {@link MAX_VIDEO_FILE_BYTES}.
 */
export async function checkVideoFile(file: string, maxBytes = MAX_VIDEO_FILE_BYTES): Promise<void> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw fileError(file, error);
  }
  assertRegularFile(file, info, maxBytes, 'video');
}
