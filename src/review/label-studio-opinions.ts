import { opinionKey } from './other-opinions.js';
import type { OtherOpinion } from './review-priority.js';
import type { LabelTable } from '../eval/read-label-csv.js';
import { matchKey } from '../eval/read-label-csv.js';
import { readLabelStudioExport } from '../eval/read-label-studio-export.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** A Label Studio JSON export read as two opinions: its people's annotations and its models' predictions. */
export interface LabelStudioOpinions {
  readonly file: string;
  readonly annotations: LabelTable;
  readonly predictions: LabelTable;
}

/** Reads a Label Studio JSON export once, for {@link labelStudioOpinionsFor}. */
export function readLabelStudioOpinions(file: string, taxonomy: Taxonomy): LabelStudioOpinions {
  return {
    file,
    annotations: readLabelStudioExport(file, { taxonomy, role: 'opinions', source: 'annotations' }),
    predictions: readLabelStudioExport(file, { taxonomy, role: 'opinions', source: 'predictions' }),
  };
}

/**
 * The export's labels as other opinions on `results` (matched on the item id, as `eval` does):
 * `label-studio:annotations` for what people labelled there, `label-studio:predictions` for what a
 * model predicted there. Keyed by `opinionKey`; whole-item labels, so they go to face 0.
 */
export function labelStudioOpinionsFor(results: readonly ClipResult[], opinions: LabelStudioOpinions): Map<string, OtherOpinion[]> {
  const byKey = new Map<string, OtherOpinion[]>();
  for (const result of results) {
    if (result.faceIndex !== 0) continue;
    const found: OtherOpinion[] = [];
    for (const [model, table] of [['label-studio:annotations', opinions.annotations], ['label-studio:predictions', opinions.predictions]] as const) {
      const row = table.byKey.get(matchKey(result.id));
      if (row?.label !== undefined) found.push({ model, label: row.label, runId: opinions.file, ...(row.confidence === undefined ? {} : { confidence: row.confidence }) });
    }
    if (found.length > 0) byKey.set(opinionKey(result.path, 0), found);
  }
  return byKey;
}

/** Two opinion maps as one: each key's opinions from both. */
export function mergeOpinions(a: ReadonlyMap<string, OtherOpinion[]>, b: ReadonlyMap<string, OtherOpinion[]>): Map<string, OtherOpinion[]> {
  const merged = new Map(a);
  for (const [key, list] of b) merged.set(key, [...(merged.get(key) ?? []), ...list]);
  return merged;
}
