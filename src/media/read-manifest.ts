import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { EmolabelError } from '../errors.js';

/**
 * A row of a manifest CSV: `path` (relative to the manifest's folder or absolute), an optional
 * `label`, and an optional `id` that names the item instead of its path (as `emolabel dataset
 * --truth` writes it, so predictions carry the gold file's ids).
 */
export interface ManifestRow {
  readonly path: string;
  readonly label?: string;
  readonly id?: string;
  /** The row's line in the file (the header is line 1), for messages. */
  readonly line: number;
}

/** Column names taken for the media path, in order: what datasets and other tools write. */
export const MANIFEST_PATH_COLUMNS: readonly string[] = ['path', 'file', 'filename', 'file_name', 'filepath', 'file_path', 'image', 'image_path', 'video', 'video_path', 'clip', 'clip_path', 'media', 'id'];
/** Column names taken for the label, in order. */
export const MANIFEST_LABEL_COLUMNS: readonly string[] = ['label', 'emotion', 'expression', 'class', 'category'];

/** Which columns a manifest's paths, labels and ids are read from (lower-case names). */
export interface ManifestColumns {
  readonly path: string;
  readonly label?: string;
  readonly id?: string;
}

/** The columns of a header: `path` (or the first usual path name, {@link MANIFEST_PATH_COLUMNS}), `label` (or emotion …), `id` beside another path column. */
export function manifestColumns(header: readonly string[]): ManifestColumns | undefined {
  const path = MANIFEST_PATH_COLUMNS.find((name) => header.includes(name));
  if (path === undefined) return undefined;
  const label = MANIFEST_LABEL_COLUMNS.find((name) => header.includes(name));
  return { path, ...(label === undefined ? {} : { label }), ...(header.includes('id') && path !== 'id' ? { id: 'id' } : {}) };
}

/**
 * Reads a manifest CSV with a header row holding the media path (`path`, or `file`, `image`,
 * `video`, `clip` …) and optionally the label (`label`, `emotion`, `expression`, `class`) and `id`.
 * Blank lines are skipped; a row with an empty path cell is refused, naming its line.
 */
export function readManifest(file: string): ManifestRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EmolabelError('invalid_input', `Cannot read manifest ${file}: ${(error as Error).message}`, { cause: error, path: file });
  }
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  let header: string[] = [];
  try {
    records = parse(text, {
      columns: (names: string[]) => (header = names.map((name) => name.trim().toLowerCase())), skip_empty_lines: true, trim: true, bom: true, info: true,
    });
  } catch (error) {
    throw new EmolabelError('invalid_input', `Manifest ${file} is not valid CSV: ${(error as Error).message}`, { cause: error, path: file });
  }
  const columns = manifestColumns(header);
  if (records.length > 0 && columns === undefined) {
    throw new EmolabelError('invalid_input', `Manifest ${file} has no "path" column (nor ${MANIFEST_PATH_COLUMNS.slice(1).join(', ')}; found ${header.join(', ')}); expected a header like "path,label".`, { path: file });
  }
  if (columns === undefined) return [];
  return records.map(({ record, info }) => {
    const path = record[columns.path] ?? '';
    if (path === '') {
      throw new EmolabelError('invalid_input', `Line ${info.lines} of the manifest ${file} has an empty "${columns.path}" cell; give the file or folder it means, or remove the row.`, { path: file });
    }
    const label = columns.label === undefined ? undefined : record[columns.label];
    const id = columns.id === undefined ? undefined : record[columns.id];
    return { path, line: info.lines, ...(label ? { label } : {}), ...(id ? { id } : {}) };
  });
}
