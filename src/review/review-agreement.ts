import { type ClassificationMetrics, computeClassificationMetrics, type LabelPair } from '../eval/classification-metrics.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { type ReviewDecision, reviewKey } from '../store/review-store.js';

/** Agreement of one class between the model and the reviewers, on reviewed items. */
export interface ClassAgreement {
  readonly label: string;
  /** Reviewed items the reviewers put in this class. */
  readonly reviewed: number;
  /** Reviewed items the model put in this class. */
  readonly predicted: number;
  /** Of the reviewers' items of this class, the share the model also labelled so (recall). */
  readonly recall: number | null;
  /** Of the model's items of this class, the share the reviewers kept (precision). */
  readonly precision: number | null;
  readonly f1: number | null;
}

/** How far the model agrees with the reviewers so far, with the reviewers' labels as the truth. */
export interface ReviewAgreement {
  /** Items (faces) in the run. */
  readonly total: number;
  /** Items with a decision other than `skip`. */
  readonly reviewed: number;
  /** Items the reviewers gave a label (the decisions the agreement is scored on). */
  readonly labelled: number;
  /** Decisions of each kind other than a label. */
  readonly unsure: number;
  readonly skipped: number;
  readonly noFace: number;
  /** Reviewed items whose decision kept the model's label. */
  readonly agreed: number;
  readonly accuracy: number | null;
  /** Cohen's kappa between model and reviewers; `null` until it is defined. */
  readonly kappa: number | null;
  readonly macroF1: number | null;
  /** One entry per label of the run, in the run's order, then any other label seen. */
  readonly perClass: readonly ClassAgreement[];
  readonly metrics: ClassificationMetrics;
}

/**
 * Scores the model's labels against the reviewers' labels on the items they labelled (decisions
 * `unsure`, `skip` and `no_face` are counted apart, not scored). A labelled item the model gave no
 * label (error, refusal) counts as a disagreement.
 */
export function computeReviewAgreement(
  results: readonly ClipResult[],
  reviews: ReadonlyMap<string, ReviewDecision>,
  labels: readonly string[],
): ReviewAgreement {
  const pairs: LabelPair[] = [];
  const kinds = { label: 0, unsure: 0, skip: 0, no_face: 0 };
  for (const result of results) {
    const decision = reviews.get(reviewKey(result.id, result.faceIndex));
    if (!decision) continue;
    kinds[decision.decision] += 1;
    if (decision.decision === 'label') pairs.push({ truth: decision.label, predicted: result.label });
  }
  const allLabels = [...labels];
  for (const pair of pairs) {
    for (const label of [pair.truth, pair.predicted]) if (label !== undefined && !allLabels.includes(label)) allLabels.push(label);
  }
  const metrics = computeClassificationMetrics(pairs, allLabels);
  const perClass = allLabels.map((label): ClassAgreement => {
    const entry = metrics.perClass[label];
    return {
      label, reviewed: entry?.support ?? 0, predicted: entry?.predicted ?? 0,
      recall: entry?.recall ?? null, precision: entry?.precision ?? null, f1: entry?.f1 ?? null,
    };
  });
  return {
    total: results.length, reviewed: kinds.label + kinds.unsure + kinds.no_face, labelled: pairs.length,
    unsure: kinds.unsure, skipped: kinds.skip, noFace: kinds.no_face, agreed: metrics.correct,
    accuracy: metrics.accuracy, kappa: metrics.kappa, macroF1: metrics.macroF1, perClass, metrics,
  };
}
