import { execFileSync } from 'node:child_process';
import { closeSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFrames } from '../../src/media/load-frames.js';
import { MAX_IMAGE_FILE_BYTES } from '../../src/media/read-media-file.js';
import { makeTempDir } from '../support/make-clips.js';

/** A file of `bytes` that takes no disk space (sparse). */
function sparseFile(path: string, bytes: number): string {
  const descriptor = openSync(path, 'w');
  try {
    execFileSync('truncate', ['-s', String(bytes), path]);
  } finally {
    closeSync(descriptor);
  }
  return path;
}

describe('special files and size caps', () => {
  const { dir, cleanup } = makeTempDir('emolabel-special-files-');
  afterAll(cleanup);

  it('refuses a FIFO named .jpg at once instead of waiting for a writer', async () => {
    const fifo = join(dir, 'pipe.jpg');
    execFileSync('mkfifo', [fifo]);
    await expect(loadFrames({ id: 'pipe', path: fifo, kind: 'image' })).rejects.toThrow(/pipe\.jpg is a FIFO \(named pipe\), not a regular file/);
  }, 5_000);

  it('refuses a FIFO named .mp4 before ffprobe waits on it', async () => {
    const fifo = join(dir, 'pipe.mp4');
    execFileSync('mkfifo', [fifo]);
    await expect(loadFrames({ id: 'pipe', path: fifo, kind: 'video' })).rejects.toThrow(/pipe\.mp4 is a FIFO \(named pipe\), not a regular file/);
  }, 5_000);

  it('refuses a .jpg symlink to /dev/zero or /dev/urandom without reading it', async () => {
    for (const device of ['/dev/zero', '/dev/urandom']) {
      const link = join(dir, `${device.split('/').pop()}.jpg`);
      symlinkSync(device, link);
      await expect(loadFrames({ id: 'device', path: link, kind: 'image' })).rejects.toThrow(/is a character device, not a regular file/);
    }
  }, 5_000);

  it('refuses an image file above the size cap, naming the file and the limit', async () => {
    const big = sparseFile(join(dir, 'huge.jpg'), MAX_IMAGE_FILE_BYTES + 1);
    await expect(loadFrames({ id: 'huge', path: big, kind: 'image' })).rejects.toThrow(/huge\.jpg is 200\.0 MiB, above the 200 MiB limit for an image file/);
  });

  it('refuses a special file inside a frame folder, naming it', async () => {
    const folder = join(dir, 'clip');
    execFileSync('mkdir', [folder]);
    symlinkSync('/dev/zero', join(folder, '1.jpg'));
    writeFileSync(join(folder, 'notes.txt'), 'ignored');
    await expect(loadFrames({ id: 'clip', path: folder, kind: 'frames' }, 1)).rejects.toThrow(/clip\/1\.jpg is a character device/);
  }, 5_000);
});
