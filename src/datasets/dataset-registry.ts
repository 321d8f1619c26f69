import { readFileSync, statSync } from 'node:fs';
import type { DatasetLoader } from './dataset-loader.js';
import { ferv39kLoader } from './ferv39k-loader.js';
import { folderPerClassLoader } from './folder-per-class-loader.js';
import { manifestLoader } from './manifest-loader.js';
import { EmolabelError } from '../errors.js';

const loaders = new Map<string, DatasetLoader>([
  [folderPerClassLoader.kind, folderPerClassLoader],
  [manifestLoader.kind, manifestLoader],
  [ferv39kLoader.kind, ferv39kLoader],
]);

/** Adds or replaces a dataset loader, so libraries can read their own layouts. */
export function registerDatasetLoader(loader: DatasetLoader): void {
  loaders.set(loader.kind, loader);
}

export function listDatasetLoaders(): DatasetLoader[] {
  return [...loaders.values()];
}

/** Looks a loader up by kind; an unknown kind fails listing the known ones. */
export function getDatasetLoader(kind: string): DatasetLoader {
  const loader = loaders.get(kind);
  if (loader === undefined) {
    throw new EmolabelError('invalid_option', `Unknown dataset kind "${kind}". Must be one of [${[...loaders.keys()].join(', ')}].`);
  }
  return loader;
}

/**
 * Guesses a dataset's kind from its path: a folder is `folder`; a CSV whose header has a `path`
 * column is `manifest`; any other file is a `ferv39k` split list.
 */
export function detectDatasetKind(path: string): string {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    throw new EmolabelError('invalid_input', `Dataset ${path} does not exist or cannot be read: ${(error as Error).message}`, { cause: error, path });
  }
  if (isFolder) return 'folder';
  const header = readFileSync(path, 'utf8').split(/\r?\n/, 1)[0] ?? '';
  const columns = header.replace(/^\uFEFF/, '').split(',').map((column) => column.trim().toLowerCase());
  return columns.includes('path') ? 'manifest' : 'ferv39k';
}
