import type { AbstainReason, Annotation, Usage } from '../annotators/annotator.js';
import type { FaceCrop } from '../faces/find-faces.js';
import type { Distribution, Taxonomy } from '../taxonomy/taxonomy.js';
import type { ClipAnnotation } from './strategy.js';

export function sumUsage(annotations: readonly Annotation[]): { usage: Usage; costUsd: number } {
  let inputTokens = 0;
  let outputTokens = 0;
  let reasoningTokens: number | undefined;
  let costUsd = 0;
  for (const annotation of annotations) {
    inputTokens += annotation.usage?.inputTokens ?? 0;
    outputTokens += annotation.usage?.outputTokens ?? 0;
    if (annotation.usage?.reasoningTokens !== undefined) reasoningTokens = (reasoningTokens ?? 0) + annotation.usage.reasoningTokens;
    costUsd += annotation.costUsd ?? 0;
  }
  return { usage: { inputTokens, outputTokens, ...(reasoningTokens === undefined ? {} : { reasoningTokens }) }, costUsd };
}

/**
 * What crops show, for the request's `imageContent`: `frame` when no face was found in them (whole
 * frames, as with `faces: 'none'`); left out for face crops, the default.
 */
export function imageContentOf(crops: readonly FaceCrop[]): { imageContent?: 'frame' } {
  return crops.some((crop) => crop.faceFound) ? {} : { imageContent: 'frame' };
}

/**
 * Whether an answer gives a label that may vote: status `ok` with a label, from a model that did
 * not say it saw no face (`faceVisible: false`). Abstentions, refusals and errors do not vote.
 */
export function givesLabel(annotation: Annotation): annotation is Annotation & { readonly label: string } {
  return annotation.status === 'ok' && annotation.label !== undefined && annotation.faceVisible !== false;
}

/** Why an answer abstained: its own reason, or `no_face` for a labelled answer that saw no face. */
function abstainReasonOf(annotation: Annotation): AbstainReason | undefined {
  if (annotation.status === 'abstained') return annotation.abstain ?? 'no_face';
  return annotation.status === 'ok' && annotation.faceVisible === false ? 'no_face' : undefined;
}

/**
 * Whether enough frames got a label for a clip label: more than half of them, so one labelled
 * frame of eight never speaks for the clip.
 */
export function hasQuorum(labelled: number, total: number): boolean {
  return labelled * 2 > total;
}

/**
 * A label's full distribution: the annotator's own, or, when it gave only a label and confidence
 * (or a distribution that is flat or whose top is another label, as LLMs sometimes write), that
 * confidence on the label and the rest spread evenly over the other labels. Undefined for an
 * answer that does not vote ({@link givesLabel}).
 */
export function distributionOf(annotation: Annotation, taxonomy: Taxonomy): Distribution | undefined {
  if (!givesLabel(annotation)) return undefined;
  if (annotation.distribution !== undefined && agreesWithLabel(annotation.distribution, annotation.label, taxonomy)) return annotation.distribution;
  const confidence = annotation.confidence ?? 1;
  const others = taxonomy.labels.length - 1;
  return Object.fromEntries(
    taxonomy.labels.map((label) => [label, label === annotation.label ? confidence : others > 0 ? (1 - confidence) / others : 0]),
  );
}

/** Near-equal probabilities count as tied (LLMs write two decimals). */
const TIE = 1e-6;

/** Whether a distribution backs its answer's label: not flat, and the label is (one of) its most probable. */
function agreesWithLabel(distribution: Distribution, label: string, taxonomy: Taxonomy): boolean {
  const values = taxonomy.labels.map((each) => distribution[each] ?? 0);
  const top = Math.max(...values);
  if (top - Math.min(...values) <= TIE) return false;
  return (distribution[label] ?? 0) >= top - TIE;
}

/**
 * The most probable label of a combined distribution. Labels within a rounding error of the top
 * are tied; the tie goes to the label more frames voted for, then the higher summed confidence of
 * those votes, and only then to taxonomy order.
 */
