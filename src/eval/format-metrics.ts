import type { ClassificationMetrics } from './classification-metrics.js';
import type { Evaluation } from './evaluate-predictions.js';

/** The `--json` shape of `emolabel eval`. */
export interface EvaluationJson {
  readonly taxonomy: string;
  readonly strict: boolean;
  readonly n: number;
  readonly missing: number;
  readonly missingIds: readonly string[];
  readonly extra: number;
  readonly unknownPredictions: number;
  readonly warnings: readonly string[];
  readonly accuracy: number | null;
  readonly balancedAccuracy: number | null;
  readonly macroPrecision: number | null;
  readonly macroRecall: number | null;
  readonly macroF1: number | null;
  readonly weightedF1: number | null;
  readonly kappa: number | null;
  readonly perClass: Readonly<Record<string, { precision: number | null; recall: number | null; f1: number | null; support: number }>>;
  readonly confusion: { labels: readonly string[]; matrix: readonly (readonly number[])[]; unpredicted?: readonly number[] };
}

/** The object `emolabel eval --json` prints. */
export function evaluationToJson(evaluation: Evaluation): EvaluationJson {
  const { confusion } = evaluation;
  return {
    taxonomy: evaluation.taxonomy,
    strict: evaluation.strict,
    n: evaluation.n,
    missing: evaluation.missing,
    missingIds: evaluation.missingIds,
    extra: evaluation.extra,
    unknownPredictions: evaluation.unknownPredictions,
    warnings: evaluation.warnings,
    accuracy: evaluation.accuracy,
    balancedAccuracy: evaluation.balancedAccuracy,
    macroPrecision: evaluation.macroPrecision,
    macroRecall: evaluation.macroRecall,
    macroF1: evaluation.macroF1,
    weightedF1: evaluation.weightedF1,
    kappa: evaluation.kappa,
    perClass: Object.fromEntries(
      Object.entries(evaluation.perClass).map(([label, metrics]) => [
        label,
        { precision: metrics.precision, recall: metrics.recall, f1: metrics.f1, support: metrics.support },
      ]),
    ),
    confusion: {
      labels: confusion.labels,
      matrix: confusion.matrix,
      ...(confusion.unpredicted.some((count) => count > 0) ? { unpredicted: confusion.unpredicted } : {}),
    },
  };
}

/** A metric for people: 4 decimals, `-` when undefined. */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(4);
}

/** Left-aligns the first column and right-aligns the others. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

/** Summary metrics, per-class table and confusion matrix as plain text. */
export function formatMetrics(metrics: ClassificationMetrics): string {
  const summary = formatTable([
    ['Accuracy (WAR)', formatMetric(metrics.accuracy)],
    ['Balanced accuracy (UAR)', formatMetric(metrics.balancedAccuracy)],
    ['Macro precision', formatMetric(metrics.macroPrecision)],
    ['Macro recall', formatMetric(metrics.macroRecall)],
    ['Macro F1', formatMetric(metrics.macroF1)],
    ['Weighted F1', formatMetric(metrics.weightedF1)],
    ["Cohen's kappa", formatMetric(metrics.kappa)],
  ]);
  const perClass = formatTable([
    ['label', 'precision', 'recall', 'f1', 'support', 'predicted'],
    ...metrics.confusion.labels.map((label) => {
      const entry = metrics.perClass[label];
      return [label, formatMetric(entry?.precision), formatMetric(entry?.recall), formatMetric(entry?.f1), String(entry?.support ?? 0), String(entry?.predicted ?? 0)];
    }),
  ]);
  const unscored = metrics.confusion.labels.filter((label) => metrics.perClass[label]?.f1 === null);
  const unscoredNote = unscored.length === 0 ? '' : `\n(-: ${unscored.join(', ')} neither gold nor predicted, left out of the macro averages)`;
  const { labels, matrix, unpredicted } = metrics.confusion;
  const showUnpredicted = unpredicted.some((count) => count > 0);
  const confusion = formatTable([
    ['truth \\ predicted', ...labels, ...(showUnpredicted ? ['(none)'] : [])],
    ...labels.map((label, row) => [label, ...(matrix[row] ?? []).map(String), ...(showUnpredicted ? [String(unpredicted[row] ?? 0)] : [])]),
  ]);
  return `${summary}\n\nPer class\n${perClass}${unscoredNote}\n\nConfusion matrix (rows: truth, columns: predicted)\n${confusion}\n`;
}

/** The full text report of `emolabel eval`: what was scored, what was left out, and the metrics. */
export function formatEvaluation(evaluation: Evaluation, files: { predictions: string; truth: string }): string {
  const lines = [`Scored ${evaluation.n} item(s) of ${files.truth} against ${files.predictions} (taxonomy ${evaluation.taxonomy}).`];
  if (evaluation.missing > 0) {
    const examples = evaluation.missingIds.slice(0, 5).join(', ') + (evaluation.missing > 5 ? ', …' : '');
    lines.push(
      evaluation.strict
        ? `${evaluation.missing} gold item(s) have no prediction and are counted wrong (--strict): ${examples}.`
        : `${evaluation.missing} gold item(s) have no prediction and are left out of the metrics (use --strict to count them wrong): ${examples}.`,
    );
  }
  if (evaluation.extra > 0) lines.push(`${evaluation.extra} prediction(s) have no gold label and were ignored.`);
  if (evaluation.unknownPredictions > 0) lines.push(`${evaluation.unknownPredictions} prediction(s) have a label outside ${evaluation.taxonomy} and are counted wrong (column "(none)" of the confusion matrix).`);
  return `${lines.join('\n')}\n\n${formatMetrics(evaluation)}`;
}
