import { EmolabelError } from '../errors.js';

/** One scored item: its gold label and the predicted one (`undefined`: no prediction, counted wrong). */
export interface LabelPair {
  readonly truth: string;
  readonly predicted: string | undefined;
}

/**
 * Precision, recall and F1 of one class. A class that is neither in the truth nor predicted is not
 * scored (all three `null`, left out of the macro averages). Otherwise an undefined ratio is 0, as in
 * scikit-learn: precision of a class never predicted, recall of a class with no gold items.
 */
export interface ClassMetrics {
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** Gold items of this class. */
  readonly support: number;
  /** Items predicted as this class. */
  readonly predicted: number;
}

/** Counts of gold label (rows) against predicted label (columns), in `labels` order. */
export interface ConfusionMatrix {
  readonly labels: readonly string[];
  /** `matrix[truth][predicted]`. */
  readonly matrix: readonly (readonly number[])[];
  /** Per gold label, items with no prediction that were counted wrong (`strict`); all 0 otherwise. */
  readonly unpredicted: readonly number[];
}

/**
 * Metrics of a single-label classification. Averages are `null` when there is nothing to average
 * (no items); `kappa` is also `null` when chance agreement is 1 (one class on both sides).
 */
export interface ClassificationMetrics {
  /** Items scored. */
  readonly n: number;
  readonly correct: number;
  /** Correct / n: weighted average recall (WAR). */
  readonly accuracy: number | null;
  /** Mean recall over the classes present in the truth: unweighted average recall (UAR). */
  readonly balancedAccuracy: number | null;
  /** Mean precision over the scored classes ("average precision" in the FER literature). */
  readonly macroPrecision: number | null;
  /** Mean recall over the scored classes (a class predicted but never gold counts 0). */
  readonly macroRecall: number | null;
  readonly macroF1: number | null;
  /** Per-class F1 weighted by support. */
  readonly weightedF1: number | null;
  /** Cohen's kappa: (observed − chance agreement) / (1 − chance agreement). */
  readonly kappa: number | null;
  readonly perClass: Readonly<Record<string, ClassMetrics>>;
  readonly confusion: ConfusionMatrix;
  /** Classes in the truth or the predictions: the ones the macro averages run over. */
  readonly scoredLabels: readonly string[];
}

const mean = (values: readonly number[]): number | null =>
  values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;

/** Builds the confusion matrix; every label must be one of `labels`. */
export function confusionMatrix(pairs: readonly LabelPair[], labels: readonly string[]): ConfusionMatrix {
  const index = new Map(labels.map((label, position) => [label, position]));
  const matrix = labels.map(() => labels.map(() => 0));
  const unpredicted = labels.map(() => 0);
  const positionOf = (label: string): number => {
    const position = index.get(label);
    if (position === undefined) {
      throw new EmolabelError('invalid_input', `Label "${label}" is not one of the labels being scored (${labels.join(', ')}).`);
    }
    return position;
  };
  for (const pair of pairs) {
    const row = positionOf(pair.truth);
    if (pair.predicted === undefined) unpredicted[row] = (unpredicted[row] ?? 0) + 1;
    else {
      const cells = matrix[row] as number[];
      const column = positionOf(pair.predicted);
      cells[column] = (cells[column] ?? 0) + 1;
    }
  }
  return { labels: [...labels], matrix, unpredicted };
}

/**
 * Scores predictions against gold labels over the classes `labels` (a taxonomy's labels).
 * @example computeClassificationMetrics([{ truth: 'Happy', predicted: 'Happy' }], basic7.labels).accuracy // 1
 */
export function computeClassificationMetrics(pairs: readonly LabelPair[], labels: readonly string[]): ClassificationMetrics {
  const confusion = confusionMatrix(pairs, labels);
  const n = pairs.length;
  const rowTotal = labels.map((_, row) => (confusion.matrix[row] ?? []).reduce((sum, count) => sum + count, 0) + (confusion.unpredicted[row] ?? 0));
  const columnTotal = labels.map((_, column) => confusion.matrix.reduce((sum, cells) => sum + (cells[column] ?? 0), 0));
  const diagonal = labels.map((_, position) => confusion.matrix[position]?.[position] ?? 0);
  const correct = diagonal.reduce((sum, count) => sum + count, 0);

  const perClass: Record<string, ClassMetrics> = {};
  const scoredLabels: string[] = [];
  const scored: Array<{ precision: number; recall: number; f1: number; support: number }> = [];
  const presentRecalls: number[] = [];
  labels.forEach((label, position) => {
    const support = rowTotal[position] ?? 0;
    const predicted = columnTotal[position] ?? 0;
    const hits = diagonal[position] ?? 0;
    if (support === 0 && predicted === 0) {
      perClass[label] = { precision: null, recall: null, f1: null, support, predicted };
      return;
    }
    const precision = predicted === 0 ? 0 : hits / predicted;
    const recall = support === 0 ? 0 : hits / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[label] = { precision, recall, f1, support, predicted };
    scoredLabels.push(label);
    scored.push({ precision, recall, f1, support });
    if (support > 0) presentRecalls.push(recall);
  });

  const observed = n === 0 ? 0 : correct / n;
  const chance = n === 0 ? 0 : labels.reduce((sum, _, position) => sum + ((rowTotal[position] ?? 0) / n) * ((columnTotal[position] ?? 0) / n), 0);
  return {
    n,
    correct,
    accuracy: n === 0 ? null : observed,
    balancedAccuracy: mean(presentRecalls),
    macroPrecision: mean(scored.map((entry) => entry.precision)),
    macroRecall: mean(scored.map((entry) => entry.recall)),
    macroF1: mean(scored.map((entry) => entry.f1)),
    weightedF1: n === 0 ? null : scored.reduce((sum, entry) => sum + entry.f1 * entry.support, 0) / n,
    kappa: n === 0 || chance >= 1 ? null : (observed - chance) / (1 - chance),
    perClass,
    confusion,
    scoredLabels,
  };
}
