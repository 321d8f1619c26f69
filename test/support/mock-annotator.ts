import type { Annotation, AnnotationRequest, Annotator, AnnotatorCapabilities, JsonValue, RequestEstimate } from '../../src/annotators/annotator.js';

/**
 * A recording annotator above the provider layer: answers from a script (one entry per call, the
 * last repeats) and keeps every request it was given. Metered by default, like an LLM.
 */
export class MockAnnotator implements Annotator {
  readonly specificationVersion = 'v1';
  readonly provider: string = 'mock';
  readonly calls: AnnotationRequest[] = [];
  readonly capabilities: AnnotatorCapabilities;
  settingsIdentity: Readonly<Record<string, JsonValue>> = {};
  estimate?: (request: AnnotationRequest) => RequestEstimate;

  constructor(
    private readonly script: ReadonlyArray<Annotation | ((request: AnnotationRequest) => Annotation)>,
    readonly modelId = 'scripted',
    maxImagesPerRequest = 16,
    capabilities: Partial<AnnotatorCapabilities> = {},
  ) {
    this.capabilities = { maxImagesPerRequest, layouts: ['frames', 'grid'], billing: 'metered', ...capabilities };
  }

  async annotate(request: AnnotationRequest): Promise<Annotation> {
    this.calls.push(request);
    const entry = this.script[Math.min(this.calls.length - 1, this.script.length - 1)];
    if (entry === undefined) throw new Error('MockAnnotator has an empty script');
    return typeof entry === 'function' ? entry(request) : entry;
  }
}
