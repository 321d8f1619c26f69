import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { sortNatural } from './evenly-spaced.js';
import { isImagePath, isVideoPath, type MediaItem, type MediaKind } from './media-item.js';
import { readManifest } from './read-manifest.js';
import { uniqueItemIds } from './unique-item-ids.js';
import { describeError, EmolabelError } from '../errors.js';

/** An input that could not become an item (missing path, unreadable folder, unsupported file). */
export interface InputFailure {
  readonly id: string;
  readonly path: string;
  /** What the input would have been, from its name: a folder or an extensionless path is `frames`. */
  readonly kind: MediaKind;
  /** The manifest's label for it, so evaluation counts it as missing rather than forgetting it. */
  readonly label?: string;
  readonly error: string;
}

export interface DiscoveredInputs {
  readonly items: MediaItem[];
  readonly failures: InputFailure[];
}

export interface DiscoverOptions {
  /** A CSV with `path` and optional `label` columns; paths are relative to its folder. */
  readonly manifest?: string;
  /** The manifest's column of media paths. @default `path`, else the one usual name present (image, clip, video, file …) */
  readonly manifestPathColumn?: string;
  /** The manifest's column of item ids. @default `id` when there is one beside the path column */
  readonly manifestIdColumn?: string;
  /** Treat each leaf folder (no subfolders) holding images as one clip whose frames are those images. */
  readonly clipFolders?: boolean;
}

function idFor(path: string, root: string): string {
  const relativePath = relative(root, path) || basename(path);
  const withoutExtension = extname(relativePath) && !relativePath.endsWith(sep) ? relativePath.slice(0, -extname(relativePath).length) : relativePath;
  return withoutExtension.split(sep).join('/');
}

function kindOfFile(path: string): MediaKind | undefined {
  if (isImagePath(path)) return 'image';
  if (isVideoPath(path)) return 'video';
  return undefined;
}

/**
 * Turns paths, folders and a manifest into items. Folders are walked recursively in natural order;
 * files with other extensions inside folders are skipped, but a path named directly must be usable.
 */
