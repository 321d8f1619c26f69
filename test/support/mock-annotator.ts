import type { Annotation, AnnotationRequest, Annotator } from '../../src/annotators/annotator.js';

/**
 * A recording annotator above the provider layer: answers from a script (one entry per call, the
 * last repeats) and keeps every request it was given.
 */
export class MockAnnotator implements Annotator {
  readonly provider = 'mock';
  readonly calls: AnnotationRequest[] = [];

  constructor(
    private readonly script: ReadonlyArray<Annotation | ((request: AnnotationRequest) => Annotation)>,
    readonly modelId = 'scripted',
    readonly maxImagesPerRequest = 16,
  ) {}

  async annotate(request: AnnotationRequest): Promise<Annotation> {
    this.calls.push(request);
    const entry = this.script[Math.min(this.calls.length - 1, this.script.length - 1)];
    if (entry === undefined) throw new Error('MockAnnotator has an empty script');
    return typeof entry === 'function' ? entry(request) : entry;
  }
}
