import type { Annotation, AnnotationRequest, Annotator } from './annotator.js';

/**
 * An annotator that is `inner` in every respect (provider, model, limits, settings identity,
 * readiness check, close) but answers with `annotate`: the shape of every wrapper (cache, budget,
 * rate limits, counting) without repeating the pass-through.
 */
export function wrapAnnotator(inner: Annotator, annotate: (request: AnnotationRequest) => Promise<Annotation>): Annotator {
  return {
    provider: inner.provider,
    modelId: inner.modelId,
    maxImagesPerRequest: inner.maxImagesPerRequest,
    settingsIdentity: inner.settingsIdentity,
    checkReady: inner.checkReady?.bind(inner),
    close: inner.close?.bind(inner),
    annotate,
  };
}
