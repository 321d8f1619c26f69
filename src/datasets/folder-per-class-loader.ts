import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { Dataset, DatasetItem, DatasetLoader } from './dataset-loader.js';
import { EmolabelError } from '../errors.js';
import { sortNatural } from '../media/evenly-spaced.js';
import { isImagePath, isVideoPath } from '../media/media-item.js';

async function listFolder(path: string): Promise<Array<{ name: string; isDirectory: boolean }>> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    const folders = new Set(entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name));
    for (const entry of entries) {
      if (entry.isSymbolicLink() && (await stat(join(path, entry.name)).catch(() => undefined))?.isDirectory()) folders.add(entry.name);
    }
    const names = sortNatural(entries.map((entry) => entry.name).filter((name) => !name.startsWith('.')));
    return names.map((name) => ({ name, isDirectory: folders.has(name) }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmolabelError(
      'invalid_input',
      code === 'ENOENT' ? `Dataset folder ${path} does not exist; check the path.` : `Cannot read dataset folder ${path}: ${(error as Error).message}`,
      { cause: error, path },
    );
  }
}

/**
 * `folder`: one folder per class, `root/<Label>/<image, video or frame folder>`. Each image or video
 * file is an item, each subfolder a clip whose frames are its images. Other files are skipped.
 */
export const folderPerClassLoader: DatasetLoader = {
  kind: 'folder',
  description: 'root/<Label>/<images, videos or frame folders>',
  options: [],
  async load(path: string): Promise<Dataset> {
    const root = resolve(path);
    const classes = (await listFolder(root)).filter((entry) => entry.isDirectory);
    if (classes.length === 0) {
      throw new EmolabelError('invalid_input', `Dataset folder ${root} has no subfolders; expected one folder per class, e.g. ${join(root, 'Happy', 'clip1.mp4')}.`, {
        path: root,
      });
    }
    const items: DatasetItem[] = [];
    for (const labelFolder of classes) {
      for (const entry of await listFolder(join(root, labelFolder.name))) {
        const itemPath = join(root, labelFolder.name, entry.name);
        const stem = entry.isDirectory ? entry.name : entry.name.slice(0, entry.name.length - extname(entry.name).length);
        const id = `${labelFolder.name}/${stem}`;
        if (entry.isDirectory) items.push({ id, path: itemPath, kind: 'frames', label: labelFolder.name });
        else if (isImagePath(entry.name)) items.push({ id, path: itemPath, kind: 'image', label: labelFolder.name });
        else if (isVideoPath(entry.name)) items.push({ id, path: itemPath, kind: 'video', label: labelFolder.name });
      }
    }
    return { kind: 'folder', source: root, items };
  },
};
