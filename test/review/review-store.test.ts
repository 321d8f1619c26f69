import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeClassificationMetrics } from '../../src/eval/classification-metrics.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { applyReviews } from '../../src/review/apply-reviews.js';
import { computeReviewAgreement } from '../../src/review/review-agreement.js';
import { ReviewStore, reviewKey } from '../../src/store/review-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';
import { makeReviewInputs, makeReviewRun } from './support/review-run.js';

describe('review store on a real run', () => {
  const { dir, cleanup } = makeTempDir('emolabel-review-store-');
  const dbPath = join(dir, 'emolabel.db');
  let results: ClipResult[];
  let runId: string;
  let labelled: ClipResult[];

  beforeAll(async () => {
    ({ runId, results } = await makeReviewRun(dbPath, await makeReviewInputs(dir)));
    labelled = results.filter((result) => result.label !== undefined);
  });
  afterAll(cleanup);

  const other = (label: string | undefined) => (label === 'Happy' ? 'Sad' : 'Happy');

  it('saves each decision at once, with who and when, and keeps it across reopening the store', () => {
    const first = labelled[0] as ClipResult;
    const store = RunStore.open(dbPath);
    const saved = new ReviewStore(store.database).saveDecision(runId, { itemId: first.id, faceIndex: first.faceIndex, label: 'Fear', reviewer: 'ana', decidedAt: '2026-01-02T03:04:05.000Z' });
    store.close();
    expect(saved).toEqual({ itemId: first.id, faceIndex: first.faceIndex, label: 'Fear', decision: 'label', reviewer: 'ana', decidedAt: '2026-01-02T03:04:05.000Z' });
    const reopened = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(reopened.database).getReviews(runId);
      expect([...reviews.values()]).toEqual([saved]);
      expect(reviews.get(reviewKey(first.id, first.faceIndex))?.label).toBe('Fear');
    } finally {
      reopened.close();
    }
  });

  it('undoes a reviewer\'s own decisions newest first, restoring what each replaced', () => {
    const store = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(store.database);
      const [a, b] = labelled.slice(1, 3) as [ClipResult, ClipResult];
      reviews.saveDecision(runId, { itemId: a.id, faceIndex: a.faceIndex, label: 'Angry', reviewer: 'ana' });
      reviews.saveDecision(runId, { itemId: a.id, faceIndex: a.faceIndex, label: 'Disgust', reviewer: 'ana' });
      reviews.saveDecision(runId, { itemId: b.id, faceIndex: b.faceIndex, label: 'Surprise', reviewer: 'bo' });
      const keyA = reviewKey(a.id, a.faceIndex);

      // bo's undo touches only bo's decision.
      expect(reviews.undo(runId, 'bo')).toEqual({ itemId: b.id, faceIndex: b.faceIndex, undoneLabel: 'Surprise', undoneDecision: 'label' });
      expect(reviews.getReviews(runId).has(reviewKey(b.id, b.faceIndex))).toBe(false);
      expect(reviews.undo(runId, 'bo')).toBeUndefined();

      expect(reviews.undo(runId, 'ana')).toMatchObject({ itemId: a.id, undoneLabel: 'Disgust', restored: { label: 'Angry', reviewer: 'ana' } });
      expect(reviews.getReviews(runId).get(keyA)?.label).toBe('Angry');
      expect(reviews.undo(runId, 'ana')).toMatchObject({ itemId: a.id, undoneLabel: 'Angry' });
      expect(reviews.getReviews(runId).has(keyA)).toBe(false);
      // Then ana's earlier decision from the previous test.
      expect(reviews.undo(runId, 'ana')).toMatchObject({ undoneLabel: 'Fear' });
      expect(reviews.undo(runId, 'ana')).toBeUndefined();
      expect(reviews.getReviews(runId).size).toBe(0);
      // The log keeps every decision, undone ones included.
      expect(reviews.historyLength(runId)).toBe(4);
    } finally {
      store.close();
    }
  });

  it('is never overwritten by a later annotate run saving the same items again', () => {
    const store = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(store.database);
      const target = labelled[0] as ClipResult;
      const decided = other(target.label);
      reviews.saveDecision(runId, { itemId: target.id, faceIndex: target.faceIndex, label: decided, reviewer: 'ana' });
      // The item is annotated again and the model now says something else.
      const again = results.filter((result) => result.id === target.id).map((result) => ({ ...result, label: 'Neutral', confidence: 0.51 }));
      store.saveItemResults(runId, target.id, again);

      expect(store.getResults(runId).find((result) => result.id === target.id && result.faceIndex === target.faceIndex)?.label).toBe('Neutral');
      expect(reviews.getReviews(runId).get(reviewKey(target.id, target.faceIndex))).toMatchObject({ label: decided, reviewer: 'ana' });
      const applied = applyReviews(store.getResults(runId), reviews.getReviews(runId));
      const row = applied.find((result) => result.id === target.id && result.faceIndex === target.faceIndex);
      expect(row).toMatchObject({ label: decided, labelSource: 'review', modelLabel: 'Neutral', modelConfidence: 0.51, reviewer: 'ana' });
      expect(applied.filter((result) => result.labelSource === 'review')).toHaveLength(1);
      expect(applied.filter((result) => result.labelSource === 'model').every((result) => result.label === result.modelLabel)).toBe(true);
      store.saveItemResults(runId, target.id, results.filter((result) => result.id === target.id));
      reviews.undo(runId, 'ana');
    } finally {
      store.close();
    }
  });

  it('scores the model against the reviewers with the shared metrics, per class', () => {
    const store = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(store.database);
      // Keep the model's label on the first four labelled faces, change it on the next two, and
      // give a label to the failed item (the model had none: a disagreement).
      const kept = labelled.slice(0, 4);
      const changed = labelled.slice(4, 6);
      for (const result of kept) reviews.saveDecision(runId, { itemId: result.id, faceIndex: result.faceIndex, label: result.label as string, reviewer: 'ana' });
      for (const result of changed) reviews.saveDecision(runId, { itemId: result.id, faceIndex: result.faceIndex, label: other(result.label), reviewer: 'ana' });
      reviews.saveDecision(runId, { itemId: 'broken', faceIndex: 0, label: 'Neutral', reviewer: 'ana' });

      const agreement = computeReviewAgreement(store.getResults(runId), reviews.getReviews(runId), basic7.labels);
      expect(agreement).toMatchObject({ total: results.length, reviewed: 7, agreed: 4 });
      expect(agreement.accuracy).toBeCloseTo(4 / 7, 10);
      const pairs = [
        ...kept.map((result) => ({ truth: result.label as string, predicted: result.label })),
        ...changed.map((result) => ({ truth: other(result.label), predicted: result.label })),
        { truth: 'Neutral', predicted: undefined },
      ];
      const expected = computeClassificationMetrics(pairs, basic7.labels);
      expect(agreement.kappa).toBeCloseTo(expected.kappa as number, 10);
      expect(agreement.kappa).toBeLessThan(agreement.accuracy as number);
      for (const entry of agreement.perClass) {
        expect(entry.reviewed).toBe(pairs.filter((pair) => pair.truth === entry.label).length);
        expect(entry.predicted).toBe(pairs.filter((pair) => pair.predicted === entry.label).length);
      }
      expect(agreement.perClass.map((entry) => entry.label)).toEqual([...basic7.labels]);
    } finally {
      store.close();
    }
  });

  it('refuses a decision without a label or a reviewer', () => {
    const store = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(store.database);
      expect(() => reviews.saveDecision(runId, { itemId: 'clip', faceIndex: 0, label: ' ', reviewer: 'ana' })).toThrow(/needs a label and a reviewer/);
      expect(() => reviews.saveDecision(runId, { itemId: 'clip', faceIndex: 0, label: 'Happy', reviewer: '' })).toThrow(/needs a label and a reviewer/);
    } finally {
      store.close();
    }
  });

  it('keeps unsure, skip and no-face decisions with a note, apart from the agreement, and undoes them', () => {
    const store = RunStore.open(dbPath);
    try {
      const reviews = new ReviewStore(store.database);
      // Start from no decision: take back what the tests above left.
      while (reviews.undo(runId, 'ana') || reviews.undo(runId, 'bo'));
      const [a, b, c, d] = labelled;
      if (!a || !b || !c || !d) throw new Error('the run needs four labelled faces');
      reviews.saveDecision(runId, { itemId: a.id, faceIndex: a.faceIndex, decision: 'unsure', label: 'Sad', note: '  looks sad or tired ', reviewer: 'cy' });
      reviews.saveDecision(runId, { itemId: b.id, faceIndex: b.faceIndex, decision: 'skip', label: 'Happy', reviewer: 'cy' });
      reviews.saveDecision(runId, { itemId: c.id, faceIndex: c.faceIndex, decision: 'no_face', note: 'a poster in the background', reviewer: 'cy' });
      reviews.saveDecision(runId, { itemId: d.id, faceIndex: d.faceIndex, label: d.label as string, reviewer: 'cy' });
      const saved = reviews.getReviews(runId);
      expect(saved.get(reviewKey(a.id, a.faceIndex))).toMatchObject({ decision: 'unsure', label: 'Sad', note: 'looks sad or tired' });
      expect(saved.get(reviewKey(b.id, b.faceIndex))).toMatchObject({ decision: 'skip', label: '' });
      expect(saved.get(reviewKey(c.id, c.faceIndex))).toMatchObject({ decision: 'no_face', label: '', note: 'a poster in the background' });

      const agreement = computeReviewAgreement(store.getResults(runId), saved, basic7.labels);
      expect(agreement).toMatchObject({ reviewed: 3, labelled: 1, unsure: 1, skipped: 1, noFace: 1, agreed: 1, accuracy: 1 });
      const applied = applyReviews(store.getResults(runId), saved);
      const find = (result: typeof a) => applied.find((row) => row.id === result.id && row.faceIndex === result.faceIndex);
      expect(find(a)).toMatchObject({ label: a.label, labelSource: 'model', reviewDecision: 'unsure', reviewNote: 'looks sad or tired' });
      expect(find(b)).toMatchObject({ label: b.label, labelSource: 'model', reviewDecision: 'skip' });
      expect(find(c)).toMatchObject({ labelSource: 'review', reviewDecision: 'no_face', modelLabel: c.label });
      expect(find(c)?.label).toBeUndefined();
      expect(() => reviews.saveDecision(runId, { itemId: a.id, faceIndex: a.faceIndex, decision: 'label', reviewer: 'cy' })).toThrow(/needs a label/);
      expect(() => reviews.saveDecision(runId, { itemId: a.id, faceIndex: a.faceIndex, decision: 'skip', note: 'x'.repeat(2001), reviewer: 'cy' })).toThrow(/at most 2000 characters/);

      expect(reviews.undo(runId, 'cy')).toMatchObject({ undoneDecision: 'label' });
      expect(reviews.undo(runId, 'cy')).toMatchObject({ undoneLabel: 'no face', undoneDecision: 'no_face' });
      expect(reviews.undo(runId, 'cy')).toMatchObject({ undoneLabel: 'skip', undoneDecision: 'skip' });
      expect(reviews.undo(runId, 'cy')).toMatchObject({ undoneLabel: 'Sad', undoneDecision: 'unsure' });
      expect(reviews.getReviews(runId).size).toBe(0);
    } finally {
      store.close();
    }
  });
});
