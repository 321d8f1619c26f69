import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeError, EmolabelError } from '../errors.js';

/** A hidden name beside `path` for writing before the rename. */
function temporaryNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Checks that `path` can be written as an output file before any work is done: its folder can be
 * made and written to (a probe file is created and removed), and `path` is not a folder. Throws an
 * `invalid_option` error naming `shownAs` (the flag, e.g. `--out labels.csv`) and the reason.
 */
export async function checkOutputWritable(path: string, shownAs = path): Promise<void> {
  try {
    const existing = await stat(path).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (existing?.isDirectory()) throw new Error(`${path} is a folder`);
    if (existing !== undefined) await access(path, constants.W_OK);
    await mkdir(dirname(path), { recursive: true });
    const probe = temporaryNameFor(path);
    await (await open(probe, 'wx')).close();
    await rm(probe, { force: true });
  } catch (error) {
    throw new EmolabelError('invalid_option', `Cannot write ${shownAs}: ${describeError(error)}; pick a file in a folder you may write to.`, { cause: error, path });
  }
}

/**
 * Writes `text` to `path` whole or not at all: to a temporary file in the same folder, flushed, then
 * renamed over `path`. A full disk or a kill while writing leaves any earlier file as it was and no
 * half-written one; the temporary file is removed on failure.
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryNameFor(path);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
