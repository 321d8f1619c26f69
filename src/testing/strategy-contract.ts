import { describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest } from '../annotators/annotator.js';
import type { FaceCrop } from '../faces/find-faces.js';
import type { ClipAnnotation, Strategy } from '../strategies/strategy.js';
import { basic7, ternary, type Taxonomy } from '../taxonomy/taxonomy.js';
import { MockAnnotator } from './mock-annotator.js';

/** A strategy under contract, with the cases that do not apply to it and why (hono's `skip`). */
export interface StrategyContractSubject {
  readonly strategy: Strategy;
  /**
   * The crops of the clip the cases label, in frame order (at least two).
   * @default four 32x32 crops of distinct flat colours (strategies see pixels, they do not judge them)
   */
  readonly crops?: readonly FaceCrop[];
  readonly skip?: {
    /** Why the strategy gives no per-frame labels (one request sees the whole clip, so `frameLabels` is empty). */
    readonly frameLabels?: string;
    /** Why it has no `worker` descriptor (it runs on the main thread only). */
    readonly worker?: string;
  };
}

/** `count` 32x32 crops of distinct flat colours, in frame order (the strategy contract's default: 4). */
export function flatColourCrops(count = 4): FaceCrop[] {
  return Array.from({ length: count }, (_, frameIndex) => {
    const data = Buffer.alloc(32 * 32 * 3);
    for (let offset = 0; offset < data.length; offset += 3) data.set([(frameIndex * 60) % 256, 128, 255 - ((frameIndex * 60) % 256)], offset);
    return { frameIndex, faceFound: true, image: { data, width: 32, height: 32 } };
  });
}

/**
 * An annotator that answers every request `ok` with a label of the request's taxonomy (the n-th
 * request the n-th label, round), a full distribution, and usage and cost that grow with each call.
 */
function labellingAnnotator(maxImagesPerRequest = 16): MockAnnotator {
  let call = 0;
  return new MockAnnotator([(request: AnnotationRequest): Annotation => {
    const { labels } = request.taxonomy;
    const label = labels[call % labels.length]!;
    call += 1;
    const rest = labels.length > 1 ? 0.3 / (labels.length - 1) : 0;
    return {
      status: 'ok', label, confidence: 0.7, rationale: `answer ${call}`, promptVersion: 'contract@v1',
      distribution: Object.fromEntries(labels.map((each) => [each, each === label ? (labels.length > 1 ? 0.7 : 1) : rest])),
      usage: { inputTokens: 100 * call, outputTokens: call }, costUsd: 0.001 * call,
    };
  }], 'contract', maxImagesPerRequest);
}

function expectLabelledClip(clip: ClipAnnotation, taxonomy: Taxonomy): void {
  expect(clip.status).toBe('ok');
  expect(taxonomy.labels).toContain(clip.label);
  if (clip.confidence !== undefined) {
    expect(clip.confidence).toBeGreaterThanOrEqual(0);
    expect(clip.confidence).toBeLessThanOrEqual(1);
  }
  if (clip.distribution !== undefined) {
    for (const key of Object.keys(clip.distribution)) expect(taxonomy.labels).toContain(key);
    expect(Object.values(clip.distribution).reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 6);
  }
  expect(Array.isArray(clip.warnings)).toBe(true);
}

/**
 * Declares the vitest cases of the `Strategy` contract (v1): a `ClipAnnotation` with a status, a
 * label of the taxonomy when ok, `frameLabels` aligned with the crops, every request's annotation
 * kept with its usage and cost summed, the taxonomy and abort signal passed to each request, no
 * request carrying more images than the annotator takes, and a `worker` descriptor that imports the
 * very same strategy. Call it at the top level of a test file.
 *
 * @example
 * runStrategyContract({ strategy: firstFrameStrategy, skip: { worker: 'runs on the main thread only' } });
 */
