import { type ClassificationMetrics, computeClassificationMetrics, type LabelPair } from './classification-metrics.js';
import { accuracyCoverageCurve, type CoveragePoint, type ScoredPrediction } from './confidence-coverage.js';
import type { LabelRow, LabelTable } from './read-label-csv.js';
import { EmolabelError } from '../errors.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** Options of {@link evaluatePredictions}. */
export interface EvaluateOptions {
  /** Both tables' labels are in this taxonomy; its labels are the classes scored. */
  readonly taxonomy: Taxonomy;
  /** Count gold items with no prediction as wrong instead of leaving them out. @default false */
  readonly strict?: boolean;
}

/** The outcome of scoring a predictions table against a truth table. */
export interface Evaluation extends ClassificationMetrics {
  readonly taxonomy: string;
  readonly strict: boolean;
  /** Gold items with no prediction (no row, or an empty label). Left out of the metrics unless `strict`. */
  readonly missing: number;
  /** Ids of the missing items, in truth order. */
  readonly missingIds: readonly string[];
  /** Prediction rows whose id is not in the truth (ignored). */
  readonly extra: number;
  /** Scored predictions whose label the taxonomy does not know, counted wrong (in the confusion matrix's `(none)` column). */
  readonly unknownPredictions: number;
  /** What reading the files changed that a reader should know (unknown labels, contempt counted as Disgust …). */
  readonly warnings: readonly string[];
  /** Accuracy of the predictions accepted at each confidence threshold; empty without confidences. */
  readonly coverage: readonly CoveragePoint[];
}

/**
 * Matches predictions to gold labels by id (see `matchKey`), falling back to the `path` columns
 * (resolved from each file's folder) for gold items whose id has no prediction, and scores them.
 * Throws when no prediction id matches a gold id, since that is almost always the wrong id column.
 */
export function evaluatePredictions(predictions: LabelTable, truth: LabelTable, options: EvaluateOptions): Evaluation {
  const strict = options.strict ?? false;
  const pairs: LabelPair[] = [];
  const scored: ScoredPrediction[] = [];
  const missingIds: string[] = [];
  const matched = new Set<LabelRow>();
  let unknownPredictions = 0;
  for (const gold of truth.rows) {
    if (gold.label === undefined) continue;
    const prediction = predictions.byKey.get(gold.key) ?? (gold.pathKey === undefined ? undefined : predictions.byPath.get(gold.pathKey));
    if (prediction !== undefined) matched.add(prediction);
    if (prediction?.unknownLabel !== undefined) {
      // A label outside the taxonomy is an answer, and a wrong one: it is scored, never left out.
      unknownPredictions += 1;
      pairs.push({ truth: gold.label, predicted: undefined });
      continue;
    }
    if (prediction?.label === undefined) {
      missingIds.push(gold.id);
      if (strict) pairs.push({ truth: gold.label, predicted: undefined });
      continue;
    }
    pairs.push({ truth: gold.label, predicted: prediction.label });
    if (prediction.confidence !== undefined) scored.push({ correct: prediction.label === gold.label, confidence: prediction.confidence });
  }
  if (matched.size === 0 && truth.rows.length > 0 && predictions.rows.length > 0) {
    const example = (table: LabelTable) => `"${table.rows[0]?.id}" (column ${table.idColumn})`;
    throw new EmolabelError(
      'invalid_input',
      `No id of the predictions ${predictions.file} matches an id of the truth ${truth.file}: e.g. ${example(predictions)} vs ${example(truth)}. ` +
        'Make both files use the same ids (relative paths without extension) or the same paths in a path column, or pass --id-column to pick the column to match on.',
      { path: predictions.file },
    );
  }
  const truthKeys = new Set(truth.rows.map((row) => row.key));
  const extra = predictions.rows.filter((row) => !matched.has(row) && !truthKeys.has(row.key)).length;
  return {
    taxonomy: options.taxonomy.name,
    strict,
    missing: missingIds.length,
    missingIds,
    extra,
    unknownPredictions,
    warnings: [...predictions.warnings, ...(truth === predictions ? [] : truth.warnings)],
    ...computeClassificationMetrics(pairs, options.taxonomy.labels),
    coverage: accuracyCoverageCurve(scored),
  };
}
