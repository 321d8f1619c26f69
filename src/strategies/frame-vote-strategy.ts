import type { Annotation } from '../annotators/annotator.js';
import { DeferredRequestError } from '../errors.js';
import { collectWarnings, distributionOf, failedClip, givesLabel, hasQuorum, imageContentOf, mostlyFollowedHint, sumUsage } from './combine-annotations.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';

/**
 * Labels each frame with its own request, all at once (the run's request limit decides how many
 * go out together), answers in frame order. A request put in a batch (`DeferredRequestError`) does
 * not stop the others: they are all asked, so one batch holds them all, and the deferral is passed
 * on after the last. Any other failure is thrown once every request has settled, so none is left
 * running unseen.
 */
export async function annotateEachFrame(input: StrategyInput): Promise<Annotation[]> {
  const settled = await Promise.allSettled(input.crops.map((crop) =>
    input.annotator.annotate({ images: [crop.image], taxonomy: input.taxonomy, signal: input.signal, ...imageContentOf([crop]) })));
  const failure = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected' && !DeferredRequestError.isInstance(outcome.reason));
  if (failure) throw failure.reason;
  const deferred = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (deferred) throw deferred.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<Annotation>).value);
}

/**
 * `frame`: one request per frame, the clip label by majority vote; ties go to the label with the
 * higher summed confidence. Only labelled answers vote: abstentions, answers that saw no face,
 * refusals and errors do not. A clip label needs more than half of the frames labelled; otherwise
 * the clip is not `ok` and its message says how many were. Confidence is the summed confidence of
 * the winning frames over all frames, so it falls with disagreement, with doubt, and with frames
 * that gave no label. The distribution is the share of votes per label over several frames, and
 * the model's own probabilities for a single frame (a photo).
 */
export const frameVoteStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'frameVoteStrategy' },
  name: 'frame',
  description: 'one request per frame; majority vote of the labelled frames (more than half needed), ties broken by summed confidence',
  async annotateClip(input: StrategyInput): Promise<ClipAnnotation> {
    const annotations = await annotateEachFrame(input);
    const frameLabels = annotations.map((annotation) => (givesLabel(annotation) ? annotation.label : undefined));
    const warnings = collectWarnings(annotations);
    const votes = new Map<string, { count: number; confidence: number }>();
    for (const annotation of annotations.filter(givesLabel)) {
      const vote = votes.get(annotation.label) ?? { count: 0, confidence: 0 };
      votes.set(annotation.label, { count: vote.count + 1, confidence: vote.confidence + (annotation.confidence ?? 1) });
    }
    const ranked = [...votes.entries()].sort(([, a], [, b]) => b.count - a.count || b.confidence - a.confidence);
    const labelled = ranked.reduce((total, [, vote]) => total + vote.count, 0);
    const winner = ranked[0];
    if (winner === undefined || !hasQuorum(labelled, annotations.length)) return failedClip(annotations, { frameLabels, warnings }, labelled);
    // One frame (a photo): its own probabilities, not a one-hot vote; several: the vote shares.
    const single = annotations.length === 1 ? annotations.find(givesLabel) : undefined;
    const distribution = (single && distributionOf(single, input.taxonomy))
      ?? Object.fromEntries(input.taxonomy.labels.map((label) => [label, (votes.get(label)?.count ?? 0) / labelled]));
    const hintFollowed = mostlyFollowedHint(annotations.filter(givesLabel));
    return {
      status: 'ok',
      label: winner[0],
      // (summed confidence / labelled frames) scaled by labelled / all frames.
      confidence: winner[1].confidence / annotations.length,
      distribution,
      frameLabels,
      annotations,
      ...sumUsage(annotations),
      rationale: annotations.find((annotation) => givesLabel(annotation) && annotation.label === winner[0])?.rationale,
      ...(hintFollowed === undefined ? {} : { hintFollowed }),
      warnings,
      promptVersion: annotations[0]?.promptVersion,
    };
  },
};
