// Manifests whose item column is not called path/id (faces-dev's labels.csv has `image`; other
// sets write clip, video, file …): detected by their usual names, or named with --path-column and
// --id-column, on annotate (where they are part of the run), dataset and bench.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { runCapturedCli } from './eval-captured-io.js';
import { RunStore } from '../../src/store/run-store.js';
import { facesDevForTests, facesDevRoot } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';

const { images, missing } = facesDevForTests('manifest column CLI tests');
const temp = makeTempDir('emolabel-manifest-columns-');
afterAll(temp.cleanup);

const run = (args: string[]) => runCapturedCli(args, temp.dir);
const csvRows = (file: string) => parse(readFileSync(join(temp.dir, file)), { columns: true }) as Record<string, string>[];

describe.skipIf(missing !== undefined)('manifest columns named or detected', () => {
  const labelsCsv = join(facesDevRoot(), 'labels.csv');
  // Three real faces with another tool's header: a clip column of absolute paths, a name column of ids.
  const picked = images.slice(0, 3);
  const names = picked.map((image, index) => `face-${index + 1}-${basename(image.path, '.jpg')}`);
  writeFileSync(join(temp.dir, 'named.csv'), `name,clip,emotion\n${picked.map((image, index) => `${names[index]},${image.path},${image.label.toLowerCase()}`).join('\n')}\n`);
  // Two columns that could each hold the media: which one is meant cannot be guessed.
  writeFileSync(join(temp.dir, 'two-paths.csv'), `image,video,label\n${picked.map((image) => `${image.path},${image.path},${image.label}`).join('\n')}\n`);

  it("dataset reads faces-dev's own labels.csv by its image column, every image on disk", async () => {
    const { code, out, err } = await run(['dataset', 'manifest', labelsCsv, '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ kind: 'manifest', items: images.length, onDisk: images.length });
  });

  it('dataset takes --path-column/--id-column, and names the file, the missing column and the columns it has', async () => {
    const named = await run(['dataset', 'manifest', 'named.csv', '--path-column', 'clip', '--id-column', 'name', '--truth', 'named-truth.csv']);
    expect(named.err).toBe('');
    expect(named.code).toBe(0);
    expect(named.out).toContain('Media on disk: 3 of 3');
    expect(csvRows('named-truth.csv').map((row) => row.id)).toEqual(names);

    const absent = await run(['dataset', 'manifest', labelsCsv, '--path-column', 'clip']);
    expect(absent.code).toBe(1);
    expect(absent.err).toBe(`emolabel: Manifest ${labelsCsv} has no "clip" column (--path-column); its columns are image, label.\n`);
    const wrongKind = await run(['dataset', 'folder', facesDevRoot(), '--path-column', 'image']);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.err).toContain('--path-column does not apply to a folder dataset; it is for manifest.');
  });

  it('an ambiguous manifest says which flag to pass; passing it reads the file', async () => {
    const ambiguous = await run(['dataset', 'manifest', 'two-paths.csv']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain(`Manifest ${join(temp.dir, 'two-paths.csv')} has 2 columns that could hold the media paths (image, video); name the one to read with --path-column image.`);
    const chosen = await run(['dataset', 'manifest', 'two-paths.csv', '--path-column', 'video', '--json']);
    expect(chosen.code, chosen.err).toBe(0);
    expect(JSON.parse(chosen.out)).toMatchObject({ items: 3, onDisk: 3 });
  });

  it('annotate --manifest --path-column clip --id-column name labels the real faces under those ids; the columns are part of the run fingerprint', async () => {
    const args = ['annotate', '--manifest', 'named.csv', '--path-column', 'clip', '--id-column', 'name', '--db', 'runs.db', '--out', 'named-labels.csv'];
    const first = await run(args);
    expect(first.code, first.err).toBe(0);
    const rows = csvRows('named-labels.csv');
    expect(rows.map((row) => row.id)).toEqual(names);
    expect(rows.map((row) => row.truth)).toEqual(picked.map((image) => image.label));
    expect(rows.map((row) => row.path)).toEqual(picked.map((image) => image.path));
    expect(rows.every((row) => row.status === 'ok')).toBe(true);

    // The columns are part of the run: the same command is the same run (fingerprint), another id column another run.
    const again = await run(args);
    expect(again.code, again.err).toBe(0);
    const byPath = await run(['annotate', '--manifest', 'named.csv', '--path-column', 'clip', '--db', 'runs.db', '--out', 'path-ids.csv', '--quiet']);
    expect(byPath.code, byPath.err).toBe(0);
    // Without --id-column the ids are the paths (relative to the manifest's folder, no extension).
    expect(csvRows('path-ids.csv').map((row) => basename(row.id ?? ''))).toEqual(picked.map((image) => basename(image.path, '.jpg')));
    const store = RunStore.open(join(temp.dir, 'runs.db'));
    try {
      const [other, second, earliest] = store.listRuns();
      expect(earliest?.options).toMatchObject({ manifest: join(temp.dir, 'named.csv'), manifestPathColumn: 'clip', manifestIdColumn: 'name' });
      expect(second?.fingerprint).toBe(earliest?.fingerprint);
      expect(other?.options).toMatchObject({ manifestPathColumn: 'clip' });
      expect(other?.options).not.toHaveProperty('manifestIdColumn');
      expect(other?.fingerprint).not.toBe(earliest?.fingerprint);
    } finally {
      store.close();
    }
  });

  it('annotate refuses a named column the manifest lacks, an ambiguous manifest, and column flags without --manifest', async () => {
    const absent = await run(['annotate', '--manifest', labelsCsv, '--id-column', 'file', '--db', 'runs.db', '--quiet']);
    expect(absent.code).toBe(1);
    expect(absent.err).toContain(`Manifest ${labelsCsv} has no "file" column (--id-column); its columns are image, label.`);
    const ambiguous = await run(['annotate', '--manifest', 'two-paths.csv', '--db', 'runs.db', '--quiet']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toContain('name the one to read with --path-column image');
    const noManifest = await run(['annotate', picked[0]?.path ?? '', '--path-column', 'clip', '--db', 'runs.db', '--quiet']);
    expect(noManifest.code).toBe(2);
    expect(noManifest.err).toBe('emolabel: --path-column names a column of the manifest: give a manifest too.\n');
  });

  it('bench reads a manifest by the named columns: each cell predicts the named ids', async () => {
    const { code, err } = await run(['bench', 'named.csv', '--path-column', 'clip', '--id-column', 'name', '--out', 'bench-out', '--quiet']);
    expect(code, err).toBe(0);
    const predictions = parse(readFileSync(join(temp.dir, 'bench-out', 'local__frame__-__basic7', 'predictions.csv')), { columns: true }) as Record<string, string>[];
    expect(predictions.map((row) => row.id).sort()).toEqual([...names].sort());
  });

  it("eval scores another tool's predictions against faces-dev's labels.csv; two media columns and no id is ambiguous and names --id-column", async () => {
    // The peer's file names each face twice, by file name and by its path in the set.
    const rows = picked.map((image) => `${basename(image.path)},${relative(facesDevRoot(), image.path)},${image.label.toLowerCase()}`);
    writeFileSync(join(temp.dir, 'peer.csv'), `file,image,prediction\n${rows.join('\n')}\n`);
    const ambiguous = await run(['eval', '--pred', 'peer.csv', '--truth', labelsCsv]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err).toBe(`emolabel: The predictions CSV ${join(temp.dir, 'peer.csv')} has 2 columns that could hold the item ids (image, file) and no "id" or "path"; name the one to match on with --id-column image.\n`);
    const scored = await run(['eval', '--pred', 'peer.csv', '--truth', labelsCsv, '--id-column', 'image', '--json']);
    expect(scored.code, scored.err).toBe(0);
    expect(JSON.parse(scored.out)).toMatchObject({ n: 3, accuracy: 1 });
  });
});

