import type { ClipResult } from '../pipeline/clip-result.js';

/** Another annotator's label for the same face of the same media (another run in the store). */
export interface OtherOpinion {
  /** `provider:model`. */
  readonly model: string;
  readonly label: string;
  readonly confidence?: number;
  readonly runId: string;
}

/** Why an item is likely to be wrong. */
export type ReviewReasonCode = 'error' | 'refused' | 'abstained' | 'no_face' | 'low_confidence' | 'frame_disagreement' | 'annotator_disagreement';

export interface ReviewReason {
  readonly code: ReviewReasonCode;
  /** The evidence's own probability that the label is wrong, 0-1. */
  readonly weight: number;
  /** One line for the page: "confidence 0.41", "3 of 8 frames say Sad" … */
  readonly text: string;
}

/** An item's place in the review queue: higher `score` first. */
export interface ReviewPriority {
  /** 0-1: how likely the label is wrong. */
  readonly score: number;
  /** Strongest first. */
  readonly reasons: readonly ReviewReason[];
}

/** Below this confidence, low confidence is named as a reason (it always counts in the score). */
export const LOW_CONFIDENCE = 0.6;

/**
 * How much each kind of evidence says "wrong" at full strength. Frame disagreement is weaker than a
 * second model disagreeing: a short clip can change expression honestly, two models seldom err alike.
 */
const FRAME_WEIGHT = 0.6;
const ANNOTATOR_WEIGHT = 0.8;
const NO_FACE_WEIGHT = 0.35;

const format = (value: number) => value.toFixed(2);

/**
 * Estimates how likely an item's label is wrong, from the evidence in its result: errors, abstentions
 * and refusals first (no usable label), then the combination of low confidence, disagreement between the frames of
 * the clip, disagreement with other annotators on the same media, and no face found. Independent
 * pieces of evidence combine as a noisy OR: `1 − Π(1 − weight)`.
 * @example reviewPriority(result, []).score // 0.59 for a confidence of 0.41 and nothing else
 */
export function reviewPriority(result: ClipResult, opinions: readonly OtherOpinion[] = []): ReviewPriority {
  if (result.status === 'error') {
    return { score: 1, reasons: [{ code: 'error', weight: 1, text: `error: ${result.error ?? 'no label'}` }] };
  }
  if (result.status === 'abstained') {
    // The model said the images do not let it judge: only a person can give this one a label.
    const why = result.error ?? `the model abstained: ${(result.abstain ?? 'no reason given').replace(/_/g, ' ')}`;
    return { score: 0.99, reasons: [{ code: 'abstained', weight: 0.99, text: why }] };
  }
  if (result.status === 'refused' || result.label === undefined) {
    const text = result.status === 'refused' ? 'the model refused' : 'no label';
    return { score: 0.99, reasons: [{ code: 'refused', weight: 0.99, text }] };
  }
  const label = result.label;
  const reasons: ReviewReason[] = [];
  const confidence = result.confidence ?? 0.5;
  reasons.push({ code: 'low_confidence', weight: clamp(1 - confidence), text: `confidence ${format(confidence)}` });

  const frameLabels = result.frameLabels.filter((frameLabel): frameLabel is string => frameLabel !== undefined);
  const dissenting = frameLabels.filter((frameLabel) => frameLabel !== label);
  if (frameLabels.length > 1 && dissenting.length > 0) {
    const share = dissenting.length / frameLabels.length;
    const other = mostCommon(dissenting);
    reasons.push({ code: 'frame_disagreement', weight: FRAME_WEIGHT * share, text: `${dissenting.length} of ${frameLabels.length} frames say otherwise (${other})` });
  }

  const disagreeing = opinions.filter((opinion) => opinion.label !== label);
  if (disagreeing.length > 0) {
    const share = disagreeing.length / opinions.length;
    const names = disagreeing.map((opinion) => `${opinion.model} says ${opinion.label}`).join(', ');
    reasons.push({ code: 'annotator_disagreement', weight: ANNOTATOR_WEIGHT * share, text: names });
  }
  if (result.status === 'no_face') reasons.push({ code: 'no_face', weight: NO_FACE_WEIGHT, text: 'no face found; labelled from whole frames' });

  const score = 1 - reasons.reduce((keep, reason) => keep * (1 - reason.weight), 1);
  const named = reasons.filter((reason) => reason.code !== 'low_confidence' || confidence < LOW_CONFIDENCE);
  return { score: Math.min(score, 0.98), reasons: named.sort((a, b) => b.weight - a.weight) };
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function mostCommon(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
