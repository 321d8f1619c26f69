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

  it('ignores failed frames, and fails the clip when too few are labelled, preferring the refusal', async () => {
    const errored: Annotation = { status: 'error', error: 'timeout' };
    const refused: Annotation = { status: 'refused', rawText: 'I cannot help with identifying emotions.' };
    const partial = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([ok('Fear', 0.8), errored, ok('Fear', 0.6), ok('Sad', 0.9)]), taxonomy: basic7 });
    expect(partial).toMatchObject({ status: 'ok', label: 'Fear', frameLabels: ['Fear', undefined, 'Fear', 'Sad'] });
    const failed = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([errored, refused, errored]), taxonomy: basic7 });
    expect(failed).toMatchObject({ status: 'refused', rawText: 'I cannot help with identifying emotions.' });
    expect(failed.label).toBeUndefined();
  });

  it('needs more than half of the frames labelled: one of eight is no clip label, and the message says how many', async () => {
    const eight = [...crops, ...crops].map((crop, frameIndex) => ({ ...crop, frameIndex }));
    const errored: Annotation = { status: 'error', error: 'timeout' };
    const clip = await frameVoteStrategy.annotateClip({ crops: eight, annotator: new MockAnnotator([ok('Happy', 0.95), errored]), taxonomy: basic7 });
    expect(clip).toMatchObject({ status: 'error', error: 'only 1 of 8 frames got a label (7 errors); a clip label needs more than half' });
    expect(clip.label).toBeUndefined();
    expect(clip.frameLabels).toEqual(['Happy', ...Array(7).fill(undefined)]);
    // Exactly half is not enough either; one more is.
    const half = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([ok('Happy', 0.9), ok('Happy', 0.9), errored]), taxonomy: basic7 });
    expect(half.status).toBe('error');
    const most = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([ok('Happy', 0.9), ok('Happy', 0.8), ok('Sad', 0.6), errored]), taxonomy: basic7 });
    expect(most).toMatchObject({ status: 'ok', label: 'Happy' });
    // Confidence: the winners' summed confidence over all four frames, not over the three labelled.
    expect(most.confidence).toBeCloseTo((0.9 + 0.8) / 4, 10);
  });

  it('lets no abstention and no answer that saw no face vote, and abstains when most frames did', async () => {
    const blurred: Annotation = { status: 'abstained', abstain: 'too_blurred', rationale: 'Motion blur.' };
    const noFace = ok('Happy', 0.9, { faceVisible: false });
    const voted = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([ok('Sad', 0.6), noFace, ok('Sad', 0.7), ok('Angry', 0.5)]), taxonomy: basic7 });
    expect(voted).toMatchObject({ status: 'ok', label: 'Sad', frameLabels: ['Sad', undefined, 'Sad', 'Angry'] });
    expect(voted.distribution).toMatchObject({ Sad: 2 / 3, Angry: 1 / 3, Happy: 0 });
    const abstained = await frameVoteStrategy.annotateClip({ crops, annotator: new MockAnnotator([blurred, ok('Happy', 0.9), blurred, noFace]), taxonomy: basic7 });
    expect(abstained).toMatchObject({
      status: 'abstained', abstain: 'too_blurred', rationale: 'Motion blur.',
      error: 'only 1 of 4 frames got a label (3 abstained (too_blurred, no_face)); a clip label needs more than half',
    });
    expect(abstained.label).toBeUndefined();
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

  it('averages only the labelled frames, needs more than half of them, and scales the confidence by their share', async () => {
    const abstained: Annotation = { status: 'abstained', abstain: 'occluded' };
    const clip = await meanStrategy.annotateClip({ crops, annotator: new MockAnnotator([ok('Happy', 0.8), abstained, ok('Happy', 0.6), ok('Sad', 0.9, { faceVisible: false })]), taxonomy: basic7 });
    expect(clip.status).toBe('abstained');
    expect(clip.error).toBe('only 2 of 4 frames got a label (2 abstained (occluded, no_face)); a clip label needs more than half');
    const three = await meanStrategy.annotateClip({ crops, annotator: new MockAnnotator([ok('Happy', 0.8), abstained, ok('Happy', 0.6), ok('Happy', 1)]), taxonomy: basic7 });
    expect(three).toMatchObject({ status: 'ok', label: 'Happy', frameLabels: ['Happy', undefined, 'Happy', 'Happy'] });
    expect(three.distribution?.Happy).toBeCloseTo(0.8, 10);
    expect(three.confidence).toBeCloseTo(0.8 * (3 / 4), 10);
  });
});

describe('strategies on flat or single answers', () => {
  const flat = { Angry: 1 / 7, Disgust: 1 / 7, Fear: 1 / 7, Happy: 1 / 7, Neutral: 1 / 7, Sad: 1 / 7, Surprise: 1 / 7 };

  it('frame keeps the model\'s probabilities for a single image instead of a one-hot vote', async () => {
    const distribution = { Angry: 0.02, Disgust: 0.02, Fear: 0.03, Happy: 0.2, Neutral: 0.58, Sad: 0.1, Surprise: 0.05 };
    const clip = await frameVoteStrategy.annotateClip({ crops: crops.slice(0, 1), annotator: new MockAnnotator([ok('Neutral', 0.58, { distribution })]), taxonomy: basic7 });
    expect(clip).toMatchObject({ status: 'ok', label: 'Neutral', distribution });
    expect(clip.confidence).toBeCloseTo(0.58, 10);
  });

  it('mean does not give a flat distribution\'s first label: the answer\'s own label and confidence count', async () => {
    const annotator = new MockAnnotator([ok('Surprise', 0.77, { distribution: flat })]);
    const clip = await meanStrategy.annotateClip({ crops: crops.slice(0, 1), annotator, taxonomy: basic7 });
    expect(clip.label).toBe('Surprise');
    expect(clip.confidence).toBeCloseTo(0.77, 10);
  });

  it('mean breaks a tie of the mean by the frames\' votes, not by taxonomy order', async () => {
    const sad = { Angry: 0.05, Disgust: 0, Fear: 0, Happy: 0, Neutral: 0, Sad: 0.9, Surprise: 0.05 };
    const angry = { Angry: 0.9, Disgust: 0, Fear: 0, Happy: 0, Neutral: 0, Sad: 0.05, Surprise: 0.05 };
    const split = { Angry: 0.475, Disgust: 0, Fear: 0, Happy: 0, Neutral: 0, Sad: 0.475, Surprise: 0.05 };
    // Mean: Angry (0.9+0.05+0.475)/3 = Sad (0.05+0.9+0.475)/3; two frames say Sad (the split one's label).
    const annotator = new MockAnnotator([ok('Angry', 0.9, { distribution: angry }), ok('Sad', 0.9, { distribution: sad }), ok('Sad', 0.475, { distribution: split })]);
    const clip = await meanStrategy.annotateClip({ crops: crops.slice(0, 3), annotator, taxonomy: basic7 });
    expect(clip.distribution?.Angry).toBeCloseTo(clip.distribution?.Sad ?? 0, 10);
    expect(clip.label).toBe('Sad');
  });
});

describe('strategy registry', () => {
  it('lists the known strategies for an unknown name', () => {
    expect(() => getStrategy('vote')).toThrow(/Unknown strategy "vote". Must be one of \[frame, mean/);
  });
});
