import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { EmolabelError } from '../errors.js';
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from '../media/media-item.js';
import { normaliseLabel, type Taxonomy } from '../taxonomy/taxonomy.js';

/** One row of a label CSV, its label normalised to the taxonomy. */
export interface LabelRow {
  /** The id as written in the file. */
  readonly id: string;
  /** The id used for matching (see {@link matchKey}). */
  readonly key: string;
  /** Canonical label; `undefined` when the cell is empty (an item with no prediction). */
  readonly label: string | undefined;
  /** 0-1 from a `confidence` column, when there is one and the cell holds a number. */
  readonly confidence?: number;
  /** 1-based line number of the row in the file (the header is line 1). */
  readonly line: number;
  /** The `path` cell resolved from the CSV's folder, when the file has a `path` column: the fallback match. */
  readonly pathKey?: string;
  /** Cells of the columns asked for with `keepColumns`, by column name as asked (absent or empty cells left out). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** A parsed label CSV. */
export interface LabelTable {
  readonly file: string;
  readonly idColumn: string;
  readonly labelColumn: string;
  readonly columns: readonly string[];
  readonly rows: readonly LabelRow[];
  readonly byKey: ReadonlyMap<string, LabelRow>;
  /** Rows by {@link LabelRow.pathKey} (the first row of a repeated path). */
  readonly byPath: ReadonlyMap<string, LabelRow>;
}

/** Options of {@link readLabelCsv}. */
export interface ReadLabelCsvOptions {
  /** Labels are normalised to this taxonomy (anger, ANGRY → Angry; with ternary, Angry → negative). */
  readonly taxonomy: Taxonomy;
  /** Words used in messages: `predictions` or `truth`. */
  readonly role: string;
  /** Column holding item ids. @default 'id', else the first column */
  readonly idColumn?: string;
  /** Column holding labels. @default 'label' */
  readonly labelColumn?: string;
  /** An empty label is an error (gold labels) rather than a missing prediction. @default false */
  readonly requireLabels?: boolean;
  /** Other columns to keep on each row as `extra` (e.g. `cost_usd`, `duration_ms`); absent ones are ignored. */
  readonly keepColumns?: readonly string[];
}

const MEDIA_EXTENSION = new RegExp(`(${[...IMAGE_EXTENSIONS, ...VIDEO_EXTENSIONS].map((extension) => `\\${extension}`).join('|')})$`, 'i');

/**
 * The form of an id two files are matched on: trimmed, `\` as `/`, without a leading `./` and without
 * an image or video extension, so `images/a.jpg` (a manifest) matches `images/a` (annotate's id).
 */
export function matchKey(id: string): string {
  return exactKey(id).replace(MEDIA_EXTENSION, '');
}

/** The id trimmed, `\` as `/`, without a leading `./`, extension kept: the key of ids that differ only by extension (`v.mp4`, `v.mov`). */
function exactKey(id: string): string {
  return id.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * A cell as written before annotate's CSV made it text: `'=x` → `=x`. Annotate (output/csv-cell.ts)
 * puts `'` before a cell starting with = + - @, a tab or a CR so spreadsheets do not run it.
 */
function unescapeFormulaCell(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function parseCsv(file: string, role: string): { columns: string[]; records: string[][] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EmolabelError('invalid_input', `Cannot read the ${role} CSV ${file}: ${(error as Error).message}`, { cause: error, path: file });
  }
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new EmolabelError('invalid_input', `The ${role} file ${file} is not valid CSV: ${(error as Error).message}. Expected a header row such as "id,label".`, {
      cause: error,
      path: file,
    });
  }
  const [header, ...records] = rows.map((row) => row.map(unescapeFormulaCell));
  if (header === undefined || header.length === 0) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} is empty; expected a header row such as "id,label" and one row per item.`, { path: file });
  }
  return { columns: header.map((name) => name.trim()), records };
}

function findColumn(columns: readonly string[], wanted: string): number {
  const exact = columns.indexOf(wanted);
  return exact >= 0 ? exact : columns.findIndex((column) => column.toLowerCase() === wanted.toLowerCase());
}

/**
 * Reads a CSV of item ids and labels: predictions (annotate's output or any other tool's) or gold labels.
 * Ids come from the `id` column, else the first column; labels from the `label` column; a `path`
 * column, when there is one, is kept (resolved from the CSV's folder) as a second way to match.
 * Throws on a missing column, a repeated id, or a label the taxonomy does not know (listing the valid ones).
 */
export function readLabelCsv(file: string, options: ReadLabelCsvOptions): LabelTable {
  const { role, taxonomy } = options;
  const { columns, records } = parseCsv(file, role);
  const idIndex = options.idColumn === undefined ? Math.max(0, findColumn(columns, 'id')) : findColumn(columns, options.idColumn);
  const labelColumn = options.labelColumn ?? 'label';
  const labelIndex = findColumn(columns, labelColumn);
  const found = `found columns: ${columns.join(', ')}`;
  if (idIndex < 0) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} has no "${options.idColumn}" column (${found}); name an existing id column.`, { path: file });
  }
  if (labelIndex < 0) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} has no "${labelColumn}" column (${found}); add or rename the column holding the labels.`, {
      path: file,
    });
  }
  const confidenceIndex = findColumn(columns, 'confidence');
  const pathIndex = findColumn(columns, 'path');
  const folder = dirname(resolve(file));
  const byPath = new Map<string, LabelRow>();
  const kept = (options.keepColumns ?? []).map((name) => [name, findColumn(columns, name)] as const).filter(([, index]) => index >= 0);
  const rows: LabelRow[] = [];
  const byKey = new Map<string, LabelRow>();
  /** Keys (without extension) that more than one id has. */
  const ambiguous = new Set<string>();
  const lineOfId = new Map<string, number>();
  const rekey = (row: LabelRow, key: string) => {
    const rekeyed = { ...row, key };
    byKey.delete(row.key);
    byKey.set(key, rekeyed);
    rows[rows.indexOf(row)] = rekeyed;
    if (row.pathKey !== undefined && byPath.get(row.pathKey) === row) byPath.set(row.pathKey, rekeyed);
  };
  const unknown = new Map<string, number>();
  records.forEach((record, position) => {
    const line = position + 2;
    const id = record[idIndex] ?? '';
    if (id === '') return;
    const rawLabel = record[labelIndex] ?? '';
    if (rawLabel === '' && options.requireLabels) {
      throw new EmolabelError('invalid_input', `Line ${line} of the ${role} CSV ${file} (id "${id}") has an empty "${labelColumn}"; give it a label or remove the row.`, {
        path: file,
      });
    }
    const label = rawLabel === '' ? undefined : normaliseLabel(rawLabel, taxonomy);
    if (rawLabel !== '' && label === undefined) {
      if (!unknown.has(rawLabel)) unknown.set(rawLabel, line);
      return;
    }
    const confidenceText = confidenceIndex < 0 ? '' : (record[confidenceIndex] ?? '');
    const confidence = confidenceText === '' ? Number.NaN : Number(confidenceText);
    const pathCell = pathIndex < 0 ? '' : (record[pathIndex] ?? '');
    const extra = Object.fromEntries(kept.map(([name, index]) => [name, record[index] ?? '']).filter(([, value]) => value !== ''));
    const sameIdLine = lineOfId.get(exactKey(id));
    if (sameIdLine !== undefined) {
      throw new EmolabelError(
        'invalid_input',
        `The ${role} CSV ${file} has id "${id}" on lines ${sameIdLine} and ${line}; each item needs exactly one row (annotate with --faces largest, or de-duplicate the file).`,
        { path: file },
      );
    }
    lineOfId.set(exactKey(id), line);
    // Ids that differ only by extension (annotate keeps it for `v.mp4` beside `v.mov`) are matched with it.
    const clash = byKey.get(matchKey(id));
    if (clash !== undefined) {
      rekey(clash, exactKey(clash.id));
      ambiguous.add(matchKey(id));
    }
    const row: LabelRow = {
      id,
      key: ambiguous.has(matchKey(id)) ? exactKey(id) : matchKey(id),
      label,
      line,
      ...(Number.isFinite(confidence) ? { confidence } : {}),
      ...(pathCell === '' ? {} : { pathKey: resolve(folder, pathCell) }),
      ...(kept.length > 0 ? { extra } : {}),
    };
    byKey.set(row.key, row);
    if (row.pathKey !== undefined && !byPath.has(row.pathKey)) byPath.set(row.pathKey, row);
    rows.push(row);
  });
  if (unknown.size > 0) {
    const examples = [...unknown.entries()].slice(0, 5).map(([raw, line]) => `"${raw}" (line ${line})`);
    throw new EmolabelError(
      'invalid_input',
      `The ${role} CSV ${file} has labels that ${taxonomy.name} does not know: ${examples.join(', ')}${unknown.size > 5 ? ` and ${unknown.size - 5} more` : ''}. ` +
        `Valid labels: ${taxonomy.labels.join(', ')} (or a spelling of a basic emotion). Use --taxonomy to score a different label set.`,
      { path: file },
    );
  }
  return { file, idColumn: columns[idIndex] ?? '', labelColumn: columns[labelIndex] ?? labelColumn, columns, rows, byKey, byPath };
}

/**
 * A label table built in memory (e.g. from a dataset's items) instead of read from a file; labels must
 * already be canonical. `source` names it in messages.
 */
export function createLabelTable(source: string, entries: ReadonlyArray<{ id: string; label: string | undefined }>): LabelTable {
  const rows: LabelRow[] = [];
  const byKey = new Map<string, LabelRow>();
  entries.forEach((entry, position) => {
    const row: LabelRow = { id: entry.id, key: matchKey(entry.id), label: entry.label, line: position + 2 };
    if (byKey.has(row.key)) throw new EmolabelError('invalid_input', `${source} has id "${entry.id}" twice; each item needs one label.`, { path: source });
    byKey.set(row.key, row);
    rows.push(row);
  });
  return { file: source, idColumn: 'id', labelColumn: 'label', columns: ['id', 'label'], rows, byKey, byPath: new Map() };
}