export async function discoverInputs(paths: readonly string[], options: DiscoverOptions = {}): Promise<DiscoveredInputs> {
  const items: MediaItem[] = [];
  const failures: InputFailure[] = [];
  const fail = (path: string, root: string, error: string) => failures.push({ id: idFor(path, root), path, kind: 'frames', error });

  /**
   * Walks one folder named as an input. Each real folder (links resolved) is walked once: a link
   * back to a folder being walked (`ln -s . loop`) or to one already walked is skipped and reported
   * once, so a loop cannot multiply the items or never finish.
   */
  async function walkInput(folder: string, root: string): Promise<void> {
    const walked = new Map<string, string>();
    await walk(folder, root, walked, new Set());
  }

  async function walk(folder: string, root: string, walked: Map<string, string>, ancestors: ReadonlySet<string>): Promise<void> {
    const real = await realpath(folder).catch(() => folder);
    if (ancestors.has(real)) {
      fail(folder, root, `${folder} links back to ${real}, a folder already being walked (a symlink loop); skipped. Remove the link to silence this.`);
      return;
    }
    const first = walked.get(real);
    if (first !== undefined) {
      fail(folder, root, `${folder} is the same folder as ${first}, already walked; skipped, so its files are not counted twice. Remove the link to silence this.`);
      return;
    }
    walked.set(real, folder);
    const inside = new Set(ancestors).add(real);
    let names: string[];
    try {
      names = sortNatural(await readdir(folder));
    } catch (error) {
      fail(folder, root, `Cannot read folder ${folder}: ${describeError(error)}; check that it exists and that you may read it.`);
      return;
    }
    const subfolders: string[] = [];
    const files: string[] = [];
    for (const name of names) {
      const path = join(folder, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory()) subfolders.push(path);
      else if (kindOfFile(name)) files.push(path);
    }
    const isClip = options.clipFolders && subfolders.length === 0 && files.some(isImagePath);
    if (isClip) items.push({ id: idFor(folder, root), path: folder, kind: 'frames' });
    for (const path of files) {
      const kind = kindOfFile(path);
      if (kind && !(isClip && kind === 'image')) items.push({ id: idFor(path, root), path, kind });
    }
    for (const subfolder of subfolders) await walk(subfolder, root, walked, inside);
  }

  /**
   * Adds a path named on the command line or in a manifest. A manifest row is one item: its folder
   * is one clip (frames) when it is a leaf folder of images or the row gives a label or an id; a
   * row's `id` names the item, else the id is the path relative to `root`.
   */
  async function addPath(rawPath: string, root: string, row?: { label?: string; id?: string }): Promise<void> {
    const path = resolve(root, rawPath);
    const label = row?.label;
    const id = row?.id ?? idFor(path, root);
    const failed = (error: string) => failures.push({ id, path, kind: kindOfFile(path) ?? 'frames', ...(label === undefined ? {} : { label }), error });
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      failed(info.code === 'ENOENT' ? `${path} does not exist; check the path.` : `Cannot read ${path}: ${info.message}`);
      return;
    }
    const withLabel = <T extends MediaItem>(item: T): T => (label === undefined ? item : { ...item, label });
    if (info.isDirectory()) {
      const leafOfImages = await isLeafImageFolder(path);
      if (row !== undefined && (label !== undefined || row.id !== undefined || leafOfImages)) {
        items.push(withLabel({ id, path, kind: 'frames' }));
        return;
      }
      // A manifest's folders are walked with ids relative to the manifest's folder, like its files.
      await walkInput(path, row !== undefined ? root : options.clipFolders && leafOfImages ? dirname(path) : path);
      return;
    }
    const kind = kindOfFile(path);
    if (kind === undefined) {
      failed(`${path} is not a supported image or video (use .jpg, .png, .webp, .mp4, .mov, .mkv, .webm, .avi, .gif).`);
      return;
    }
    items.push(withLabel({ id, path, kind }));
  }

  for (const path of paths) await addPath(resolve(path), dirname(resolve(path)));
  const givenIds = new Set<string>();
  if (options.manifest) {
    const root = dirname(resolve(options.manifest));
    const labelOfPath = new Map<string, { label: string | undefined; line: number }>();
    for (const row of readManifest(options.manifest, { pathColumn: options.manifestPathColumn, idColumn: options.manifestIdColumn })) {
      // The same file twice is one item; with two different labels, which is gold cannot be told.
      const resolved = resolve(root, row.path);
      const earlier = labelOfPath.get(resolved);
      if (earlier !== undefined && earlier.label !== row.label) {
        throw new EmolabelError('invalid_input', `${options.manifest} gives ${resolved} the label "${earlier.label ?? ''}" on line ${earlier.line} and "${row.label ?? ''}" on line ${row.line}; keep one row for it.`, { path: options.manifest });
      }
      if (earlier === undefined) labelOfPath.set(resolved, { label: row.label, line: row.line });
      if (row.id !== undefined && givenIds.has(row.id)) {
        const path = resolve(root, row.path);
        // Reported under its path's id: under the repeated one it would hide behind the first row.
        failures.push({ id: idFor(path, root), path, kind: kindOfFile(path) ?? 'frames', error: `${options.manifest} gives the id "${row.id}" to more than one row; make the ids unique.` });
        continue;
      }
      if (row.id !== undefined) givenIds.add(row.id);
      await addPath(row.path, root, row);
    }
  }
  // An id from a manifest's id column that another input also has: the later one is refused.
  const seen = new Map<string, string>();
  const unique = uniqueItemIds(items, givenIds).filter((item) => {
    const first = seen.get(item.id);
    if (first === undefined) return seen.set(item.id, item.path);
    failures.push({ id: item.id, path: item.path, kind: item.kind, error: `${item.path} has the id "${item.id}" that ${first} already has; give it another id in the manifest.` });
    return false;
  });
  return { items: unique, failures };
}

async function isLeafImageFolder(folder: string): Promise<boolean> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return !entries.some((entry) => entry.isDirectory()) && entries.some((entry) => isImagePath(entry.name));
}
