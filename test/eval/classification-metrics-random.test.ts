import { describe, expect, it } from 'vitest';
import { computeClassificationMetrics, type LabelPair } from '../../src/eval/classification-metrics.js';
import { seededRandom } from '../support/seeded-random.js';

/**
 * An independent implementation, written per sample with one-vs-rest counts rather than from the
 * confusion matrix: F1 as 2TP / (2TP + FP + FN), kappa as (n·ΣTP − Σ rₖcₖ) / (n² − Σ rₖcₖ).
 */
function referenceMetrics(samples: readonly LabelPair[], labels: readonly string[]) {
  const n = samples.length;
  const counts = labels.map((label) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const sample of samples) {
      if (sample.truth === label && sample.predicted === label) tp += 1;
      else if (sample.predicted === label) fp += 1;
      else if (sample.truth === label) fn += 1;
    }
    return { label, tp, fp, fn };
  });
  const present = counts.filter((count) => count.tp + count.fp + count.fn > 0);
  const precision = (count: (typeof counts)[number]) => (count.tp + count.fp === 0 ? 0 : count.tp / (count.tp + count.fp));
  const recall = (count: (typeof counts)[number]) => (count.tp + count.fn === 0 ? 0 : count.tp / (count.tp + count.fn));
  const f1 = (count: (typeof counts)[number]) => (count.tp === 0 ? 0 : (2 * count.tp) / (2 * count.tp + count.fp + count.fn));
  const average = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  const hits = counts.reduce((sum, count) => sum + count.tp, 0);
  const marginals = counts.reduce((sum, count) => sum + (count.tp + count.fn) * (count.tp + count.fp), 0);
  return {
    accuracy: n === 0 ? null : hits / n,
    balancedAccuracy: average(present.filter((count) => count.tp + count.fn > 0).map(recall)),
    macroPrecision: average(present.map(precision)),
    macroRecall: average(present.map(recall)),
    macroF1: average(present.map(f1)),
    weightedF1: n === 0 ? null : present.reduce((sum, count) => sum + f1(count) * (count.tp + count.fn), 0) / n,
    kappa: n === 0 || n * n === marginals ? null : (n * hits - marginals) / (n * n - marginals),
    perClass: Object.fromEntries(present.map((count) => [count.label, { precision: precision(count), recall: recall(count), f1: f1(count) }])),
  };
}

describe('computeClassificationMetrics against an independent implementation', () => {
  it('agrees on 500 random cases (skewed classes, absent classes, missing predictions)', () => {
    const random = seededRandom(20240607);
    const allLabels = ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'];
    let compared = 0;
    for (let trial = 0; trial < 500; trial += 1) {
      const classCount = 2 + Math.floor(random() * 6);
      const labels = allLabels.slice(0, classCount);
      const weights = labels.map(() => random() ** 3);
      const total = weights.reduce((a, b) => a + b, 0);
      const draw = () => {
        let point = random() * total;
        for (let index = 0; index < labels.length; index += 1) {
          point -= weights[index] ?? 0;
          if (point <= 0) return labels[index] as string;
        }
        return labels[labels.length - 1] as string;
      };
      const skill = random();
      const missingRate = trial % 3 === 0 ? 0.1 : 0;
      const samples: LabelPair[] = Array.from({ length: Math.floor(random() * 80) }, () => {
        const truth = draw();
        if (random() < missingRate) return { truth, predicted: undefined };
        return { truth, predicted: random() < skill ? truth : draw() };
      });
      const actual = computeClassificationMetrics(samples, labels);
      const expected = referenceMetrics(samples, labels);
      for (const key of ['accuracy', 'balancedAccuracy', 'macroPrecision', 'macroRecall', 'macroF1', 'weightedF1', 'kappa'] as const) {
        const value = actual[key];
        const reference = expected[key];
        if (reference === null) expect(value, `${key} in trial ${trial}`).toBeNull();
        else expect(value, `${key} in trial ${trial}`).toBeCloseTo(reference, 10);
        compared += 1;
      }
      for (const [label, reference] of Object.entries(expected.perClass)) {
        expect(actual.perClass[label]?.precision).toBeCloseTo(reference.precision, 10);
        expect(actual.perClass[label]?.recall).toBeCloseTo(reference.recall, 10);
        expect(actual.perClass[label]?.f1).toBeCloseTo(reference.f1, 10);
      }
      expect(actual.scoredLabels).toEqual(Object.keys(expected.perClass));
    }
    expect(compared).toBe(500 * 7);
  });
});
