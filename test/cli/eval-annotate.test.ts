import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCapturedCli } from './eval-captured-io.js';
import { byLabel } from '../datasets/faces-dev-layouts.js';
import { facesDevForTests } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';

const { images, missing } = facesDevForTests('eval on annotate output');
const temp = makeTempDir('emolabel-eval-annotate-');
afterAll(temp.cleanup);

const run = (args: string[]) => runCapturedCli(args, temp.dir);

describe.skipIf(missing !== undefined)('eval on what annotate wrote', () => {
  // One image per label, symlinked into a folder per class, and a path,label manifest of them.
  const picked = [...byLabel(images).values()].map((group) => group[0]).filter((image) => image !== undefined);
  for (const image of picked) {
    mkdirSync(join(temp.dir, 'faces', image.label), { recursive: true });
    symlinkSync(image.path, join(temp.dir, 'faces', image.label, basename(image.path)));
  }
  writeFileSync(join(temp.dir, 'gold.csv'), `path,label\n${picked.map((image) => `faces/${image.label}/${basename(image.path)},${image.label.toLowerCase()}`).join('\n')}\n`);

  it('scores annotate --manifest output against the manifest, against its own truth column, and after dataset --truth', async () => {
    const annotated = await run(['annotate', '--manifest', 'gold.csv', '--out', 'pred.csv', '--db', 'runs.db', '-q']);
    expect(annotated.code).toBe(0);
    const byManifest = JSON.parse((await run(['eval', '--pred', 'pred.csv', '--truth', 'gold.csv', '--json'])).out);
    expect(byManifest).toMatchObject({ n: 7, missing: 0, extra: 0 });
    const predictedLabels = readFileSync(join(temp.dir, 'pred.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[3]);
    const correct = picked.filter((image, index) => predictedLabels[index] === image.label).length;
    expect(byManifest.accuracy).toBeCloseTo(correct / 7, 12);
    const byTruthColumn = JSON.parse((await run(['eval', '--pred', 'pred.csv', '--json'])).out);
    expect(byTruthColumn).toEqual(byManifest);

    // The folder-per-class truth has ids Label/name; annotate's ids differ, so items match on path.
    expect((await run(['dataset', 'folder', 'faces', '--truth', 'folder-truth.csv'])).code).toBe(0);
    const byFolderTruth = JSON.parse((await run(['eval', '--pred', 'pred.csv', '--truth', 'folder-truth.csv', '--json'])).out);
    expect(byFolderTruth).toMatchObject({ n: 7, missing: 0, accuracy: byManifest.accuracy, kappa: byManifest.kappa });
  });

  it('compares several prediction files in one report', async () => {
    writeFileSync(join(temp.dir, 'all-happy.csv'), `id,label\n${picked.map((image) => `faces/${image.label}/${basename(image.path, '.jpg')},happy`).join('\n')}\n`);
    const result = await run(['eval', '--pred', 'pred.csv', '--pred', 'all-happy.csv', '--truth', 'gold.csv', '--json', '--report', 'compare', '--title', 'Ours vs all-happy']);
    expect(result.code).toBe(0);
    expect(result.err).toBe('Report: compare/report.html\n');
    const [ours, happy] = JSON.parse(result.out);
    expect(ours).toMatchObject({ predictions: 'pred.csv', n: 7 });
    expect(happy).toMatchObject({ predictions: 'all-happy.csv', n: 7, accuracy: 1 / 7, perClass: { Happy: { precision: 1 / 7, recall: 1, support: 1 } } });
    const html = readFileSync(join(temp.dir, 'compare', 'report.html'), 'utf8');
    expect(html).toContain('<title>Ours vs all-happy</title>');
    expect(html.match(/<td colspan="3">(pred|all-happy)<\/td>/g)).toEqual(['<td colspan="3">pred</td>', '<td colspan="3">all-happy</td>']);
    expect(JSON.parse(readFileSync(join(temp.dir, 'compare', 'report.json'), 'utf8')).strict).toBe(false);
  });
});