export function runStrategyContract(subject: StrategyContractSubject): void {
  const { strategy, skip = {} } = subject;
  const crops = subject.crops ?? flatColourCrops();
  const annotateClip = (annotator: MockAnnotator, taxonomy: Taxonomy = basic7, signal?: AbortSignal) =>
    strategy.annotateClip({ crops, annotator, taxonomy, ...(signal === undefined ? {} : { signal }) });
  const skipped = (reason: string | undefined) => (reason === undefined ? '' : ` (skipped: ${reason})`);

  describe(`strategy contract: ${strategy.name}`, () => {
    it('declares specificationVersion v1, a name and a one-line description', () => {
      expect(strategy.specificationVersion).toBe('v1');
      expect(strategy.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(strategy.description).toMatch(/^[^\n]+$/);
      expect(crops.length).toBeGreaterThanOrEqual(2);
    });

    it('labels a clip ok with a label of the taxonomy, a confidence in 0-1 and a distribution over its labels', async () => {
      const annotator = labellingAnnotator();
      const clip = await annotateClip(annotator);
      expectLabelledClip(clip, basic7);
      expect(annotator.calls.length).toBeGreaterThanOrEqual(1);
    });

    it('asks every request in the taxonomy it is given, with the abort signal it is given', async () => {
      const annotator = labellingAnnotator();
      const controller = new AbortController();
      const clip = await annotateClip(annotator, ternary, controller.signal);
      expectLabelledClip(clip, ternary);
      for (const request of annotator.calls) {
        expect(request.taxonomy).toBe(ternary);
        expect(request.signal).toBe(controller.signal);
      }
    });

    it("keeps every request's annotation in order and sums their usage and cost", async () => {
      const annotator = labellingAnnotator();
      const clip = await annotateClip(annotator);
      expect(clip.annotations).toHaveLength(annotator.calls.length);
      const inputTokens = clip.annotations.reduce((sum, annotation) => sum + (annotation.usage?.inputTokens ?? 0), 0);
      const outputTokens = clip.annotations.reduce((sum, annotation) => sum + (annotation.usage?.outputTokens ?? 0), 0);
      expect(clip.annotations.map((annotation) => annotation.rationale)).toEqual(annotator.calls.map((_, index) => `answer ${index + 1}`));
      expect(clip.usage).toEqual({ inputTokens, outputTokens });
      expect(clip.costUsd).toBeCloseTo(clip.annotations.reduce((sum, annotation) => sum + (annotation.costUsd ?? 0), 0), 12);
    });

    it.skipIf(skip.frameLabels !== undefined)(`gives frameLabels one entry per crop, in frame order${skipped(skip.frameLabels)}`, async () => {
      const annotator = labellingAnnotator();
      const clip = await annotateClip(annotator);
      expect(clip.frameLabels).toHaveLength(crops.length);
      // Each crop went in its own request here, so the n-th frame's label is the n-th answer's.
      expect(annotator.calls.map((request) => request.images)).toEqual(crops.map((crop) => [crop.image]));
      expect(clip.frameLabels).toEqual(clip.annotations.map((annotation) => annotation.label));
    });

    it('gives frameLabels either one entry per crop or none', async () => {
      const clip = await annotateClip(labellingAnnotator());
      expect([0, crops.length]).toContain(clip.frameLabels.length);
    });

    it('never sends a request more images than the annotator takes', async () => {
      const annotator = labellingAnnotator(1);
      const clip = await annotateClip(annotator);
      expectLabelledClip(clip, basic7);
      for (const request of annotator.calls) expect(request.images.length).toBeLessThanOrEqual(1);
    });

    it('gives status refused and no label when every request is refused, keeping the words', async () => {
      const words = 'I cannot help with identifying emotions.';
      const clip = await annotateClip(new MockAnnotator([{ status: 'refused', rawText: words, usage: { inputTokens: 50, outputTokens: 9 } }]));
      expect(clip).toMatchObject({ status: 'refused', rawText: words });
      expect(clip.label).toBeUndefined();
      expect(clip.usage.inputTokens).toBe(50 * clip.annotations.length);
    });

    it('gives status error with the reason when every request fails', async () => {
      const clip = await annotateClip(new MockAnnotator([{ status: 'error', error: 'the model answered nothing usable' }]));
      expect(clip.status).toBe('error');
      expect(clip.label).toBeUndefined();
      expect(clip.error).toMatch(/\w+/);
    });

    it.skipIf(strategy.worker === undefined)(`has a worker descriptor that imports this very strategy${skipped(strategy.worker === undefined ? (skip.worker ?? 'no worker descriptor: main thread only') : undefined)}`, async () => {
      const worker = strategy.worker!;
      const loaded = (await import(worker.module)) as Record<string, unknown>;
      expect(loaded[worker.exportName]).toBe(strategy);
    });
  });
}
