import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { EmolabelError } from '../errors.js';
import type { LabelRow, LabelTable, UnknownLabelPolicy } from './read-label-csv.js';
import { matchKey, unknownLabelWarning } from './read-label-csv.js';
import { foldedInto, foldedWarning, normaliseLabel, type Taxonomy } from '../taxonomy/taxonomy.js';

/** Which labels of a Label Studio export to read. */
export type LabelStudioSource = 'annotations' | 'predictions';

export interface ReadLabelStudioExportOptions {
  readonly taxonomy: Taxonomy;
  /** Words used in messages: `predictions` or `truth`. */
  readonly role: string;
  /** The people's `annotations` (gold labels) or the models' `predictions`. @default 'annotations' */
  readonly source?: LabelStudioSource;
  /** Read this control (`from_name`) only. @default the first `choices` result, else the first labelled region */
  readonly fromName?: string;
  /**
   * Labels the taxonomy does not know: `wrong` keeps the task as a prediction that matches no gold
   * label, `skip` leaves it out, `error` refuses the file; the first two with a warning that counts
   * and names them. @default 'error'
   */
  readonly unknownLabels?: UnknownLabelPolicy;
}

const result = z.looseObject({ type: z.string(), from_name: z.string().optional(), value: z.record(z.string(), z.unknown()).optional() });
const annotation = z.looseObject({
  result: z.array(result).default([]), was_cancelled: z.boolean().optional(), ground_truth: z.boolean().optional(),
  updated_at: z.string().optional(), created_at: z.string().optional(), score: z.number().nullish(), model_version: z.string().nullish(),
});
const task = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
  annotations: z.array(annotation).default([]),
  predictions: z.array(z.union([annotation, z.number()])).default([]),
});
const exportFile = z.array(task);
type Annotation = z.infer<typeof annotation>;

const LABEL_KEYS: Record<string, string> = { choices: 'choices', rectanglelabels: 'rectanglelabels', labels: 'labels', videorectangle: 'labels', timelinelabels: 'timelinelabels' };

/** Whether a file looks like a Label Studio JSON export (a JSON array of tasks), from its name and first character. */
export function isLabelStudioExport(file: string): boolean {
  if (!file.toLowerCase().endsWith('.json')) return false;
  try {
    return readFileSync(file, 'utf8').trimStart().startsWith('[');
  } catch {
    return false;
  }
}

/**
 * The id a task is matched on: `data.id` (emolabel's exports put the item id there), else the path
 * of its media URL: `?d=` of a local-files URL, an upload's file name without Label Studio's
 * 8-character prefix, or a URL's path.
 */
export function labelStudioTaskId(data: Readonly<Record<string, unknown>>, taskId: unknown): string {
  if (typeof data.id === 'string' && data.id !== '') return data.id;
  const url = Object.values(data).find((value): value is string => typeof value === 'string' && /^(https?:\/\/|\/data\/|s3:|gs:)/.test(value));
  if (url === undefined) return String(taskId ?? '');
  const parsed = new URL(url, 'http://label-studio.invalid');
  const local = parsed.searchParams.get('d');
  if (local) return local;
  const path = decodeURIComponent(parsed.pathname);
  const upload = /^\/data\/upload\/\d+\/(?:[0-9a-f]{8}-)?(.+)$/.exec(path);
  return upload?.[1] ?? path.replace(/^\/+/, '');
}

/** The whole-item label of one annotation: its `choices`, else its first labelled region. */
function labelOf(entry: Annotation, fromName: string | undefined): string | undefined {
  const results = entry.result.filter((each) => fromName === undefined || each.from_name === fromName);
  const ordered = [...results.filter((each) => each.type === 'choices'), ...results.filter((each) => each.type !== 'choices')];
  for (const each of ordered) {
    const key = LABEL_KEYS[each.type];
    const labels = key === undefined ? undefined : each.value?.[key];
    if (Array.isArray(labels) && typeof labels[0] === 'string') return labels[0];
  }
  return undefined;
}

/** The annotation that counts: a ground-truth one, else the newest that was not cancelled. */
function chosenAnnotation(entries: readonly Annotation[]): Annotation | undefined {
  const kept = entries.filter((entry) => !entry.was_cancelled);
  const newest = [...kept].sort((a, b) => (b.updated_at ?? b.created_at ?? '').localeCompare(a.updated_at ?? a.created_at ?? ''));
  return kept.find((entry) => entry.ground_truth) ?? newest[0];
}

