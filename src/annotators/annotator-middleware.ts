import type { Annotation, AnnotationRequest, Annotator } from './annotator.js';

/** One call through a middleware: the request, the rest of the stack, and the annotator at its bottom. */
export interface AnnotateCall {
  readonly request: AnnotationRequest;
  /** Calls the next middleware (or the annotator itself) with this request, changed or not. */
  readonly next: (request: AnnotationRequest) => Promise<Annotation>;
  /** The annotator being wrapped (for its capabilities, settings identity and `estimate`). */
  readonly annotator: Annotator;
}

/**
 * Behaviour added around an annotator (retries, budget, response cache, request log, dry run),
 * in the manner of vercel/ai's `wrapLanguageModel`. Version `v1`.
 */
export interface AnnotatorMiddleware {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /**
   * Whether this middleware has anything to do around `annotator`, read from its capabilities
   * (e.g. a budget around a free annotator has none). @default true
   */
  appliesTo?(annotator: Annotator): boolean;
  wrapAnnotate(call: AnnotateCall): Promise<Annotation>;
}

/**
 * `annotator` with `middleware` around it; the first middleware is the outermost (it sees each
 * request first and each answer last). Middleware whose `appliesTo` says no is left out; when none
 * is left, `annotator` itself comes back, so a free annotator keeps its worker threads. A wrapped
 * annotator is the inner one in every other respect, except that it cannot be rebuilt in a worker
 * thread (what the middleware adds lives on this thread).
 * @example wrapAnnotator({ annotator: createAnnotator('openai:gpt-4o-mini'), middleware: [budgetMiddleware({ maxCostUsd: 5 }), resilienceMiddleware()] })
 */
export function wrapAnnotator({ annotator, middleware }: { annotator: Annotator; middleware: AnnotatorMiddleware | readonly AnnotatorMiddleware[] }): Annotator {
  const list = (Array.isArray(middleware) ? middleware : [middleware]) as readonly AnnotatorMiddleware[];
  const active = list.filter((each) => each.appliesTo?.(annotator) ?? true);
  if (active.length === 0) return annotator;
  const call = (index: number, request: AnnotationRequest): Promise<Annotation> => {
    const layer = active[index];
    if (layer === undefined) return annotator.annotate(request);
    return layer.wrapAnnotate({ request, annotator, next: (changed) => call(index + 1, changed) });
  };
  const { worker: _worker, ...capabilities } = annotator.capabilities;
  return {
    specificationVersion: 'v1',
    provider: annotator.provider,
    modelId: annotator.modelId,
    capabilities,
    settingsIdentity: annotator.settingsIdentity,
    ...(annotator.estimate ? { estimate: annotator.estimate.bind(annotator) } : {}),
    ...(annotator.reparse ? { reparse: annotator.reparse.bind(annotator) } : {}),
    ...(annotator.checkReady ? { checkReady: annotator.checkReady.bind(annotator) } : {}),
    ...(annotator.prepare ? { prepare: annotator.prepare.bind(annotator) } : {}),
    ...(annotator.close ? { close: annotator.close.bind(annotator) } : {}),
    annotate: (request) => call(0, request),
  };
}

/** Whether an annotator may cost money: what budget, cache and request-log middleware apply to. */
export const isMetered = (annotator: Annotator): boolean => annotator.capabilities.billing === 'metered';
