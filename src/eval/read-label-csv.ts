import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { EmolabelError } from '../errors.js';
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from '../media/media-item.js';
import { foldedInto, foldedWarning, normaliseLabel, type Taxonomy } from '../taxonomy/taxonomy.js';

/** One row of a label CSV, its label normalised to the taxonomy. */
export interface LabelRow {
  /** The id as written in the file. */
  readonly id: string;
  /** The id used for matching (see {@link matchKey}). */
  readonly key: string;
  /** Canonical label; `undefined` when the cell is empty (an item with no prediction) or holds a label outside the taxonomy. */
  readonly label: string | undefined;
  /** The label as written when the taxonomy does not know it (`unknownLabels: 'wrong'`): a prediction scored wrong. */
  readonly unknownLabel?: string;
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
  /** Labels outside the taxonomy, as written, with how many rows had each (kept as wrong, or skipped). */
  readonly unknownLabels: ReadonlyMap<string, number>;
  /** What reading changed that a reader should know: labels outside the taxonomy, contempt counted as Disgust … */
  readonly warnings: readonly string[];
}

/**
 * What to do with a label the taxonomy does not know (`pain`): `wrong` keeps the row as a
 * prediction that matches no gold label, `skip` drops the row, `error` refuses the file.
 */
export type UnknownLabelPolicy = 'wrong' | 'error' | 'skip';

/** Column names taken for the item id, in order, when none is named: what datasets and tools write. */
export const ID_COLUMN_NAMES: readonly string[] = ['id', 'path', 'image', 'clip', 'video', 'file', 'filename', 'file_name', 'filepath', 'file_path', 'image_path', 'video_path', 'item', 'name'];
/** Column names taken for the label, in order, when none is named. */
export const LABEL_COLUMN_NAMES: readonly string[] = ['label', 'emotion', 'expression', 'class', 'category'];
/** Column names taken for a prediction before {@link LABEL_COLUMN_NAMES}: other tools' files often hold both. */
export const PREDICTION_COLUMN_NAMES: readonly string[] = ['prediction', 'predicted', 'predicted_label', 'pred'];

