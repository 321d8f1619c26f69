import type { Annotation, AnnotationRequest, Usage } from '../annotators/annotator.js';

const possible = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function usageIsPossible(usage: Usage): boolean {
  return possible(usage.inputTokens) && possible(usage.outputTokens)
    && (usage.reasoningTokens === undefined || possible(usage.reasoningTokens))
    && (usage.cachedInputTokens === undefined || possible(usage.cachedInputTokens));
}

/**
 * An answer with its usage and cost made possible: a cost or token count that is negative, not a
 * number or not finite (a provider's bug or a hostile server) is treated as missing, and an answer
 * with images that reports no usage at all is too; either is charged `estimateUsd` (when the
 * model has a price), with a warning on the answer. A failed request with no usage cost nothing.
 * Returns `annotation` itself when nothing was wrong.
 */
export function checkedUsage(annotation: Annotation, request: AnnotationRequest, estimateUsd: () => number | undefined): Annotation {
  const badUsage = annotation.usage !== undefined && !usageIsPossible(annotation.usage);
  const badCost = annotation.costUsd !== undefined && !possible(annotation.costUsd);
  const noUsage = !badUsage && !badCost && annotation.status !== 'error' && request.images.length > 0
    && annotation.usage !== undefined && annotation.usage.inputTokens === 0 && annotation.usage.outputTokens === 0 && (annotation.costUsd ?? 0) === 0;
  if (!badUsage && !badCost && !noUsage) return annotation;
  const estimate = estimateUsd();
  if (noUsage && !(estimate !== undefined && estimate > 0)) return annotation;
  const what = noUsage ? 'no usage' : badCost ? `an impossible cost (${String(annotation.costUsd)})` : 'impossible token counts';
  const counted = estimate === undefined ? 'counted no cost (the model has no price)' : `counted the estimate $${estimate.toFixed(4)}`;
  const { costUsd: _reported, ...rest } = annotation;
  return {
    ...rest,
    ...(badUsage ? { usage: { inputTokens: 0, outputTokens: 0 } } : {}),
    ...(estimate === undefined ? {} : { costUsd: estimate }),
    warnings: [...(annotation.warnings ?? []), `the provider reported ${what}; ${counted}`],
  };
}
