import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetItem, DatasetLoader, DatasetLoadOptions } from '../datasets/dataset-loader.js';
import { EmolabelError } from '../errors.js';
import type { MediaKind } from '../media/media-item.js';

/** A dataset a subject wrote for the contract, and what loading it must give. */
export interface DatasetFixture {
  /** What to pass to `load`: the dataset's folder or list file. */
  readonly path: string;
  readonly options?: DatasetLoadOptions;
  /** The items loading must give, in order; `path` is checked when given. */
  readonly items: ReadonlyArray<Pick<DatasetItem, 'id' | 'label' | 'kind'> & { readonly path?: string; readonly scene?: string }>;
}

/** A dataset loader under contract, with the cases that do not apply to it and why (hono's `skip`). */
export interface DatasetLoaderContractSubject {
  readonly loader: DatasetLoader;
  /**
   * Writes a small dataset of the loader's layout under `directory` (a new empty folder) and says
   * what loading it gives. With `media.present` false, write the labels only (no media files), for
   * loaders that read a list. Write media with {@link writePlaceholderMedia}: files that are not
   * images, so a loader that decodes them fails the contract.
   */
  writeDataset(directory: string, media: { readonly present: boolean }): DatasetFixture | Promise<DatasetFixture>;
  readonly skip?: {
    /** Why the loader needs the media on disk (its layout is the media). */
    readonly withoutMedia?: string;
  };
}

/** Every option of `DatasetLoadOptions`; the compiler keeps this list whole. */
const LOAD_OPTIONS: Record<keyof DatasetLoadOptions, true> = { scene: true, framesRoot: true, pathColumn: true, idColumn: true };
const MEDIA_KINDS: readonly MediaKind[] = ['image', 'video', 'frames'];

/**
 * Writes stand-in media at `path` (folders made as needed): for `image` and `video` a file of bytes
 * that no decoder reads, for `frames` a folder of three such `.jpg` files. Loaders list media, they
 * do not decode them.
 */
export function writePlaceholderMedia(path: string, kind: MediaKind): void {
  const bytes = 'not media: a dataset loader must not decode this\n';
  if (kind !== 'frames') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return;
  }
  mkdirSync(path, { recursive: true });
  for (const frame of ['1.jpg', '2.jpg', '3.jpg']) writeFileSync(join(path, frame), bytes);
}

/**
 * Declares the vitest cases of the `DatasetLoader` contract: a kind, a one-line description and
 * only known options; the items of its layout in order, each with a unique id, a label, an absolute
 * path and a media kind, read without decoding media and the same way twice; list loaders read
 * labels when the media are absent; a missing path fails with `invalid_input` naming it. Call it at
 * the top level of a test file.
 *
 * @example
 * runDatasetLoaderContract({ loader: afewLoader, writeDataset: (directory, media) => writeAfewSample(directory, media.present) });
 */
export function runDatasetLoaderContract(subject: DatasetLoaderContractSubject): void {
  const { loader, skip = {} } = subject;
  let root = '';
  let fixtures = 0;
  /** A dataset written in a folder of its own. */
  const written = async (present: boolean): Promise<DatasetFixture> => {
    fixtures += 1;
    const directory = join(root, String(fixtures));
    mkdirSync(directory);
    return subject.writeDataset(directory, { present });
  };
  const expectItems = (items: readonly DatasetItem[], fixture: DatasetFixture) => {
    expect(items.map(({ id, label, kind }) => ({ id, label, kind }))).toEqual(fixture.items.map(({ id, label, kind }) => ({ id, label, kind })));
    fixture.items.forEach((expected, index) => {
      if (expected.path !== undefined) expect(items[index]?.path).toBe(expected.path);
      if (expected.scene !== undefined) expect(items[index]?.scene).toBe(expected.scene);
    });
  };

  describe(`dataset loader contract: ${loader.kind}`, () => {
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), `emolabel-loader-contract-${loader.kind}-`));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('declares a kind, a one-line description and only options DatasetLoadOptions has', () => {
      expect(loader.kind).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(loader.description).toMatch(/^[^\n]+$/);
      for (const option of loader.options) expect(Object.keys(LOAD_OPTIONS)).toContain(option);
    });

    it('loads the items of its layout in order, as a dataset of its kind', async () => {
      const fixture = await written(true);
      expect(fixture.items.length).toBeGreaterThanOrEqual(2);
      const dataset = await loader.load(fixture.path, fixture.options);
      expect(dataset.kind).toBe(loader.kind);
      expect(isAbsolute(dataset.source)).toBe(true);
      expectItems(dataset.items, fixture);
    });

    it('gives every item a unique id, a label, an absolute path and a media kind, without decoding media', async () => {
      const fixture = await written(true);
      const { items } = await loader.load(fixture.path, fixture.options);
      expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
      for (const item of items) {
        expect(item.id).toMatch(/\S/);
        expect(item.label).toMatch(/\S/);
        expect(isAbsolute(item.path)).toBe(true);
        expect(MEDIA_KINDS).toContain(item.kind);
      }
    });

    it('reads the same dataset the same way twice', async () => {
      const fixture = await written(true);
      const first = await loader.load(fixture.path, fixture.options);
      expect(await loader.load(fixture.path, fixture.options)).toEqual(first);
    });

    it.skipIf(skip.withoutMedia !== undefined)(
      `reads the labels when the media are not on disk${skip.withoutMedia === undefined ? '' : ` (skipped: ${skip.withoutMedia})`}`,
      async () => {
        const fixture = await written(false);
        const dataset = await loader.load(fixture.path, fixture.options);
        expectItems(dataset.items, fixture);
        for (const item of dataset.items) expect(existsSync(item.path)).toBe(false);
      },
    );

    it('fails a path that does not exist with invalid_input, naming the path', async () => {
      const absent = join(root, 'absent-dataset');
      const error = await loader.load(absent).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(EmolabelError);
      expect(error).toMatchObject({ code: 'invalid_input' });
      expect((error as Error).message).toContain('absent-dataset');
    });
  });
}
