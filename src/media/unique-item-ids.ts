import { dirname, extname, relative, sep } from 'node:path';
import type { MediaItem } from './media-item.js';

/** A path's folders in order, for finding a common ancestor. */
const foldersOf = (path: string): string[] => dirname(path).split(sep);

/** The deepest folder that holds every one of `paths`. */
function commonFolder(paths: readonly string[]): string {
  const [first = [], ...rest] = paths.map(foldersOf);
  let depth = first.length;
  for (const folders of rest) {
    let shared = 0;
    while (shared < Math.min(depth, folders.length) && folders[shared] === first[shared]) shared += 1;
    depth = shared;
  }
  return first.slice(0, depth).join(sep) || sep;
}

const withoutExtension = (path: string, kind: MediaItem['kind']) => (kind === 'frames' || !extname(path) ? path : path.slice(0, -extname(path).length));

/**
 * Makes every item's id unique without losing any item: the same path given twice is kept once;
 * items whose ids collide get ids relative to the folder their paths share (`c1/1` and `c2/1` for
 * `clips/c1/1.jpg` and `clips/c2/1.jpg`, given as two folders), and keep their extension when that
 * is still not enough (`a.jpg`, `a.png`). Items named by a manifest's `id` column keep it.
 */
export function uniqueItemIds(items: readonly MediaItem[], givenIds: ReadonlySet<string> = new Set()): MediaItem[] {
  const seenPaths = new Set<string>();
  const distinct = items.filter((item) => !seenPaths.has(item.path) && seenPaths.add(item.path));
  const groups = new Map<string, MediaItem[]>();
  for (const item of distinct) groups.set(item.id, [...(groups.get(item.id) ?? []), item]);
  const renamed = new Map<MediaItem, string>();
  for (const [id, group] of groups) {
    if (group.length < 2 || givenIds.has(id)) continue;
    const root = commonFolder(group.map((item) => item.path));
    const relativeIds = group.map((item) => withoutExtension(relative(root, item.path), item.kind).split(sep).join('/'));
    const clash = new Set(relativeIds).size < relativeIds.length;
    group.forEach((item, index) => renamed.set(item, clash && item.kind !== 'frames' ? `${relativeIds[index]}${extname(item.path)}` : relativeIds[index]!));
  }
  return distinct.map((item) => (renamed.has(item) ? { ...item, id: renamed.get(item)! } : item));
}
