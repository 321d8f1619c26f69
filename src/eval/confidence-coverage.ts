/** A prediction with its confidence and whether it was right. */
export interface ScoredPrediction {
  readonly correct: boolean;
  readonly confidence: number;
}

/** Accepting only predictions whose confidence is at least `threshold`. */
export interface CoveragePoint {
  readonly threshold: number;
  /** Predictions accepted. */
  readonly accepted: number;
  /** Accepted / all predictions with a confidence. */
  readonly coverage: number;
  /** Correct / accepted. */
  readonly accuracy: number;
}

/**
 * Accuracy against coverage when labels are accepted only at or above a confidence threshold, one
 * point per distinct confidence (items with equal confidence are accepted together), from the highest
 * threshold (least coverage) down to the lowest (coverage 1). Thinned to at most `maxPoints`, always
 * keeping the first and last.
 * @example accuracyCoverageCurve([{ correct: true, confidence: 0.9 }, { correct: false, confidence: 0.4 }])
 * // [{ threshold: 0.9, accepted: 1, coverage: 0.5, accuracy: 1 }, { threshold: 0.4, accepted: 2, coverage: 1, accuracy: 0.5 }]
 */
export function accuracyCoverageCurve(predictions: readonly ScoredPrediction[], maxPoints = 200): CoveragePoint[] {
  const sorted = [...predictions].sort((a, b) => b.confidence - a.confidence);
  const points: CoveragePoint[] = [];
  let accepted = 0;
  let correct = 0;
  for (let index = 0; index < sorted.length; index += 1) {
    const prediction = sorted[index] as ScoredPrediction;
    accepted += 1;
    if (prediction.correct) correct += 1;
    const next = sorted[index + 1];
    if (next !== undefined && next.confidence === prediction.confidence) continue;
    points.push({ threshold: prediction.confidence, accepted, coverage: accepted / sorted.length, accuracy: correct / accepted });
  }
  if (points.length <= maxPoints || maxPoints < 2) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, index) => points[Math.round(index * step)] as CoveragePoint);
}

/** The point that keeps the most predictions while reaching `targetAccuracy`, if any does. */
export function thresholdForAccuracy(curve: readonly CoveragePoint[], targetAccuracy: number): CoveragePoint | undefined {
  let best: CoveragePoint | undefined;
  for (const point of curve) if (point.accuracy >= targetAccuracy && (best === undefined || point.coverage > best.coverage)) best = point;
  return best;
}
