import type { Annotation, RequestEstimate } from '../annotators/annotator.js';
import type { AnnotatorMiddleware } from '../annotators/annotator-middleware.js';
import { currentItemId } from '../pipeline/item-scope.js';
import { uniformDistribution } from '../taxonomy/taxonomy.js';

/** One request the dry run did not send, with what it would have cost. */
export interface EstimatedRequest {
  readonly itemId?: string;
  readonly images: number;
  readonly estimate: RequestEstimate;
}

/** The dry-run middleware, with the requests it has answered so far. */
export interface DryRunMiddleware extends AnnotatorMiddleware {
  readonly requests: readonly EstimatedRequest[];
}

const FREE: RequestEstimate = { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };

/**
 * Sends nothing: each request is answered at once with a neutral placeholder (a uniform
 * distribution, so strategies go on as they would) carrying the annotator's `estimate` of its
 * usage and dollars, and is recorded. Put outermost, so no cache, budget or retry runs below it;
 * the rest of the run (discovery, frames, faces, the strategy's requests) is the real pipeline.
 * A free annotator costs $0; a metered one without `estimate` has an unknown cost.
 */
export function dryRunMiddleware(): DryRunMiddleware {
  const requests: EstimatedRequest[] = [];
  return {
    specificationVersion: 'v1',
    name: 'dry-run',
    requests,
    async wrapAnnotate({ request, annotator }): Promise<Annotation> {
      const estimate = annotator.estimate?.(request)
        ?? (annotator.capabilities.billing === 'free' ? FREE : { usage: FREE.usage, costUsd: undefined });
      requests.push({ itemId: currentItemId(), images: request.images.length, estimate });
      const distribution = uniformDistribution(request.taxonomy);
      return {
        status: 'ok', label: request.taxonomy.labels[0], confidence: 0, distribution,
        usage: estimate.usage, costUsd: estimate.costUsd, warnings: ['dry run: not sent'],
      };
    },
  };
}