export function topLabelOf(distribution: Distribution, annotations: readonly Annotation[], taxonomy: Taxonomy): { label: string; confidence: number } {
  const top = Math.max(...taxonomy.labels.map((label) => distribution[label] ?? 0));
  const tied = taxonomy.labels.filter((label) => (distribution[label] ?? 0) >= top - TIE);
  const votes = (label: string) => annotations.filter((annotation) => givesLabel(annotation) && annotation.label === label);
  const score = (label: string) => ({ count: votes(label).length, confidence: votes(label).reduce((sum, annotation) => sum + (annotation.confidence ?? 1), 0) });
  const ranked = tied.map((label) => ({ label, ...score(label) })).sort((a, b) => b.count - a.count || b.confidence - a.confidence);
  const label = ranked[0]?.label ?? taxonomy.labels[0] ?? '';
  return { label, confidence: distribution[label] ?? 0 };
}

function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** `5 abstained (no_face), 2 errors`: what the frames without a label answered. */
function describeUnlabelled(annotations: readonly Annotation[]): string {
  const reasons = annotations.flatMap((annotation) => abstainReasonOf(annotation) ?? []);
  const count = (status: Annotation['status']) => annotations.filter((annotation) => annotation.status === status).length;
  const parts = [
    reasons.length > 0 ? `${reasons.length} abstained (${[...new Set(reasons)].join(', ')})` : '',
    count('refused') > 0 ? `${count('refused')} refused` : '',
    count('error') > 0 ? `${count('error')} ${count('error') === 1 ? 'error' : 'errors'}` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/**
 * The clip's result when its requests gave no clip label. A refusal wins, then abstention (when
 * answers abstained at least as often as they failed; the most common reason is kept), then error;
 * the first failure's words are kept. `labelled` frames out of all the annotations were too few
 * for a quorum when given: the message says how many.
 */
export function failedClip(
  annotations: readonly Annotation[],
  base: Pick<ClipAnnotation, 'frameLabels' | 'warnings'>,
  labelled?: number,
): ClipAnnotation {
  const refused = annotations.find((annotation) => annotation.status === 'refused');
  const reasons = annotations.flatMap((annotation) => abstainReasonOf(annotation) ?? []);
  const errors = annotations.filter((annotation) => annotation.status === 'error');
  const status = refused ? 'refused' : reasons.length > 0 && reasons.length >= errors.length ? 'abstained' : 'error';
  const failure = refused ?? errors[0];
  const short = labelled !== undefined && annotations.length > 1
    ? `only ${labelled} of ${annotations.length} frames got a label (${describeUnlabelled(annotations)}); a clip label needs more than half`
    : undefined;
  const error = short ?? (status === 'abstained' ? undefined : (failure?.error ?? 'no frame could be labelled'));
  return {
    ...base,
    ...sumUsage(annotations),
    status,
    ...(status === 'abstained' ? { abstain: mostCommon(reasons) } : {}),
    annotations,
    ...(error === undefined ? {} : { error }),
    rawText: failure?.rawText,
    rationale: status === 'abstained' ? annotations.find((annotation) => abstainReasonOf(annotation) !== undefined)?.rationale : undefined,
    promptVersion: annotations[0]?.promptVersion,
  };
}

/** Whether most of the answers that say took the hint; undefined when none says. */
export function mostlyFollowedHint(annotations: readonly Annotation[]): boolean | undefined {
  const said = annotations.flatMap((annotation) => (annotation.hintFollowed === undefined ? [] : [annotation.hintFollowed]));
  return said.length === 0 ? undefined : hasQuorum(said.filter(Boolean).length, said.length);
}

/** Warnings of all requests, each once. */
export function collectWarnings(annotations: readonly Annotation[], extra: readonly string[] = []): string[] {
  return [...new Set([...extra, ...annotations.flatMap((annotation) => annotation.warnings ?? [])])];
}
