import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { sortNatural } from './evenly-spaced.js';
import { isImagePath, isVideoPath, type MediaItem, type MediaKind } from './media-item.js';
import { readManifest } from './read-manifest.js';
import { describeError } from '../errors.js';

/** An input that could not become an item (missing path, unreadable folder, unsupported file). */
export interface InputFailure {
  readonly id: string;
  readonly path: string;
  readonly error: string;
}

export interface DiscoveredInputs {
  readonly items: MediaItem[];
  readonly failures: InputFailure[];
}

export interface DiscoverOptions {
  /** A CSV with `path` and optional `label` columns; paths are relative to its folder. */
  readonly manifest?: string;
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
  const fail = (path: string, root: string, error: string) => failures.push({ id: idFor(path, root), path, error });

  async function walk(folder: string, root: string): Promise<void> {
    let names: string[];
    try {
      names = sortNatural(await readdir(folder));
    } catch (error) {
      fail(folder, root, `Cannot read folder ${folder}: ${describeError(error)}`);
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
    for (const subfolder of subfolders) await walk(subfolder, root);
  }

  /** A manifest row's `id` names its one item; without it the id is the path relative to `root`. */
  async function addPath(rawPath: string, root: string, label?: string, givenId?: string): Promise<void> {
    const path = resolve(root, rawPath);
    const idOf = (itemPath: string) => givenId ?? idFor(itemPath, root);
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
    if (info instanceof Error) {
      failures.push({ id: idOf(path), path, error: info.code === 'ENOENT' ? `${path} does not exist; check the path.` : `Cannot read ${path}: ${info.message}` });
      return;
    }
    const withLabel = <T extends MediaItem>(item: T): T => (label === undefined ? item : { ...item, label });
    if (info.isDirectory()) {
      if (label !== undefined || givenId !== undefined) {
        items.push(withLabel({ id: idOf(path), path, kind: 'frames' }));
        return;
      }
      const folderRoot = options.clipFolders && (await isLeafImageFolder(path)) ? dirname(path) : path;
      await walk(path, folderRoot);
      return;
    }
    const kind = kindOfFile(path);
    if (kind === undefined) {
      failures.push({ id: idOf(path), path, error: `${path} is not a supported image or video (use .jpg, .png, .webp, .mp4, .mov, .mkv, .webm, .avi, .gif).` });
      return;
    }
    items.push(withLabel({ id: idOf(path), path, kind }));
  }

  for (const path of paths) await addPath(path, dirname(resolve(path)));
  if (options.manifest) {
    const root = dirname(resolve(options.manifest));
    const givenIds = new Set<string>();
    for (const row of readManifest(options.manifest)) {
      if (row.id !== undefined && givenIds.has(row.id)) {
        failures.push({ id: row.id, path: resolve(root, row.path), error: `${options.manifest} gives the id "${row.id}" to more than one row; make the ids unique.` });
        continue;
      }
      if (row.id !== undefined) givenIds.add(row.id);
      await addPath(row.path, root, row.label, row.id);
    }
  }
  return { items: dedupeIds(items), failures };
}

async function isLeafImageFolder(folder: string): Promise<boolean> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return !entries.some((entry) => entry.isDirectory()) && entries.some((entry) => isImagePath(entry.name));
}

/** Two inputs that differ only by extension (a.jpg, a.png) keep their extension in the id. */
function dedupeIds(items: MediaItem[]): MediaItem[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  return items.map((item) => ((counts.get(item.id) ?? 0) > 1 && item.kind !== 'frames' ? { ...item, id: `${item.id}${extname(item.path)}` } : item));
}
