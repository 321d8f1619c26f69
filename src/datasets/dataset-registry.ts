import { readFileSync, statSync } from 'node:fs';
import type { DatasetLoader } from './dataset-loader.js';
import { ferv39kLoader } from './ferv39k-loader.js';
import { folderPerClassLoader } from './folder-per-class-loader.js';
import { manifestLoader } from './manifest-loader.js';
import { EmolabelError } from '../errors.js';
import { normaliseBasicLabel } from '../taxonomy/basic-labels.js';

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
 * Guesses a dataset's kind from its path: a folder is `folder`; a file whose first line is a FERV39k
 * entry (`…/<Scene>/<Emotion>/<clip> …`) is `ferv39k`; any other file is a `manifest` (whose loader
 * explains what a manifest needs when it is not one).
 */
export function detectDatasetKind(path: string): string {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    throw new EmolabelError('invalid_input', `Dataset ${path} does not exist or cannot be read: ${(error as Error).message}`, { cause: error, path });
  }
  if (isFolder) return 'folder';
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/, 3);
  const columns = (lines[0] ?? '').split(',').map((column) => column.trim().toLowerCase());
  if (columns.includes('path')) return 'manifest';
  const looksLikeFerv = lines.slice(0, 2).some((line) => {
    const segments = (line.trim().split(/[\s,]+/)[0] ?? '').split('/');
    return segments.length >= 3 && normaliseBasicLabel(segments.at(-2) ?? '') !== undefined;
  });
  return looksLikeFerv ? 'ferv39k' : 'manifest';
}
