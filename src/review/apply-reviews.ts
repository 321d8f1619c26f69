import type { ClipResult } from '../pipeline/clip-result.js';
import { type DecisionKind, type ReviewDecision, reviewKey } from '../store/review-store.js';

/** `review`: a person decided the label (or that there is no face to label); `model`: the annotator's label, not (or not surely) reviewed. */
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
  /** What the reviewer decided, when they did: a label, `unsure`, `skip` or `no_face`. */
  readonly reviewDecision?: DecisionKind;
  readonly reviewNote?: string;
}

/**
 * Lets reviewed labels win over model labels. A reviewed result keeps every model field (the
 * distribution, rationale …) and moves the model's label to `modelLabel`; its `confidence` becomes
 * 1 (a person's decision). A `no_face` decision leaves the item without a label (source `review`);
 * `unsure` and `skip` keep the model's label (source `model`) with the decision beside it. Reviews
 * whose item is not among `results` are ignored.
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
    const review = {
      reviewer: decision.reviewer, reviewedAt: decision.decidedAt, reviewDecision: decision.decision, ...(decision.note ? { reviewNote: decision.note } : {}),
    };
    // Unsure and skipped items keep the model's label, marked with the decision; no face takes the label away.
    if (decision.decision === 'unsure' || decision.decision === 'skip') return { ...result, ...model, labelSource: 'model', ...review };
    if (decision.decision === 'no_face') {
      const { label: _label, confidence: _confidence, ...rest } = result;
      return { ...rest, ...model, labelSource: 'review', ...review };
    }
    return { ...result, ...model, label: decision.label, confidence: 1, labelSource: 'review', ...review };
  });
}

/** The review columns of one exported row: `label_source`, `model_label`, `model_confidence`, `reviewer`, `reviewed_at`, `review_decision`, `review_note`. */
export function reviewColumns(result: ReviewedResult): Record<'label_source' | 'model_label' | 'model_confidence' | 'reviewer' | 'reviewed_at' | 'review_decision' | 'review_note', string> {
  return {
    label_source: result.labelSource,
    model_label: result.modelLabel ?? '',
    model_confidence: result.modelConfidence === undefined ? '' : String(Math.round(result.modelConfidence * 10_000) / 10_000),
    reviewer: result.reviewer ?? '',
    reviewed_at: result.reviewedAt ?? '',
    review_decision: result.reviewDecision ?? '',
    review_note: result.reviewNote ?? '',
  };
}
