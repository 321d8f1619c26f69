import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate } from '../../src/pipeline/annotate.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { collectOtherOpinions } from '../../src/review/other-opinions.js';
import { reviewPriority } from '../../src/review/review-priority.js';
import { buildReviewQueue, filterReviewQueue } from '../../src/review/review-queue.js';
import { ReviewStore, reviewKey } from '../../src/store/review-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';
import { makeReviewInputs, makeReviewRun, type ReviewInputs, saveRun } from './support/review-run.js';

describe('review queue on a real local-model run', () => {
  const { dir, cleanup } = makeTempDir('emolabel-review-queue-');
  const dbPath = join(dir, 'emolabel.db');
  let inputs: ReviewInputs;
  let results: ClipResult[];
  let runId: string;

  beforeAll(async () => {
    inputs = await makeReviewInputs(dir);
    ({ runId, results } = await makeReviewRun(dbPath, inputs));
  });
  afterAll(cleanup);

  const byKey = (id: string, face = 0) => {
    const result = results.find((candidate) => candidate.id === id && candidate.faceIndex === face);
    if (!result) throw new Error(`no result ${id}#${face}`);
    return result;
  };

  it('puts the failed item first and orders the rest by how likely the label is wrong', () => {
    const queue = buildReviewQueue(results, new Map());
    expect(queue).toHaveLength(results.length);
    expect(queue[0]).toMatchObject({ itemId: 'broken', status: 'error', priority: { score: 1 } });
    expect(queue[0]?.priority.reasons[0]?.code).toBe('error');
    const scores = queue.map((item) => item.priority.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // With no other evidence, a less confident label comes before a more confident one.
    const plain = queue.filter((item) => item.status === 'ok' && item.priority.reasons.every((reason) => reason.code === 'low_confidence'));
    expect(plain.length).toBeGreaterThan(2);
    const confidences = plain.map((item) => item.confidence ?? 0);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
    // The three faces of the group photo are separate entries with their own keys.
    expect(queue.filter((item) => item.itemId === 'group').map((item) => item.key).sort()).toEqual(['group#0', 'group#1', 'group#2']);
  });

  it('raises a clip whose frames disagree, and names how many', () => {
    const clip = byKey('clip');
    const label = clip.label as string;
    const other = label === 'Happy' ? 'Sad' : 'Happy';
    const split: ClipResult = { ...clip, frameLabels: [label, other, label, other] };
    const before = reviewPriority(clip);
    const after = reviewPriority(split);
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.reasons.find((reason) => reason.code === 'frame_disagreement')?.text).toBe(`2 of 4 frames say otherwise (${other})`);
    expect(before.reasons.some((reason) => reason.code === 'frame_disagreement')).toBe(false);
  });

  it('puts refusals above every labelled item and below errors', () => {
    const refused: ClipResult = { ...byKey('group', 1), id: 'refused-one', status: 'refused', label: undefined, confidence: undefined };
    const uncertain: ClipResult = { ...byKey('group', 2), id: 'coin-toss', confidence: 0.15, frameLabels: ['Sad'] };
    const queue = buildReviewQueue([uncertain, refused, ...results], new Map());
    expect(queue.slice(0, 3).map((item) => item.itemId)).toEqual(['broken', 'refused-one', 'coin-toss']);
    expect(queue[1]?.priority.reasons[0]?.text).toBe('the model refused');
  });

  it('puts an abstained item with the refusals, naming why the model abstained', () => {
    const abstained: ClipResult = { ...byKey('group', 1), id: 'crowd', status: 'abstained', abstain: 'several_faces', label: undefined, confidence: undefined };
    const queue = buildReviewQueue([abstained, ...results], new Map());
    expect(queue.slice(0, 2).map((item) => item.itemId)).toEqual(['broken', 'crowd']);
    expect(queue[1]?.priority).toEqual({ score: 0.99, reasons: [{ code: 'abstained', weight: 0.99, text: 'the model abstained: several faces' }] });
    const short: ClipResult = { ...abstained, error: 'only 2 of 8 frames got a label (6 abstained (no_face)); a clip label needs more than half' };
    expect(reviewPriority(short).reasons[0]?.text).toBe(short.error);
    expect(filterReviewQueue(queue, { status: 'abstained' }).map((item) => item.itemId)).toEqual(['crowd']);
  });

  it('raises items another annotator labelled differently, from another run over the same media', async () => {
    // A second annotator over the same folder that calls every face Fear (an LLM that disagrees).
    const fearful = new MockAnnotator([{ status: 'ok', label: 'Fear', confidence: 0.9 }], 'fear-llm');
    const { results: second } = await annotate([inputs.root], {
      annotator: fearful, frames: 4, clipFolders: true, faces: 'all',
    });
    const store = RunStore.open(dbPath);
    try {
      saveRun(store, second, [inputs.root], { model: 'mock:fear-llm' });
      const run = store.getRun(runId);
      if (!run) throw new Error('run missing');
      const opinions = collectOtherOpinions(store, run);
      const queue = buildReviewQueue(results, new Map(), opinions);
      const clip = queue.find((item) => item.key === 'clip#0');
      expect(clip?.opinions).toEqual([expect.objectContaining({ model: 'mock:fear-llm', label: 'Fear' })]);
      const disputed = results.filter((result) => result.label !== undefined && result.label !== 'Fear');
      expect(disputed.length).toBeGreaterThan(0);
      for (const result of disputed) {
        const item = queue.find((candidate) => candidate.key === reviewKey(result.id, result.faceIndex));
        expect(item?.priority.reasons.find((reason) => reason.code === 'annotator_disagreement')?.text).toBe('mock:fear-llm says Fear');
        expect(item?.priority.score).toBeGreaterThan(reviewPriority(result).score);
      }
      // The failed item has no opinion: the other run failed it too and failures give no label.
      expect(queue.find((item) => item.itemId === 'broken')?.opinions).toEqual([]);
      // Opinions only come from other models: the run itself is never its own second opinion.
      expect([...opinions.values()].flat().every((opinion) => opinion.model === 'mock:fear-llm')).toBe(true);
    } finally {
      store.close();
    }
  });

  it('filters by the model label, the status and whether an item is reviewed', () => {
    const store = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(store.database);
      const target = byKey(results.find((result) => result.status === 'ok')?.id ?? 'none');
      reviews.saveDecision(runId, { itemId: target.id, faceIndex: target.faceIndex, label: 'Neutral', reviewer: 'ana' });
      const queue = buildReviewQueue(results, reviews.getReviews(runId));
      const reviewed = filterReviewQueue(queue, { reviewed: 'reviewed' });
      expect(reviewed.map((item) => item.key)).toEqual([reviewKey(target.id, target.faceIndex)]);
      expect(reviewed[0]?.review).toMatchObject({ label: 'Neutral', reviewer: 'ana' });
      expect(filterReviewQueue(queue, { reviewed: 'unreviewed' })).toHaveLength(queue.length - 1);
      expect(filterReviewQueue(queue, { status: 'error' }).map((item) => item.itemId)).toEqual(['broken']);
      expect(filterReviewQueue(queue, { label: '' }).map((item) => item.itemId)).toEqual(['broken']);
      const sad = filterReviewQueue(queue, { label: 'Sad' });
      expect(sad.length).toBe(results.filter((result) => result.label === 'Sad').length);
      expect(sad.every((item) => item.label === 'Sad')).toBe(true);
      // Filtering keeps queue order.
      expect(sad.map((item) => item.key)).toEqual(queue.filter((item) => item.label === 'Sad').map((item) => item.key));
    } finally {
      store.close();
    }
  });
});
