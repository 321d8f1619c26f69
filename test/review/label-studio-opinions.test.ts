import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { readLabelStudioOpinions } from '../../src/review/label-studio-opinions.js';
import { ReviewSession } from '../../src/review/review-session.js';
import { RunStore } from '../../src/store/run-store.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';
import { saveRun } from './support/review-run.js';

const result = (id: string, label: string): ClipResult => ({
  id, path: `/media/${id}.jpg`, kind: 'image', faceIndex: 0, label, confidence: 0.8, frameLabels: [], framesUsed: 1, faceFound: true,
  model: 'local:face-api', strategy: 'frame', taxonomy: 'basic7', status: 'ok', usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0,
  warnings: [], frames: [{ index: 0, sourceIndex: 0, width: 100, height: 100 }], durationMs: 1,
});

describe('a Label Studio export as other opinions in emolabel review', () => {
  const { dir, cleanup } = makeTempDir('emolabel-ls-opinions-');
  afterAll(cleanup);

  it("shows the export's annotations and predictions beside the model's label, and raises the items they dispute", () => {
    const file = join(dir, 'export.json');
    writeFileSync(file, JSON.stringify([
      { id: 1, data: { image: '/data/local-files/?d=media/a.jpg', id: 'a' }, annotations: [{ result: [{ type: 'choices', from_name: 'emotion', value: { choices: ['Sadness'] } }] }], predictions: [{ score: 0.7, result: [{ type: 'choices', value: { choices: ['Happy'] } }] }] },
      { id: 2, data: { image: '/data/local-files/?d=media/b.jpg', id: 'b' }, annotations: [{ result: [{ type: 'choices', value: { choices: ['happy'] } }] }], predictions: [] },
    ]));
    const store = RunStore.open(join(dir, 'store.db'));
    try {
      const runId = saveRun(store, [result('a', 'Happy'), result('b', 'Happy')], ['/media'], { model: 'local:face-api' });
      const session = new ReviewSession(store, runId, readLabelStudioOpinions(file, basic7));
      const queue = session.queue();
      const a = queue.find((item) => item.itemId === 'a');
      expect(a?.opinions).toEqual([
        expect.objectContaining({ model: 'label-studio:annotations', label: 'Sad' }),
        expect.objectContaining({ model: 'label-studio:predictions', label: 'Happy', confidence: 0.7 }),
      ]);
      expect(a?.priority.reasons.some((reason) => reason.code === 'annotator_disagreement' && reason.text.includes('label-studio:annotations says Sad'))).toBe(true);
      expect(queue[0]?.itemId).toBe('a');
      expect(queue.find((item) => item.itemId === 'b')?.opinions).toEqual([expect.objectContaining({ model: 'label-studio:annotations', label: 'Happy' })]);
    } finally {
      store.close();
    }
  });
});
