import { collectWarnings, distributionOf, failedClip, givesLabel, hasQuorum, mostlyFollowedHint, sumUsage, topLabelOf } from './combine-annotations.js';
import { annotateEachFrame } from './frame-vote-strategy.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';

/**
 * `mean`: one request per frame; the clip's distribution is the mean of the labelled frames'
 * distributions. Like `frame`, it needs more than half of the frames labelled (abstentions and
 * answers that saw no face do not count), and its confidence is scaled by the labelled share. The
 * label is the mean's most probable one; a flat answer counts as its label and confidence, and a
 * tie goes to the label more frames gave ({@link topLabelOf}), never simply to the first label.
 */
export const meanStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'meanStrategy' },
  name: 'mean',
  description: 'one request per frame; average the labelled frames\' probabilities (more than half needed)',
  async annotateClip(input: StrategyInput): Promise<ClipAnnotation> {
    const annotations = await annotateEachFrame(input);
    const frameLabels = annotations.map((annotation) => (givesLabel(annotation) ? annotation.label : undefined));
    const warnings = collectWarnings(annotations);
    const distributions = annotations.flatMap((annotation) => {
      const distribution = distributionOf(annotation, input.taxonomy);
      return distribution === undefined ? [] : [distribution];
    });
    if (distributions.length === 0 || !hasQuorum(distributions.length, annotations.length)) {
      return failedClip(annotations, { frameLabels, warnings }, distributions.length);
    }
    const distribution = Object.fromEntries(
      input.taxonomy.labels.map((label) => [label, distributions.reduce((sum, each) => sum + (each[label] ?? 0), 0) / distributions.length]),
    );
    const { label, confidence } = topLabelOf(distribution, annotations, input.taxonomy);
    const hintFollowed = mostlyFollowedHint(annotations.filter(givesLabel));
    return {
      status: 'ok', label, confidence: (confidence * distributions.length) / annotations.length, distribution, frameLabels, annotations,
      ...sumUsage(annotations), warnings,
      rationale: annotations.find((annotation) => givesLabel(annotation) && annotation.label === label)?.rationale,
      ...(hintFollowed === undefined ? {} : { hintFollowed }),
      promptVersion: annotations[0]?.promptVersion,
    };
  },
};
