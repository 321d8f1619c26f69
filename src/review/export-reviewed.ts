import { stringify } from 'csv-stringify/sync';
import { applyReviews, type ReviewedResult, reviewColumns } from './apply-reviews.js';
import { csvSafeRow } from '../output/csv-cell.js';
import { type LabelStudioExport, type LabelStudioExportOptions, labelStudioTasksText, writeLabelStudioExport } from '../output/label-studio-export.js';
import { type LabelStudioOptions, type LabelStudioTask, toLabelStudioTasks } from '../output/label-studio-tasks.js';
import { toCsvRow } from '../output/result-row.js';
import { formatResults } from '../output/write-results.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { ExportFormat } from '../output/export-run.js';
import { ReviewStore } from '../store/review-store.js';
import type { RunRecord, RunStore } from '../store/run-store.js';

/** Options of {@link exportReviewedRun}. */
export interface ReviewedExportOptions {
  /** Label Studio: prefix for media URLs (default: its local-files storage URL). */
  readonly mediaUrlPrefix?: string;
  /** Keep only reviewed rows. @default false */
  readonly reviewedOnly?: boolean;
}

/** A Label Studio task whose reviewed faces come as a human annotation beside the model's prediction. */
export interface ReviewedLabelStudioTask extends LabelStudioTask {
  readonly annotations?: Array<{ created_at: string; ground_truth: boolean; result: Array<Record<string, unknown>> }>;
}

/**
 * A run's results with reviewed labels winning over model labels, as text in an export format.
 * Every row says which it holds: CSV gets `label_source` (`review` or `model`), `model_label`,
 * `model_confidence`, `reviewer` and `reviewed_at` columns, and a reviewed row's `p_*` and
 * `frame_labels` (the model's) are left empty; JSON and JSONL the fields of {@link ReviewedResult}; Label
 * Studio tasks keep the model's label as a prediction and carry the reviewer's as an annotation,
 * with `label`, `label_source` (`review`, `model`, or `mixed` when only some faces of an item were
 * reviewed), `reviewer` and `reviewed_at` in the task data.
 */
export function exportReviewedRun(store: RunStore, run: RunRecord, format: ExportFormat, options: ReviewedExportOptions = {}): string {
  const results = reviewedResults(store, run, options);
  if (format === 'label-studio') return labelStudioTasksText(results, { inputs: run.inputs, mediaUrlPrefix: options.mediaUrlPrefix, toTasks: reviewedLabelStudioTasks });
  if (format !== 'csv') return formatResults(results, format, run.labels);
  const includeFace = results.some((result) => result.faceIndex > 0);
  const rows = results.map((result) => csvSafeRow({ ...withoutModelDetail(toCsvRow(result, run.labels, includeFace), result, run.labels), ...reviewColumns(result) }));
  if (rows.length === 0) return stringify([], { header: true, columns: ['id', 'path', 'label', 'label_source', 'model_label', 'model_confidence', 'reviewer', 'reviewed_at', 'review_decision', 'review_note'] });
  return stringify(rows, { header: true, columns: Object.keys(rows[0] ?? {}) });
}

function reviewedResults(store: RunStore, run: RunRecord, options: Pick<ReviewedExportOptions, 'reviewedOnly'>): ReviewedResult[] {
  const all = applyReviews(store.getResults(run.id), new ReviewStore(store.database).getReviews(run.id));
  return options.reviewedOnly ? all.filter((result) => result.labelSource === 'review') : all;
}

/**
 * A Label Studio import of a run with its reviews (tasks, config.xml, converted media: see
 * `writeLabelStudioExport`), each reviewed task carrying the reviewer's labels as an annotation.
 */
export function writeReviewedLabelStudioExport(
  store: RunStore, run: RunRecord, out: string, options: Omit<LabelStudioExportOptions, 'toTasks' | 'inputs' | 'labels'> & Pick<ReviewedExportOptions, 'reviewedOnly'> = {},
): Promise<LabelStudioExport> {
  const { reviewedOnly, ...rest } = options;
  return writeLabelStudioExport(reviewedResults(store, run, { reviewedOnly }), out, { ...rest, inputs: run.inputs, labels: run.labels, toTasks: reviewedLabelStudioTasks });
}


/**
 * A reviewed row's model-only columns, cleared: its `p_*` probabilities and `frame_labels` were the
 * model's, and beside a person's label they would read as backing it. `model_label` and
 * `model_confidence` keep what the model said.
 */
function withoutModelDetail(row: Record<string, string | number>, result: ReviewedResult, labels: readonly string[]): Record<string, string | number> {
  if (result.labelSource !== 'review') return row;
  const cleared: Record<string, string | number> = { ...row, frame_labels: '' };
  for (const label of labels) cleared[`p_${label}`] = '';
  return cleared;
}

function reviewedLabelStudioTasks(results: readonly ReviewedResult[], options: LabelStudioOptions): ReviewedLabelStudioTask[] {
  const byItem = new Map<string, ReviewedResult[]>();
  for (const result of results) byItem.set(result.id, [...(byItem.get(result.id) ?? []), result]);
  return [...byItem.values()].map((faces): ReviewedLabelStudioTask => {
    const asModel = faces.map((face): ClipResult => ({ ...face, label: face.modelLabel, confidence: face.modelConfidence }));
    const [task] = toLabelStudioTasks(asModel, options);
    const first = faces[0];
    if (!task || !first) throw new Error('unreachable: an item has at least one result');
    const reviewed = faces.filter((face) => face.labelSource === 'review' && face.label !== undefined);
    const source = reviewed.length === 0 ? 'model' : reviewed.length === faces.length ? 'review' : 'mixed';
    const data = { ...task.data, label_source: source, label: first.label ?? '' };
    if (reviewed.length === 0) return { ...task, data };
    // The reviewer judged the clip (and its faces), not each frame: per-frame labels stay model-only.
    const [human] = toLabelStudioTasks(reviewed, options);
    const result = (human?.predictions[0]?.result ?? []).filter((entry) => entry.type !== 'timelinelabels');
    const latest = reviewed.reduce((a, b) => ((a.reviewedAt ?? '') >= (b.reviewedAt ?? '') ? a : b));
    return {
      ...task,
      data: { ...data, reviewer: latest.reviewer ?? '', reviewed_at: latest.reviewedAt ?? '' },
      annotations: [{ created_at: latest.reviewedAt ?? '', ground_truth: false, result }],
    };
  });
}
