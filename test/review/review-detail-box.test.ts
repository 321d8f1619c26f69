import { describe, expect, it } from 'vitest';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { buildReviewDetail } from '../../src/review/review-detail.js';
import { buildReviewQueue } from '../../src/review/review-queue.js';

describe('face boxes on the review page', () => {
  it('are clipped to the frame they were found in, for results stored before boxes were clipped', () => {
    const result: ClipResult = {
      id: 'tight', path: '/media/tight.jpg', kind: 'image', faceIndex: 0, label: 'Happy', confidence: 0.9, frameLabels: [], framesUsed: 1,
      faceFound: true, model: 'local:face-api', strategy: 'frame', taxonomy: 'basic7', status: 'ok', usage: { inputTokens: 0, outputTokens: 0 },
      costUsd: 0, warnings: [], durationMs: 1,
      // A padded retry's box, as stored before: 46.7% left of the image and past its right edge.
      frames: [{ index: 0, sourceIndex: 0, width: 150, height: 150, box: { x: -70, y: -5, width: 270, height: 160, score: 0.8 } }],
    };
    const [entry] = buildReviewQueue([result], new Map());
    if (!entry) throw new Error('no queue entry');
    const [frame] = buildReviewDetail(result, entry).frames;
    expect(frame).toMatchObject({ width: 150, height: 150, box: { x: 0, y: 0, width: 150, height: 150 } });
  });
});
