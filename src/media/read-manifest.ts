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

/** The columns to read instead of detecting them (any case). */
export interface ManifestColumnNames {
  /** Column holding the media paths. @default `path`, else the one usual name present ({@link MANIFEST_PATH_COLUMNS}) */
  readonly pathColumn?: string;
  /** Column holding the item ids. @default `id` when another column holds the paths, else none (ids from the paths) */
  readonly idColumn?: string;
}

/** Why {@link manifestColumns} found no path column: none of the usual names, or more than one. */
export type ManifestColumnsProblem = { readonly problem: 'none' } | { readonly problem: 'ambiguous'; readonly candidates: readonly string[] };

/**
 * The columns of a header (lower-case names): the named ones, else `path`, else the one usual path
 * name present ({@link MANIFEST_PATH_COLUMNS}, `id` last); `label` (or emotion …); `id` beside
 * another path column. Two usual path names and no `path` (`image,video`) is ambiguous.
 */
export function manifestColumns(header: readonly string[], names: ManifestColumnNames = {}): ManifestColumns | ManifestColumnsProblem {
  const id = names.idColumn?.toLowerCase() ?? (header.includes('id') ? 'id' : undefined);
  const label = MANIFEST_LABEL_COLUMNS.find((name) => header.includes(name));
  const withLabel = (path: string): ManifestColumns => ({ path, ...(label === undefined ? {} : { label }), ...(id !== undefined && id !== path ? { id } : {}) });
  if (names.pathColumn !== undefined) return withLabel(names.pathColumn.toLowerCase());
  if (header.includes('path') && id !== 'path') return withLabel('path');
  const candidates = MANIFEST_PATH_COLUMNS.filter((name) => name !== 'id' && name !== id && header.includes(name));
  if (candidates.length > 1) return { problem: 'ambiguous', candidates };
  const path = candidates[0] ?? (header.includes('id') && names.idColumn === undefined ? 'id' : undefined);
  return path === undefined ? { problem: 'none' } : withLabel(path);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new EmolabelError('invalid_input', `Cannot read manifest ${file}: ${(error as Error).message}`, { cause: error, path: file });
  }
}

/** Refuses a named column the header lacks, or a header whose path column cannot be told. */
function checkedColumns(file: string, header: readonly string[], written: readonly string[], names: ManifestColumnNames): ManifestColumns {
  const has = written.length === 0 ? 'it has no header row' : `its columns are ${written.join(', ')}`;
  for (const [option, name] of [['pathColumn', names.pathColumn], ['idColumn', names.idColumn]] as const) {
    if (name !== undefined && !header.includes(name.toLowerCase())) {
      throw new EmolabelError('invalid_input', `Manifest ${file} has no "${name}" column (\`${option}\`); ${has}.`, { path: file });
    }
  }
  const columns = manifestColumns(header, names);
  if (!('problem' in columns)) return columns;
  if (columns.problem === 'ambiguous') {
    throw new EmolabelError(
      'invalid_input',
      `Manifest ${file} has ${columns.candidates.length} columns that could hold the media paths (${columns.candidates.join(', ')}); name the one to read with \`pathColumn\` ${columns.candidates[0]}.`,
      { path: file },
    );
  }
  throw new EmolabelError(
    'invalid_input',
    `Manifest ${file} has no "path" column (nor ${MANIFEST_PATH_COLUMNS.slice(1).join(', ')}); ${has}. Name the column holding the media paths with \`pathColumn\`, or use a header like "path,label".`,
    { path: file },
  );
}

/**
 * Reads a manifest CSV with a header row holding the media path (`path`, or `file`, `image`,
 * `video`, `clip` …, or the column `names.pathColumn`) and optionally the label (`label`,
 * `emotion`, `expression`, `class`) and the id (`id`, or `names.idColumn`). Blank lines are
 * skipped; a row with an empty path cell is refused, naming its line; a row with an empty id cell
 * is named by its path.
 */
export function readManifest(file: string, names: ManifestColumnNames = {}): ManifestRow[] {
  const text = readText(file);
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  let written: string[] = [];
  let header: string[] = [];
  try {
    records = parse(text, {
      columns: (given: string[]) => {
        written = given.map((name) => name.trim());
        return (header = written.map((name) => name.toLowerCase()));
      },
      skip_empty_lines: true, trim: true, bom: true, info: true,
    });
  } catch (error) {
    throw new EmolabelError('invalid_input', `Manifest ${file} is not valid CSV: ${(error as Error).message}`, { cause: error, path: file });
  }
  if (records.length === 0 && names.pathColumn === undefined && names.idColumn === undefined) return [];
  const columns = checkedColumns(file, header, written, names);
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
