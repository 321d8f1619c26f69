import type { Annotation } from '../annotators/annotator.js';
import { collectWarnings, failedClip, sumUsage } from './combine-annotations.js';
import type { ClipAnnotation, Strategy, StrategyInput } from './strategy.js';

/** Labels each frame with its own request, sequentially, in frame order. */
export async function annotateEachFrame(input: StrategyInput): Promise<Annotation[]> {
  const annotations: Annotation[] = [];
  for (const crop of input.crops) {
    annotations.push(await input.annotator.annotate({ images: [crop.image], taxonomy: input.taxonomy, signal: input.signal }));
  }
  return annotations;
}

/**
 * `frame`: one request per frame, the clip label by majority vote; ties go to the label with the
 * higher summed confidence. Confidence is the summed confidence of the winning frames over all
 * labelled frames, so it falls both with disagreement and with doubt.
 */
export const frameVoteStrategy: Strategy = {
  specificationVersion: 'v1',
  worker: { module: import.meta.url, exportName: 'frameVoteStrategy' },
  name: 'frame',
  description: 'one request per frame; majority vote, ties broken by summed confidence',
  async annotateClip(input: StrategyInput): Promise<ClipAnnotation> {
    const annotations = await annotateEachFrame(input);
    const frameLabels = annotations.map((annotation) => (annotation.status === 'ok' ? annotation.label : undefined));
    const warnings = collectWarnings(annotations);
    const votes = new Map<string, { count: number; confidence: number }>();
    for (const annotation of annotations) {
      if (annotation.status !== 'ok' || annotation.label === undefined) continue;
      const vote = votes.get(annotation.label) ?? { count: 0, confidence: 0 };
      votes.set(annotation.label, { count: vote.count + 1, confidence: vote.confidence + (annotation.confidence ?? 1) });
    }
    const ranked = [...votes.entries()].sort(([, a], [, b]) => b.count - a.count || b.confidence - a.confidence);
    const winner = ranked[0];
    if (winner === undefined) return failedClip(annotations, { frameLabels, warnings });
    const labelled = ranked.reduce((total, [, vote]) => total + vote.count, 0);
    const distribution = Object.fromEntries(input.taxonomy.labels.map((label) => [label, (votes.get(label)?.count ?? 0) / labelled]));
    return {
      status: 'ok',
      label: winner[0],
      confidence: winner[1].confidence / labelled,
      distribution,
      frameLabels,
      annotations,
      ...sumUsage(annotations),
      rationale: annotations.find((annotation) => annotation.label === winner[0])?.rationale,
      warnings,
      promptVersion: annotations[0]?.promptVersion,
    };
  },
};
