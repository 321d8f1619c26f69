import { describe, expect, it } from 'vitest';
import type { Annotation } from '../../src/annotators/annotator.js';
import { multiFrameStrategy } from '../../src/strategies/multi-frame-strategy.js';
import { getStrategy } from '../../src/strategies/strategy-registry.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { MockAnnotator } from '../support/mock-annotator.js';
import { realCrops } from './grid-and-multi-faces.js';

const answer: Annotation = {
  status: 'ok', label: 'Surprise', confidence: 0.7, distribution: { Angry: 0, Disgust: 0, Fear: 0.1, Happy: 0.2, Neutral: 0, Sad: 0, Surprise: 0.7 },
  rationale: 'raised brows in frames 3 to 5', usage: { inputTokens: 23_000, outputTokens: 70 }, costUsd: 0.0035, promptVersion: 'direct@v1', warnings: ['w'],
};

describe('multi strategy', () => {
  it('is registered, and sends all frames of the clip in one request, in frame order', async () => {
    expect(getStrategy('multi')).toBe(multiFrameStrategy);
    const crops = await realCrops(8);
    const annotator = new MockAnnotator([answer], 'vision', 16);
    const clip = await multiFrameStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls).toHaveLength(1);
    expect(annotator.calls[0]?.images).toEqual(crops.map((crop) => crop.image));
    expect(annotator.calls[0]?.layout).toEqual({ kind: 'frames' });
    expect(clip).toMatchObject({
      status: 'ok', label: 'Surprise', confidence: 0.7, distribution: answer.distribution, rationale: answer.rationale, frameLabels: [],
      usage: answer.usage, costUsd: 0.0035, promptVersion: 'direct@v1', warnings: ['w'],
    });
  });

  it('sends a model that takes one image per request a numbered grid, with a warning', async () => {
    const crops = await realCrops(8);
    const annotator = new MockAnnotator([answer], 'llava', 1);
    const clip = await multiFrameStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls).toHaveLength(1);
    expect(annotator.calls[0]?.images).toHaveLength(1);
    expect(annotator.calls[0]?.images[0]).toMatchObject({ width: 768, height: 768 });
    expect(annotator.calls[0]?.layout).toMatchObject({ kind: 'grid', columns: 3, rows: 3, frameCount: 8 });
    expect(clip.status).toBe('ok');
    expect(clip.warnings).toContain('mock:llava takes 1 image per request; sent the 8 frames as one 3x3 grid');
  });

  it('draws that grid at the size the annotator sends images, so it is not scaled down after', async () => {
    const crops = await realCrops(8);
    const annotator = new MockAnnotator([answer], 'llava', 1, { maxImageSide: 512 });
    await multiFrameStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls[0]?.images[0]).toMatchObject({ width: 510, height: 510 });
  });

  it('takes each frame\'s label from the same answer, in frame order, besides the clip label', async () => {
    const crops = await realCrops(4);
    const perFrame: Annotation = { ...answer, perFrameLabels: [{ index: 2, label: 'Surprise' }, { index: 1, label: 'Neutral' }, { index: 4, label: 'Surprise' }], peakFrame: 2 };
    const clip = await multiFrameStrategy.annotateClip({ crops, annotator: new MockAnnotator([perFrame]), taxonomy: basic7 });
    expect(clip).toMatchObject({ status: 'ok', label: 'Surprise', frameLabels: ['Neutral', 'Surprise', undefined, 'Surprise'], peakFrame: 2 });
  });

  it('passes an abstention through as the clip status, with its reason, and no label', async () => {
    const crops = await realCrops(3);
    const abstained: Annotation = { status: 'abstained', abstain: 'several_faces', rationale: 'Two people face the camera.', usage: { inputTokens: 900, outputTokens: 20 } };
    const clip = await multiFrameStrategy.annotateClip({ crops, annotator: new MockAnnotator([abstained]), taxonomy: basic7 });
    expect(clip).toMatchObject({ status: 'abstained', abstain: 'several_faces', rationale: 'Two people face the camera.', frameLabels: [] });
    expect(clip.label).toBeUndefined();
    expect(clip.error).toBeUndefined();
  });

  it('says when the images are whole frames (no face found), and says nothing for face crops', async () => {
    const crops = await realCrops(3);
    const annotator = new MockAnnotator([answer]);
    await multiFrameStrategy.annotateClip({ crops: crops.map((crop) => ({ ...crop, faceFound: false })), annotator, taxonomy: basic7 });
    await multiFrameStrategy.annotateClip({ crops, annotator, taxonomy: basic7 });
    expect(annotator.calls.map((call) => call.imageContent)).toEqual(['frame', undefined]);
  });

  it('keeps an error with its raw text as the clip result', async () => {
    const crops = await realCrops(3);
    const failed: Annotation = { status: 'error', error: 'answer did not match the schema', rawText: '{"label": "smirk"}', usage: { inputTokens: 10, outputTokens: 5 } };
    const clip = await multiFrameStrategy.annotateClip({ crops, annotator: new MockAnnotator([failed]), taxonomy: basic7 });
    expect(clip).toMatchObject({ status: 'error', error: 'answer did not match the schema', rawText: '{"label": "smirk"}', frameLabels: [] });
  });
});
