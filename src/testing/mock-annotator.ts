import type { Annotation, AnnotationRequest, Annotator, AnnotatorCapabilities, JsonValue, RequestEstimate } from '../annotators/annotator.js';

/** One answer of a {@link MockAnnotator} script: an annotation, or a function of the request that makes one. */
export type MockAnnotatorAnswer = Annotation | ((request: AnnotationRequest) => Annotation);

/**
 * A recording annotator above the provider layer: answers from a script (one entry per call, the
 * last repeats) and keeps every request it was given in `calls`. Metered by default, like an LLM.
 *
 * @example
 * const annotator = new MockAnnotator([{ status: 'ok', label: 'Happy', confidence: 0.9 }]);
 * await strategy.annotateClip({ crops, annotator, taxonomy: basic7 });
 * expect(annotator.calls).toHaveLength(crops.length);
 */
export class MockAnnotator implements Annotator {
  readonly specificationVersion = 'v1';
  readonly provider: string = 'mock';
  /** Every request, in the order it came. */
  readonly calls: AnnotationRequest[] = [];
  readonly capabilities: AnnotatorCapabilities;
  settingsIdentity: Readonly<Record<string, JsonValue>> = {};
  /** Set it to make the mock estimable (budget, dry run). */
  estimate?: (request: AnnotationRequest) => RequestEstimate;

  /**
   * @param script the answers, one per call; the last one repeats.
   * @param modelId @default 'scripted'
   * @param maxImagesPerRequest @default 16
   * @param capabilities overrides of `{ layouts: ['frames', 'grid'], billing: 'metered' }`.
   */
  constructor(
    private readonly script: readonly MockAnnotatorAnswer[],
    readonly modelId = 'scripted',
    maxImagesPerRequest = 16,
    capabilities: Partial<AnnotatorCapabilities> = {},
  ) {
    this.capabilities = { maxImagesPerRequest, layouts: ['frames', 'grid'], billing: 'metered', ...capabilities };
  }

  async annotate(request: AnnotationRequest): Promise<Annotation> {
    this.calls.push(request);
    const entry = this.script[Math.min(this.calls.length - 1, this.script.length - 1)];
    if (entry === undefined) throw new Error('MockAnnotator has an empty script; pass at least one answer.');
    return typeof entry === 'function' ? entry(request) : entry;
  }
}
