import type { ClipResult } from '../pipeline/clip-result.js';
import { type ReviewDecision, reviewKey } from '../store/review-store.js';

/** `review`: a person decided the label; `model`: the annotator's label, not reviewed. */
export type LabelSource = 'review' | 'model';

/** A result whose `label` is the final one: the reviewer's when there is a decision, else the model's. */
export interface ReviewedResult extends ClipResult {
  readonly labelSource: LabelSource;
  /** What the model said, kept beside the final label. */
  readonly modelLabel?: string;
  readonly modelConfidence?: number;
  readonly reviewer?: string;
  /** ISO 8601 time of the decision. */
  readonly reviewedAt?: string;
}

/**
 * Lets reviewed labels win over model labels. A reviewed result keeps every model field (the
 * distribution, rationale …) and moves the model's label to `modelLabel`; its `confidence` becomes
 * 1 (a person's decision). Reviews whose item is not among `results` are ignored.
 * @example
 * const rows = applyReviews(store.getResults(runId), new ReviewStore(store.database).getReviews(runId));
 * const reviewedOnly = rows.filter((row) => row.labelSource === 'review');
 */
export function applyReviews(results: readonly ClipResult[], reviews: ReadonlyMap<string, ReviewDecision>): ReviewedResult[] {
  return results.map((result): ReviewedResult => {
    const decision = reviews.get(reviewKey(result.id, result.faceIndex));
    const model = {
      ...(result.label === undefined ? {} : { modelLabel: result.label }),
      ...(result.confidence === undefined ? {} : { modelConfidence: result.confidence }),
    };
    if (!decision) return { ...result, ...model, labelSource: 'model' };
    return { ...result, ...model, label: decision.label, confidence: 1, labelSource: 'review', reviewer: decision.reviewer, reviewedAt: decision.decidedAt };
  });
}

/** The review columns of one exported row: `label_source`, `model_label`, `model_confidence`, `reviewer`, `reviewed_at`. */
export function reviewColumns(result: ReviewedResult): Record<'label_source' | 'model_label' | 'model_confidence' | 'reviewer' | 'reviewed_at', string> {
  return {
    label_source: result.labelSource,
    model_label: result.modelLabel ?? '',
    model_confidence: result.modelConfidence === undefined ? '' : String(Math.round(result.modelConfidence * 10_000) / 10_000),
    reviewer: result.reviewer ?? '',
    reviewed_at: result.reviewedAt ?? '',
  };
}
