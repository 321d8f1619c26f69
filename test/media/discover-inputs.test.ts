import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverInputs } from '../../src/media/discover-inputs.js';
import { demoFace } from '../support/demo-faces.js';
import { makeFrameFolder, makeTempDir } from '../support/make-clips.js';

describe('discoverInputs', () => {
  const { dir, cleanup } = makeTempDir();
  beforeAll(() => {
    mkdirSync(join(dir, 'photos/sub'), { recursive: true });
    copyFileSync(demoFace(1), join(dir, 'photos/b.jpg'));
    copyFileSync(demoFace(2), join(dir, 'photos/sub/a.JPG'));
    writeFileSync(join(dir, 'photos/notes.txt'), 'not media');
    writeFileSync(join(dir, 'photos/clip.mp4'), '');
    makeFrameFolder(demoFace(2), join(dir, 'ferv/DailyLife/Happy/0042'), 12);
    makeFrameFolder(demoFace(3), join(dir, 'ferv/DailyLife/Sad/0007'), 3);
    writeFileSync(join(dir, 'manifest.csv'), 'path,label\nphotos/b.jpg,happiness\nferv/DailyLife/Sad/0007,Sad\nmissing.mp4,Angry\n');
  });
  afterAll(cleanup);

  it('walks folders recursively with ids relative to the folder and skips other files', async () => {
    const { items, failures } = await discoverInputs([join(dir, 'photos')]);
    expect(items.map((item) => [item.id, item.kind])).toEqual([['b', 'image'], ['clip', 'video'], ['sub/a', 'image']]);
    expect(failures).toEqual([]);
  });

  it('reads paths relative to the working directory, as the library docs pass them', async () => {
    const demo = relative(process.cwd(), dirname(demoFace(1)));
    expect(demo.startsWith('..')).toBe(false);
    const { items, failures } = await discoverInputs([`${demo}/`, join(demo, 'sample1.jpg')]);
    expect(failures).toEqual([]);
    expect(items.map((item) => item.id)).toContain('sample1');
    expect(items.find((item) => item.id === 'sample1')?.path).toBe(resolve(demo, 'sample1.jpg'));
  });

  it('makes each leaf folder of images one clip with --clip-folders', async () => {
    const { items } = await discoverInputs([join(dir, 'ferv')], { clipFolders: true });
    expect(items.map((item) => [item.id, item.kind])).toEqual([['DailyLife/Happy/0042', 'frames'], ['DailyLife/Sad/0007', 'frames']]);
  });

  it('names a single clip folder by its own name', async () => {
    const { items } = await discoverInputs([join(dir, 'ferv/DailyLife/Happy/0042')], { clipFolders: true });
    expect(items.map((item) => item.id)).toEqual(['0042']);
  });

  it('reads a manifest with labels, folders as clips, and reports missing paths', async () => {
    const { items, failures } = await discoverInputs([], { manifest: join(dir, 'manifest.csv') });
    expect(items.map((item) => [item.id, item.kind, item.label])).toEqual([
      ['photos/b', 'image', 'happiness'],
      ['ferv/DailyLife/Sad/0007', 'frames', 'Sad'],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toMatch(/missing\.mp4 does not exist/);
    // The failure keeps what it was meant to be, and its gold label, for the results and eval.
    expect(failures[0]).toMatchObject({ id: 'missing', kind: 'video', label: 'Angry' });
  });

  it('gives files of the same name in two folders distinct ids, and a path named twice one item', async () => {
    const { items } = await discoverInputs([join(dir, 'ferv/DailyLife/Happy/0042'), join(dir, 'ferv/DailyLife/Sad/0007'), join(dir, 'ferv/DailyLife/Sad/0007')]);
    const ids = items.map((item) => item.id);
    expect(items).toHaveLength(12 + 3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.endsWith('/1'))).toEqual(['Happy/0042/1', 'Sad/0007/1']);
  });

  it('makes each leaf folder of a manifest one clip, labelled or not, with ids relative to the manifest', async () => {
    writeFileSync(join(dir, 'folders.csv'), 'path\nferv/DailyLife/Happy/0042\nferv/DailyLife/Sad/0007\n');
    const { items, failures } = await discoverInputs([], { manifest: join(dir, 'folders.csv') });
    expect(items.map((item) => [item.id, item.kind])).toEqual([['ferv/DailyLife/Happy/0042', 'frames'], ['ferv/DailyLife/Sad/0007', 'frames']]);
    expect(failures).toEqual([]);
  });

  it('names items by a manifest\'s id column when it has one, and refuses an id given twice', async () => {
    writeFileSync(join(dir, 'with-ids.csv'), `id,path,label\nHappy/b,${join(dir, 'photos/b.jpg')},Happy\nSad/0007,ferv/DailyLife/Sad/0007,Sad\nSad/0007,photos/sub/a.JPG,Sad\n`);
    const { items, failures } = await discoverInputs([], { manifest: join(dir, 'with-ids.csv') });
    expect(items.map((item) => [item.id, item.kind, item.label])).toEqual([['Happy/b', 'image', 'Happy'], ['Sad/0007', 'frames', 'Sad']]);
    expect(failures.map((failure) => failure.error)).toEqual([expect.stringMatching(/with-ids\.csv gives the id "Sad\/0007" to more than one row/)]);
    // Its row keeps an id of its own, so it is not lost behind the first row's.
    expect(failures[0]?.id).toBe('photos/sub/a');
  });

  it('reports a named file of an unsupported type and a missing path', async () => {
    const { items, failures } = await discoverInputs([join(dir, 'photos/notes.txt'), join(dir, 'nope.jpg')]);
    expect(items).toEqual([]);
    expect(failures.map((failure) => failure.error)).toEqual([
      expect.stringMatching(/notes\.txt is not a supported image or video/),
      expect.stringMatching(/nope\.jpg does not exist/),
    ]);
  });

  it('walks a folder once when links loop back to it, reporting each skipped link once', async () => {
    const looped = join(dir, 'looped');
    mkdirSync(join(looped, 'sub'), { recursive: true });
    copyFileSync(demoFace(1), join(looped, 'face.jpg'));
    symlinkSync('.', join(looped, 'loop'));
    symlinkSync('..', join(looped, 'sub/up'));
    const { items, failures } = await discoverInputs([looped]);
    expect(items.map((item) => item.id)).toEqual(['face']);
    expect(failures.map((failure) => [failure.id, failure.error])).toEqual([
      ['loop', expect.stringMatching(/looped\/loop links back to .*looped, a folder already being walked \(a symlink loop\); skipped/)],
      ['sub/up', expect.stringMatching(/sub\/up links back to .*looped, a folder already being walked \(a symlink loop\); skipped/)],
    ]);
  }, 10_000);

  it('finishes on two links that loop, and walks a folder linked twice once', async () => {
    const twice = join(dir, 'twice');
    mkdirSync(join(twice, 'real'), { recursive: true });
    copyFileSync(demoFace(2), join(twice, 'real/a.jpg'));
    symlinkSync('real', join(twice, 'alias'));
    symlinkSync('.', join(twice, 'x'));
    symlinkSync('.', join(twice, 'y'));
    const { items, failures } = await discoverInputs([twice]);
    expect(items.map((item) => item.id)).toEqual(['alias/a']);
    expect(failures.map((failure) => failure.id)).toEqual(['real', 'x', 'y']);
    expect(failures[0]?.error).toMatch(/twice\/real is the same folder as .*alias, already walked; skipped/);
  }, 10_000);

  it('refuses a manifest row with an empty path cell, naming the CSV and the line', async () => {
    writeFileSync(join(dir, 'empty-path.csv'), 'path,label\nphotos/b.jpg,Happy\n,Sad\n');
    await expect(discoverInputs([], { manifest: join(dir, 'empty-path.csv') })).rejects.toThrow(/Line 3 of the manifest .*empty-path\.csv has an empty "path" cell/);
  });

  it('refuses a manifest that gives one path two labels, naming both lines', async () => {
    writeFileSync(join(dir, 'two-labels.csv'), 'path,label\nphotos/b.jpg,Happy\nphotos/sub/a.JPG,Sad\nphotos/b.jpg,Sad\n');
    await expect(discoverInputs([], { manifest: join(dir, 'two-labels.csv') })).rejects.toThrow(/two-labels\.csv gives .*photos\/b\.jpg the label "Happy" on line 2 and "Sad" on line 4/);
    // The same path twice with the same label is one item, as before.
    writeFileSync(join(dir, 'same-label.csv'), 'path,label\nphotos/b.jpg,Happy\nphotos/b.jpg,Happy\n');
    expect((await discoverInputs([], { manifest: join(dir, 'same-label.csv') })).items).toHaveLength(1);
  });

  it('reads the usual column names of shipped manifests (image, video, clip, file; emotion, expression)', async () => {
    writeFileSync(join(dir, 'shipped.csv'), 'image,emotion\nphotos/b.jpg,happiness\n');
    const { items } = await discoverInputs([], { manifest: join(dir, 'shipped.csv') });
    expect(items).toMatchObject([{ id: 'photos/b', label: 'happiness', kind: 'image' }]);
    writeFileSync(join(dir, 'shipped-id.csv'), 'id,clip,expression\nface-1,photos/b.jpg,sad\n');
    expect((await discoverInputs([], { manifest: join(dir, 'shipped-id.csv') })).items).toMatchObject([{ id: 'face-1', label: 'sad' }]);
  });

  it('reads the named columns (any case), leaving the id column out of path detection; path wins over other usual names', async () => {
    writeFileSync(join(dir, 'named.csv'), 'Name,File,Image,label\nface-1,b.jpg,photos/b.jpg,Happy\n');
    // File and Image could each be the media: naming File the id leaves Image as the path.
    expect((await discoverInputs([], { manifest: join(dir, 'named.csv'), manifestIdColumn: 'file' })).items).toMatchObject([{ id: 'b.jpg', path: join(dir, 'photos/b.jpg') }]);
    expect((await discoverInputs([], { manifest: join(dir, 'named.csv'), manifestPathColumn: 'IMAGE', manifestIdColumn: 'name' })).items).toMatchObject([{ id: 'face-1', label: 'Happy' }]);
    await expect(discoverInputs([], { manifest: join(dir, 'named.csv') })).rejects.toThrow('has 2 columns that could hold the media paths (file, image); name the one to read with `pathColumn` file.');
    writeFileSync(join(dir, 'path-and-video.csv'), 'path,video,label\nphotos/b.jpg,talk.mp4,Sad\n');
    expect((await discoverInputs([], { manifest: join(dir, 'path-and-video.csv') })).items).toMatchObject([{ id: 'photos/b', kind: 'image' }]);
    await expect(discoverInputs([], { manifest: join(dir, 'named.csv'), manifestPathColumn: 'clip' }))
      .rejects.toThrow(`Manifest ${join(dir, 'named.csv')} has no "clip" column (\`pathColumn\`); its columns are Name, File, Image, label.`);
  });

  it('fails clearly on a manifest without a path column', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'where,label\na.jpg,Happy\n');
    await expect(discoverInputs([], { manifest: join(dir, 'bad.csv') })).rejects.toThrow(/bad\.csv has no "path" column/);
  });
});
