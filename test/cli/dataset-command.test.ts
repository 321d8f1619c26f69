import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCapturedCli } from './eval-captured-io.js';
import { buildFerv39k, buildFolderPerClass, byLabel } from '../datasets/faces-dev-layouts.js';
import { facesDevForTests } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';

const { images, missing } = facesDevForTests('emolabel dataset CLI tests');
const temp = makeTempDir('emolabel-dataset-cli-');
afterAll(temp.cleanup);

const run = (args: string[]) => runCapturedCli(args, temp.dir);

describe.skipIf(missing !== undefined)('emolabel dataset', () => {
  it('prints items per label of a folder-per-class set and writes a truth CSV eval accepts', async () => {
    buildFolderPerClass(images, join(temp.dir, 'by-class'));
    const { code, out, err } = await run(['dataset', 'folder', 'by-class', '--truth', 'truth.csv']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const fear = (byLabel(images).get('Fear')?.length ?? 0) + 1;
    expect(out).toContain(`folder dataset ${join(temp.dir, 'by-class')}: ${images.length + 7} item(s), labels in basic7`);
    expect(out).toMatch(new RegExp(`\\nFear\\s+${fear}\\s+${((100 * fear) / (images.length + 7)).toFixed(1)}%\\n`));
    expect(out).toContain(`Media on disk: ${images.length + 7} of ${images.length + 7}\n`);
    const truth = readFileSync(join(temp.dir, 'truth.csv'), 'utf8').trim().split('\n');
    expect(truth[0]).toBe('id,path,label');
    expect(truth).toHaveLength(images.length + 8);
    // A perfect "prediction" from another tool: the same ids with extensions, labels lower-cased
    const predictions = truth.slice(1).map((line) => {
      const [id, , label] = line.split(',');
      return `${id}.jpg,${label?.toLowerCase()}`;
    });
    writeFileSync(join(temp.dir, 'perfect.csv'), `file,label\n${predictions.join('\n')}\n`);
    const scored = await run(['eval', '--pred', 'perfect.csv', '--truth', 'truth.csv', '--json']);
    expect(JSON.parse(scored.out)).toMatchObject({ n: images.length + 7, missing: 0, accuracy: 1, macroF1: 1, kappa: 1 });
  });

  it('reads a FERV39k list for one scene with the frames root given separately, media on disk or not', async () => {
    const clips = buildFerv39k(images, join(temp.dir, 'ferv', 'frames'), join(temp.dir, 'ferv', 'test_All.txt'));
    const daily = clips.filter((clip) => clip.scene === 'DailyLife');
    const withMedia = await run(['dataset', 'ferv39k', 'ferv/test_All.txt', '--scene', 'DailyLife', '--frames-root', 'ferv/frames', '--json']);
    expect(JSON.parse(withMedia.out)).toMatchObject({ kind: 'ferv39k', scene: 'DailyLife', items: daily.length, onDisk: daily.length });
    const noMedia = await run(['dataset', 'ferv39k', 'ferv/test_All.txt', '--scene', 'DailyLife', '--frames-root', 'elsewhere', '--truth', 'ferv-truth.csv']);
    expect(noMedia.code).toBe(0);
    expect(noMedia.out).toContain(`Media on disk: 0 of ${daily.length} (not found, e.g. ${join(temp.dir, 'elsewhere', daily[0]?.id ?? '')}; point --frames-root at the clips)`);
    const truth = readFileSync(join(temp.dir, 'ferv-truth.csv'), 'utf8').trim().split('\n');
    expect(truth.slice(1).map((line) => line.split(',')[0])).toEqual(daily.map((clip) => clip.id));
    const ternary = await run(['dataset', 'ferv39k', 'ferv/test_All.txt', '--taxonomy', 'ternary', '--json']);
    const perLabel = JSON.parse(ternary.out).perLabel;
    expect(Object.keys(perLabel)).toEqual(['negative', 'neutral', 'positive']);
    expect(perLabel.negative + perLabel.neutral + perLabel.positive).toBe(clips.length);
  });

  it('rejects an option the loader does not take and an unknown kind', async () => {
    const scene = await run(['dataset', 'folder', 'by-class', '--scene', 'DailyLife']);
    expect(scene.code).toBe(2);
    expect(scene.err).toBe('emolabel: --scene does not apply to a folder dataset; it is for ferv39k.\n');
    const kind = await run(['dataset', 'afew', 'x']);
    expect(kind.code).toBe(2);
    expect(kind.err).toContain('Unknown dataset kind "afew". Must be one of [folder, manifest, ferv39k].');
  });
});
