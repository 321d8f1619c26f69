import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { Dataset, DatasetItem, DatasetLoader, DatasetLoadOptions } from './dataset-loader.js';
import { EmolabelError } from '../errors.js';
import { isImagePath, isVideoPath, type MediaKind } from '../media/media-item.js';
import { readManifest } from '../media/read-manifest.js';

function kindOf(path: string): MediaKind {
  if (isImagePath(path)) return 'image';
  if (isVideoPath(path)) return 'video';
  return 'frames';
}

/**
 * `manifest`: a CSV with `path` (or image, clip, video, file …, or `pathColumn`) and `label`
 * columns; paths are relative to the CSV's folder (or absolute). A path with an image or video extension is that file, anything else a frame folder.
 * Ids come from an `id` column (or `idColumn`) when there is one, else the paths relative to the CSV's folder without
 * extension, as `emolabel annotate --manifest` makes them.
 */
export const manifestLoader: DatasetLoader = {
  kind: 'manifest',
  description: 'a CSV with path,label columns (paths relative to the CSV)',
  options: ['pathColumn', 'idColumn'],
  async load(path: string, options: DatasetLoadOptions = {}): Promise<Dataset> {
    const file = resolve(path);
    const root = dirname(file);
    const rows = readManifest(file, { pathColumn: options.pathColumn, idColumn: options.idColumn });
    const unlabelled = rows.filter((row) => row.label === undefined);
    if (unlabelled.length > 0) {
      throw new EmolabelError(
        'invalid_input',
        `Manifest ${file} has ${unlabelled.length} row(s) without a label (e.g. ${unlabelled[0]?.path}); a dataset needs a "label" column filled on every row.`,
        { path: file },
      );
    }
    const items: DatasetItem[] = rows.map((row) => {
      const itemPath = resolve(root, row.path);
      const relativePath = relative(root, itemPath).split(sep).join('/');
      const kind = kindOf(itemPath);
      const id = row.id ?? (kind === 'frames' ? relativePath : relativePath.slice(0, relativePath.length - extname(relativePath).length));
      return { id, path: itemPath, kind, label: row.label ?? '' };
    });
    return { kind: 'manifest', source: file, items };
  },
};
