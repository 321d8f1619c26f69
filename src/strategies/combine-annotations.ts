import type { Annotation, Usage } from '../annotators/annotator.js';
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
 * A label's full distribution: the annotator's own, or, when it gave only a label and confidence,
 * that confidence on the label and the rest spread evenly over the other labels.
 */
export function distributionOf(annotation: Annotation, taxonomy: Taxonomy): Distribution | undefined {
  if (annotation.status !== 'ok' || annotation.label === undefined) return undefined;
  if (annotation.distribution !== undefined) return annotation.distribution;
  const confidence = annotation.confidence ?? 1;
  const others = taxonomy.labels.length - 1;
  return Object.fromEntries(
    taxonomy.labels.map((label) => [label, label === annotation.label ? confidence : others > 0 ? (1 - confidence) / others : 0]),
  );
}

/** The clip's result when no request produced a label: refusal wins over error, the first one's words are kept. */
export function failedClip(annotations: readonly Annotation[], base: Pick<ClipAnnotation, 'frameLabels' | 'warnings'>): ClipAnnotation {
  const refused = annotations.find((annotation) => annotation.status === 'refused');
  const failure = refused ?? annotations.find((annotation) => annotation.status !== 'ok');
  return {
    ...base,
    ...sumUsage(annotations),
    status: refused ? 'refused' : 'error',
    annotations,
    error: failure?.error ?? 'no frame could be labelled',
    rawText: failure?.rawText,
    promptVersion: annotations[0]?.promptVersion,
  };
}

/** Warnings of all requests, each once. */
export function collectWarnings(annotations: readonly Annotation[], extra: readonly string[] = []): string[] {
  return [...new Set([...extra, ...annotations.flatMap((annotation) => annotation.warnings ?? [])])];
}
