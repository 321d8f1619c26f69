import { collectWarnings, distributionOf, failedClip, sumUsage } from './combine-annotations.js';
import { annotateEachFrame } from './frame-vote-strategy.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';
import { topLabel } from '../taxonomy/taxonomy.js';

/** `mean`: one request per frame; the clip's distribution is the mean of the frames' distributions. */
export const meanStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'meanStrategy' },
  name: 'mean',
  description: 'one request per frame; average the per-frame probabilities',
  async annotateClip(input: StrategyInput): Promise<ClipAnnotation> {
    const annotations = await annotateEachFrame(input);
    const frameLabels = annotations.map((annotation) => (annotation.status === 'ok' ? annotation.label : undefined));
    const warnings = collectWarnings(annotations);
    const distributions = annotations.flatMap((annotation) => {
      const distribution = distributionOf(annotation, input.taxonomy);
      return distribution === undefined ? [] : [distribution];
    });
    if (distributions.length === 0) return failedClip(annotations, { frameLabels, warnings });
    const distribution = Object.fromEntries(
      input.taxonomy.labels.map((label) => [label, distributions.reduce((sum, each) => sum + (each[label] ?? 0), 0) / distributions.length]),
    );
    const { label, confidence } = topLabel(distribution, input.taxonomy);
    return {
      status: 'ok', label, confidence, distribution, frameLabels, annotations, ...sumUsage(annotations), warnings,
      rationale: annotations.find((annotation) => annotation.label === label)?.rationale,
      promptVersion: annotations[0]?.promptVersion,
    };
  },
};
