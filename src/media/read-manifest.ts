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

/**
 * Reads a manifest CSV with a header row holding `path` and optionally `label` and `id`. Blank
 * lines are skipped; a row with an empty `path` cell is refused, naming its line.
 */
export function readManifest(file: string): ManifestRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EmolabelError('invalid_input', `Cannot read manifest ${file}: ${(error as Error).message}`, { cause: error, path: file });
  }
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, { columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, info: true });
  } catch (error) {
    throw new EmolabelError('invalid_input', `Manifest ${file} is not valid CSV: ${(error as Error).message}`, { cause: error, path: file });
  }
  if (records.length > 0 && !('path' in (records[0]?.record ?? {}))) {
    throw new EmolabelError('invalid_input', `Manifest ${file} has no "path" column; expected a header like "path,label".`, { path: file });
  }
  return records.map(({ record, info }) => {
    if ((record.path ?? '') === '') {
      throw new EmolabelError('invalid_input', `Line ${info.lines} of the manifest ${file} has an empty "path" cell; give the file or folder it means, or remove the row.`, { path: file });
    }
    return { path: record.path ?? '', line: info.lines, ...(record.label ? { label: record.label } : {}), ...(record.id ? { id: record.id } : {}) };
  });
}
