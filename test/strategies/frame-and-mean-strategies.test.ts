import { describe, expect, it } from 'vitest';
import type { Annotation } from '../../src/annotators/annotator.js';
import type { FaceCrop } from '../../src/faces/find-faces.js';
import { frameVoteStrategy } from '../../src/strategies/frame-vote-strategy.js';
import { meanStrategy } from '../../src/strategies/mean-strategy.js';
import { getStrategy } from '../../src/strategies/strategy-registry.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const crops: FaceCrop[] = [0, 1, 2, 3].map((frameIndex) => ({
  frameIndex, faceFound: true, image: { data: Buffer.alloc(12, frameIndex), width: 2, height: 2 },
}));
const ok = (label: string, confidence: number, extra: Partial<Annotation> = {}): Annotation => ({
  status: 'ok', label, confidence, usage: { inputTokens: 100, outputTokens: 10 }, costUsd: 0.001, ...extra,
});

describe('frame strategy (majority vote)', () => {
  it('sends one image per request, in frame order, and takes the majority', async () => {
    const annotator = new MockAnnotator([ok('Happy', 0.9), ok('Sad', 0.6), ok('Happy', 0.7), ok('Neutral', 0.5)]);
    const clip = await frameVoteStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls.map((call) => call.images.map((image) => image.data[0]))).toEqual([[0], [1], [2], [3]]);
    expect(clip).toMatchObject({ status: 'ok', label: 'Happy', frameLabels: ['Happy', 'Sad', 'Happy', 'Neutral'] });
    expect(clip.confidence).toBeCloseTo((0.9 + 0.7) / 4, 10);
    expect(clip.distribution?.Happy).toBeCloseTo(0.5, 10);
    expect(clip.usage).toEqual({ inputTokens: 400, outputTokens: 40 });
    expect(clip.costUsd).toBeCloseTo(0.004, 10);
  });

  it('breaks a tie by summed confidence', async () => {
    const annotator = new MockAnnotator([ok('Sad', 0.5), ok('Angry', 0.9), ok('Sad', 0.5), ok('Angry', 0.95)]);
    const clip = await frameVoteStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(clip.label).toBe('Angry');
  });

  it('ignores failed frames and fails the clip only when every frame failed, preferring the refusal', async () => {
    const errored: Annotation = { status: 'error', error: 'timeout' };
    const refused: Annotation = { status: 'refused', rawText: 'I cannot help with identifying emotions.' };
    const partial = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([errored, ok('Fear', 0.8), errored]), taxonomy: basic7 });
    expect(partial).toMatchObject({ status: 'ok', label: 'Fear', frameLabels: [undefined, 'Fear', undefined, undefined] });
    const failed = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([errored, refused, errored]), taxonomy: basic7 });
    expect(failed).toMatchObject({ status: 'refused', rawText: 'I cannot help with identifying emotions.' });
    expect(failed.label).toBeUndefined();
  });
});

describe('mean strategy', () => {
  it('averages the distributions, spreading the rest of a bare confidence over the other labels', async () => {
    const annotator = new MockAnnotator([
      ok('Sad', 0.55, { distribution: { Angry: 0, Disgust: 0, Fear: 0, Happy: 0.45, Neutral: 0, Sad: 0.55, Surprise: 0 } }),
      ok('Sad', 0.55, { distribution: { Angry: 0, Disgust: 0, Fear: 0, Happy: 0.45, Neutral: 0, Sad: 0.55, Surprise: 0 } }),
      ok('Happy', 1),
      ok('Happy', 0.7),
    ]);
    const clip = await meanStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    // Happy: (0.45 + 0.45 + 1 + 0.7) / 4 = 0.65; Sad: (0.55 + 0.55 + 0 + 0.05) / 4.
    expect(clip.label).toBe('Happy');
    expect(clip.confidence).toBeCloseTo(0.65, 10);
    expect(clip.distribution?.Sad).toBeCloseTo(1.15 / 4, 10);
    expect(Object.values(clip.distribution ?? {}).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });
});

describe('strategy registry', () => {
  it('lists the known strategies for an unknown name', () => {
    expect(() => getStrategy('vote')).toThrow(/Unknown strategy "vote". Must be one of \[frame, mean/);
  });
});
