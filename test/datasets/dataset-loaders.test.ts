import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFerv39k, buildFolderPerClass, byLabel } from './faces-dev-layouts.js';
import { countByLabel, countOnDisk, normaliseDatasetLabels, writeTruthCsv } from '../../src/datasets/dataset-labels.js';
import { detectDatasetKind, getDatasetLoader, listDatasetLoaders } from '../../src/datasets/dataset-registry.js';
import { parseFerv39kList } from '../../src/datasets/ferv39k-loader.js';
import { basic7, ternary } from '../../src/taxonomy/taxonomy.js';
import { facesDevForTests, type LabelledImage } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';

const { images, missing } = facesDevForTests('dataset loader tests on real layouts');
const temp = makeTempDir('emolabel-datasets-');
afterAll(temp.cleanup);

describe('dataset registry', () => {
  it('knows folder, manifest and ferv39k and names them when the kind is unknown', () => {
    expect(listDatasetLoaders().map((loader) => loader.kind)).toEqual(['folder', 'manifest', 'ferv39k']);
    expect(() => getDatasetLoader('afew')).toThrow('Unknown dataset kind "afew". Must be one of [folder, manifest, ferv39k].');
  });
});

describe.skipIf(missing !== undefined)('loaders on layouts built from faces-dev', () => {
  it('folder: every image and frame folder under root/<Label>/, labelled by its folder', async () => {
    const root = join(temp.dir, 'by-class');
    const built = buildFolderPerClass(images, root);
    const dataset = await getDatasetLoader('folder').load(root);
    expect(dataset.items).toHaveLength(built.images + built.clips);
    expect(dataset.items.some((item) => item.path.endsWith('notes.txt'))).toBe(false);
    const clip = dataset.items.find((item) => item.id === 'Fear/clip-fear');
    expect(clip).toMatchObject({ kind: 'frames', label: 'Fear', path: join(root, 'Fear', 'clip-fear') });
    const first = images[0] as LabelledImage;
    const file = basename(first.path);
    expect(dataset.items).toContainEqual({ id: `${first.label}/${basename(file, '.jpg')}`, path: join(root, first.label, file), kind: 'image', label: first.label });
    const counts = countByLabel(normaliseDatasetLabels(dataset, basic7).items, basic7.labels);
    for (const [label, group] of byLabel(images)) expect(counts.find((count) => count.label === label)?.count).toBe(group.length + 1);
    expect(countOnDisk(dataset.items)).toEqual({ onDisk: dataset.items.length });
  });

  it('manifest: path,label rows relative to the CSV, media present or not', async () => {
    const manifest = join(temp.dir, 'manifest.csv');
    const rows = images.slice(0, 20).map((image) => `${relative(temp.dir, image.path)},${image.label.toLowerCase()}`);
    writeFileSync(manifest, `path,label\n${rows.join('\n')}\nclips/gone.mp4,happy\nclips/frames-0001,sad\n`);
    const dataset = normaliseDatasetLabels(await getDatasetLoader('manifest').load(manifest), basic7);
    expect(dataset.items).toHaveLength(22);
    expect(dataset.items[0]).toMatchObject({ path: images[0]?.path, kind: 'image', label: images[0]?.label });
    expect(dataset.items.at(-2)).toMatchObject({ id: 'clips/gone', kind: 'video', label: 'Happy' });
    expect(dataset.items.at(-1)).toMatchObject({ id: 'clips/frames-0001', kind: 'frames', label: 'Sad' });
    expect(countOnDisk(dataset.items)).toEqual({ onDisk: 20, firstMissing: join(temp.dir, 'clips', 'gone.mp4') });
  });

  it('ferv39k: split list with a separate frames root and a scene filter', async () => {
    const framesRoot = join(temp.dir, 'ferv', '2_ClipsforFaceCrop');
    const list = join(temp.dir, 'ferv', 'test_All.txt');
    const clips = buildFerv39k(images, framesRoot, list);
    const loader = getDatasetLoader('ferv39k');
    const all = await loader.load(list, { framesRoot });
    expect(all.items.map((item) => item.id)).toEqual(clips.map((clip) => clip.id));
    expect(all.items.every((item) => item.kind === 'frames' && existsSync(join(item.path, '3.jpg')))).toBe(true);
    const daily = await loader.load(list, { framesRoot, scene: 'dailylife' });
    expect(daily.items.length).toBe(clips.filter((clip) => clip.scene === 'DailyLife').length);
    expect(daily.items.every((item) => item.scene === 'DailyLife' && item.path.startsWith(join(framesRoot, 'DailyLife')))).toBe(true);
    await expect(loader.load(list, { scene: 'Office' })).rejects.toThrow(/Scene "Office" is not in .*test_All\.txt; its scenes are Action, DailyLife/);
  });

  it('ferv39k: reads labels without the media, and writes a truth CSV of them', async () => {
    const list = join(temp.dir, 'no-media', 'test_All.txt');
    const clips = buildFerv39k(images, join(temp.dir, 'no-media', 'frames'), list, false);
    const dataset = await getDatasetLoader('ferv39k').load(list, { framesRoot: join(temp.dir, 'no-media', 'frames') });
    expect(countOnDisk(dataset.items).onDisk).toBe(0);
    const truth = join(temp.dir, 'no-media', 'truth.csv');
    await writeTruthCsv(truth, normaliseDatasetLabels(dataset, ternary).items);
    const lines = readFileSync(truth, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('id,path,label,scene');
    expect(lines).toHaveLength(clips.length + 1);
    const firstClip = clips[0];
    expect(lines[1]).toBe(`${firstClip?.id},${join(temp.dir, 'no-media', 'frames', firstClip?.id ?? '')},${ternary.fromBasic[firstClip?.label as 'Angry']},${firstClip?.scene}`);
  });
});

describe('parseFerv39kList', () => {
  it('reads both list styles and skips a header', () => {
    const entries = parseFerv39kList('path num label\n/x/2_ClipsforFaceCrop/Action/Sad/0010 16 5\nDailyLife/Happy/0042 Happy\n\n', 'list.txt');
    expect(entries).toEqual([
      { scene: 'Action', emotion: 'Sad', clip: '0010', listedPath: '/x/2_ClipsforFaceCrop/Action/Sad/0010', line: 2 },
      { scene: 'DailyLife', emotion: 'Happy', clip: '0042', listedPath: 'DailyLife/Happy/0042', line: 3 },
    ]);
  });

  it('names the line of a malformed entry or a label that contradicts the folder', () => {
    expect(() => parseFerv39kList('Action/Sad/0010 16 5\nbroken line\n', 'list.txt')).toThrow(/Line 2 of the FERV39k list list\.txt is "broken line"; expected/);
    expect(() => parseFerv39kList('Action/Sad/0010 Happy\n', 'list.txt')).toThrow(/puts clip Action\/Sad\/0010 in folder Sad but labels it Happy/);
  });
});

describe('dataset errors', () => {
  it('explains a missing folder, a folder without classes, an unlabelled manifest and unknown labels', async () => {
    await expect(getDatasetLoader('folder').load(join(temp.dir, 'absent'))).rejects.toThrow(/Dataset folder .*absent does not exist/);
    const flatFolder = join(temp.dir, 'flat');
    mkdirSync(flatFolder);
    const flat = join(flatFolder, 'flat.csv');
    writeFileSync(flat, 'path\na.jpg\n');
    await expect(getDatasetLoader('folder').load(flatFolder)).rejects.toThrow(/flat has no subfolders; expected one folder per class, e\.g\. .*Happy\/clip1\.mp4/);
    await expect(getDatasetLoader('manifest').load(flat)).rejects.toThrow(/1 row\(s\) without a label \(e\.g\. a\.jpg\)/);
    const odd = join(temp.dir, 'odd.csv');
    writeFileSync(odd, 'path,label\na.jpg,bored\n');
    const dataset = await getDatasetLoader('manifest').load(odd);
    expect(() => normaliseDatasetLabels(dataset, basic7)).toThrow(/labels that basic7 does not know: "bored" \(e\.g\. a\).*Valid labels: Angry, Disgust/);
  });
});

describe('detectDatasetKind', () => {
  it('tells a folder, a manifest and a FERV39k list apart', () => {
    const files = makeTempDir('emolabel-detect-');
    try {
      const write = (name: string, text: string) => {
        writeFileSync(join(files.dir, name), text);
        return join(files.dir, name);
      };
      expect(detectDatasetKind(files.dir)).toBe('folder');
      expect(detectDatasetKind(write('m.csv', 'path,label\na.jpg,Happy\n'))).toBe('manifest');
      expect(detectDatasetKind(write('train_All.csv', 'Action/Sad/0010 Sad\n'))).toBe('ferv39k');
      expect(detectDatasetKind(write('test.txt', 'path frames label\n/x/2_ClipsforFaceCrop/DailyLife/Happy/0001 16 3\n'))).toBe('ferv39k');
      expect(detectDatasetKind(write('labels.csv', 'image,label\nimages/a.jpg,Happy\n'))).toBe('manifest');
      expect(() => detectDatasetKind(join(files.dir, 'absent'))).toThrow(/Dataset .*absent does not exist or cannot be read/);
    } finally {
      files.cleanup();
    }
  });
});