/** Options of {@link readLabelCsv}. */
export interface ReadLabelCsvOptions {
  /** Labels are normalised to this taxonomy (anger, ANGRY → Angry; with ternary, Angry → negative). */
  readonly taxonomy: Taxonomy;
  /** Words used in messages: `predictions` or `truth`. */
  readonly role: string;
  /** Column holding item ids. @default the first of {@link ID_COLUMN_NAMES} present, else the first column */
  readonly idColumn?: string;
  /** Column holding labels. @default the first of `labelColumnNames` present */
  readonly labelColumn?: string;
  /** Names tried, in order, for the label column when `labelColumn` is not given. @default {@link LABEL_COLUMN_NAMES} */
  readonly labelColumnNames?: readonly string[];
  /** Column holding media paths, the second way to match (resolved from the CSV's folder). @default 'path' when present */
  readonly pathColumn?: string;
  /** Labels the taxonomy does not know. @default 'error' */
  readonly unknownLabels?: UnknownLabelPolicy;
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
 * Ids come from the `id` column, else the first usual item column (`path`, `image`, `clip`, `video`,
 * `file` …, {@link ID_COLUMN_NAMES}), else the first column; labels from `label` (or `emotion`,
 * `expression`, `class`); a `path` column, when there is one, is kept (resolved from the CSV's
 * folder) as a second way to match. Throws on a missing column or a repeated id; a label the
 * taxonomy does not know is refused, kept as wrong or skipped (`unknownLabels`), with a warning.
 */
export function readLabelCsv(file: string, options: ReadLabelCsvOptions): LabelTable {
  const { role, taxonomy } = options;
  const { columns, records } = parseCsv(file, role);
  const labelColumn = options.labelColumn ?? (options.labelColumnNames ?? LABEL_COLUMN_NAMES).find((name) => findColumn(columns, name) >= 0) ?? 'label';
  const labelIndex = findColumn(columns, labelColumn);
  const found = `found columns: ${columns.join(', ')}`;
  const candidates = options.idColumn === undefined ? mediaIdCandidates(columns, labelIndex) : [];
  if (candidates.length > 1) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} has ${candidates.length} columns that could hold the item ids (${candidates.join(', ')}) and no "id" or "path"; name the one to match on with --id-column ${candidates[0]}.`, { path: file });
  }
  const idIndex = options.idColumn === undefined ? defaultIdIndex(columns, labelIndex) : findColumn(columns, options.idColumn);
  const pathColumn = options.pathColumn ?? 'path';
  if (options.pathColumn !== undefined && findColumn(columns, pathColumn) < 0) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} has no "${pathColumn}" column (${found}); name an existing path column.`, { path: file });
  }
  if (idIndex < 0) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} has no "${options.idColumn}" column (${found}); name an existing id column.`, { path: file });
  }
  if (labelIndex < 0) {
    throw new EmolabelError('invalid_input', `The ${role} CSV ${file} has no "${labelColumn}" column (${found}); add or rename the column holding the labels, or name it (--pred-label, --truth-label).`, {
      path: file,
    });
  }
  const confidenceIndex = findColumn(columns, 'confidence');
  const pathIndex = findColumn(columns, pathColumn);
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
  const unknownCounts = new Map<string, number>();
  const folded = new Map<string, { into: string; count: number }>();
  const policy = options.unknownLabels ?? 'error';
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
      unknownCounts.set(rawLabel, (unknownCounts.get(rawLabel) ?? 0) + 1);
      if (policy !== 'wrong') return;
    }
    const into = rawLabel === '' ? undefined : foldedInto(rawLabel, taxonomy);
    const spelling = rawLabel.toLowerCase();
    if (into !== undefined) folded.set(spelling, { into, count: (folded.get(spelling)?.count ?? 0) + 1 });
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
      ...(label === undefined && rawLabel !== '' ? { unknownLabel: rawLabel } : {}),
      line,
      ...(Number.isFinite(confidence) ? { confidence } : {}),
      ...(pathCell === '' ? {} : { pathKey: resolve(folder, pathCell) }),
      ...(kept.length > 0 ? { extra } : {}),
    };
    byKey.set(row.key, row);
    if (row.pathKey !== undefined && !byPath.has(row.pathKey)) byPath.set(row.pathKey, row);
    rows.push(row);
  });
  if (unknown.size > 0 && policy === 'error') {
    const examples = [...unknown.entries()].slice(0, 5).map(([raw, line]) => `"${raw}" (line ${line})`);
    throw new EmolabelError(
      'invalid_input',
      `The ${role} CSV ${file} has labels that ${taxonomy.name} does not know: ${examples.join(', ')}${unknown.size > 5 ? ` and ${unknown.size - 5} more` : ''}. ` +
        `Valid labels: ${taxonomy.labels.join(', ')} (or a spelling of a basic emotion). Use --taxonomy to score a different label set` +
        (role === 'predictions' ? ', or --unknown-labels wrong|skip to count such predictions wrong or leave them out.' : '.'),
      { path: file },
    );
  }
  const warnings = [
    ...(unknownCounts.size === 0 ? [] : [unknownLabelWarning(unknownCounts, policy, `the ${role} CSV ${file}`, taxonomy)]),
    ...[...folded.entries()].map(([raw, { into, count }]) => foldedWarning(raw, into, count, taxonomy, `the ${role} CSV ${file}`)),
  ];
  return { file, idColumn: columns[idIndex] ?? '', labelColumn: columns[labelIndex] ?? labelColumn, columns, rows, byKey, byPath, unknownLabels: unknownCounts, warnings };
}

/** Names of media columns that, without an `id` or `path` column, each could be the id: two of them is ambiguous. */
const MEDIA_ID_COLUMN_NAMES: readonly string[] = ['image', 'clip', 'video', 'file', 'filename', 'file_name', 'filepath', 'file_path', 'image_path', 'video_path'];

/** The media columns present (as written) when the file has neither `id` nor `path` (which are taken first). */
function mediaIdCandidates(columns: readonly string[], labelIndex: number): string[] {
  if (findColumn(columns, 'id') >= 0 || findColumn(columns, 'path') >= 0) return [];
  return MEDIA_ID_COLUMN_NAMES.map((name) => findColumn(columns, name)).filter((index) => index >= 0 && index !== labelIndex).map((index) => columns[index] ?? '');
}

/** The id column when none is named: the first usual name present that is not the label column, else the first other column. */
function defaultIdIndex(columns: readonly string[], labelIndex: number): number {
  for (const name of ID_COLUMN_NAMES) {
    const index = findColumn(columns, name);
    if (index >= 0 && index !== labelIndex) return index;
  }
  return columns.length > 1 && labelIndex === 0 ? 1 : 0;
}

/**
 * `3 rows of the predictions CSV p.csv have labels basic7 does not know ("pain" ×2, "bored"):
 * counted as wrong predictions`: what reading a file with labels outside the taxonomy did. `where`
 * names the file (`the predictions CSV p.csv`), `unit` what it holds (`row`, `task`).
 */
export function unknownLabelWarning(counts: ReadonlyMap<string, number>, policy: UnknownLabelPolicy, where: string, taxonomy: Taxonomy, unit = 'row'): string {
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const named = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([label, count]) => `"${label}"${count > 1 ? ` ×${count}` : ''}`);
  const more = counts.size > 8 ? ` and ${counts.size - 8} more` : '';
  const outcome = policy === 'wrong' ? 'counted as wrong predictions' : 'left out (--unknown-labels skip)';
  return `${total} ${unit}${total === 1 ? '' : 's'} of ${where} ${total === 1 ? 'has a label' : 'have labels'} ${taxonomy.name} does not know (${named.join(', ')}${more}): ${outcome}`;
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
  return { file: source, idColumn: 'id', labelColumn: 'label', columns: ['id', 'label'], rows, byKey, byPath: new Map(), unknownLabels: new Map(), warnings: [] };
}
