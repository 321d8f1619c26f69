import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { writeResults } from '../../src/output/write-results.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';

describe('--out files', () => {
  const { dir, cleanup } = makeTempDir('emolabel-out-file-');
  beforeAll(() => {
    mkdirSync(join(dir, 'media'));
    copyFileSync(demoFace(2), join(dir, 'media/portrait.jpg'));
    // A file where a folder should be: no user, root included, can write under it.
    writeFileSync(join(dir, 'not-a-folder'), 'a file');
    mkdirSync(join(dir, 'taken.csv'));
  });
  afterAll(cleanup);

  it('annotate refuses an --out it cannot write before doing any work', async () => {
    for (const out of ['not-a-folder/labels.csv', 'taken.csv']) {
      const io = captureIo(dir);
      expect(await runCli(['annotate', 'media', '--frames', '1', '--db', 'store.db', '--out', out], io)).not.toBe(0);
      expect(io.err()).toMatch(new RegExp(`Cannot write --out ${out.replace('.', '\\.')}`));
      expect(existsSync(join(dir, 'store.db'))).toBe(false);
    }
  });

  it('writes through a temporary file in the same folder, leaving none behind', async () => {
    const target = join(dir, 'written', 'labels.jsonl');
    await writeResults(target, [], ['Happy']);
    writeFileSync(target, 'old');
    await writeResults(target, [], ['Happy']);
    expect(readFileSync(target, 'utf8')).toBe('');
    expect(readdirSync(join(dir, 'written'))).toEqual(['labels.jsonl']);
  });

  it('export refuses an --out it cannot write, saying so', async () => {
    const io = captureIo(dir);
    expect(await runCli(['annotate', 'media', '--frames', '1', '--db', 'export.db', '--faces', 'none'], io)).toBe(0);
    const exported = captureIo(dir);
    expect(await runCli(['export', '--db', 'export.db', '--out', 'not-a-folder/x.csv'], exported)).not.toBe(0);
    expect(exported.err()).toMatch(/Cannot write --out not-a-folder\/x\.csv/);
  });
});