/**
 * Reads a Label Studio JSON export (Export > JSON) as a label table: one row per task, labelled
 * from its annotations (gold labels: the ground-truth annotation, else the newest one not
 * cancelled) or its first prediction (another model's opinion, its `score` as confidence). Labels
 * are mapped onto the taxonomy (Happiness, happy → Happy); a task without a label is a row
 * without one (a missing prediction); a label the taxonomy does not know is refused, kept as wrong
 * or skipped (`unknownLabels`), as {@link readLabelCsv} does.
 */
export function readLabelStudioExport(file: string, options: ReadLabelStudioExportOptions): LabelTable {
  let parsed: z.infer<typeof exportFile>;
  try {
    parsed = exportFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new EmolabelError('invalid_input', `The ${options.role} file ${file} is not a Label Studio JSON export (${(error as Error).message.split('\n')[0]}); export the project with Export > JSON.`, { cause: error, path: file });
  }
  const source = options.source ?? 'annotations';
  const rows: LabelRow[] = [];
  const byKey = new Map<string, LabelRow>();
  const policy = options.unknownLabels ?? 'error';
  /** Labels outside the taxonomy, as written: how many tasks had each, and the first task's position. */
  const unknown = new Map<string, { count: number; task: number }>();
  const folded = new Map<string, { into: string; count: number }>();
  parsed.forEach((entry, position) => {
    const id = labelStudioTaskId(entry.data, entry.id);
    if (id === '' || byKey.has(matchKey(id))) return;
    const chosen = source === 'annotations'
      ? chosenAnnotation(entry.annotations)
      : entry.predictions.find((each): each is Annotation => typeof each === 'object');
    const raw = chosen && labelOf(chosen, options.fromName);
    const label = raw === undefined ? undefined : normaliseLabel(raw, options.taxonomy);
    if (raw !== undefined && label === undefined) {
      unknown.set(raw, { count: (unknown.get(raw)?.count ?? 0) + 1, task: unknown.get(raw)?.task ?? position + 1 });
      if (policy !== 'wrong') return;
    }
    const into = raw === undefined ? undefined : foldedInto(raw, options.taxonomy);
    if (raw !== undefined && into !== undefined) folded.set(raw.toLowerCase(), { into, count: (folded.get(raw.toLowerCase())?.count ?? 0) + 1 });
    const score = source === 'predictions' ? chosen?.score : undefined;
    const row: LabelRow = {
      id, key: matchKey(id), label, line: position + 1,
      ...(label === undefined && raw !== undefined ? { unknownLabel: raw } : {}),
      ...(typeof score === 'number' ? { confidence: score } : {}),
    };
    byKey.set(row.key, row);
    rows.push(row);
  });
  if (unknown.size > 0 && policy === 'error') {
    const examples = [...unknown.entries()].slice(0, 5).map(([label, { task }]) => `"${label}" (task ${task})`);
    throw new EmolabelError('invalid_input',
      `The ${options.role} file ${file} has labels that ${options.taxonomy.name} does not know: ${examples.join(', ')}${unknown.size > 5 ? ` and ${unknown.size - 5} more` : ''}. ` +
      `Valid labels: ${options.taxonomy.labels.join(', ')} (or a spelling of a basic emotion). Use --taxonomy to score a different label set` +
      (options.role === 'predictions' ? ', or --unknown-labels wrong|skip to count such predictions wrong or leave them out.' : '.'), { path: file });
  }
  const counts = new Map([...unknown.entries()].map(([label, { count }]) => [label, count]));
  const where = `the ${options.role} Label Studio export ${file}`;
  const warnings = [
    ...(counts.size === 0 ? [] : [unknownLabelWarning(counts, policy, where, options.taxonomy, 'task')]),
    ...[...folded.entries()].map(([raw, { into, count }]) => foldedWarning(raw, into, count, options.taxonomy, where)),
  ];
  return { file, idColumn: 'data.id', labelColumn: source, columns: ['id', 'label', ...(source === 'predictions' ? ['confidence'] : [])], rows, byKey, byPath: new Map(), unknownLabels: counts, warnings };
}
