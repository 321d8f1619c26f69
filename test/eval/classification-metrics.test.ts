import { describe, expect, it } from 'vitest';
import { computeClassificationMetrics, confusionMatrix, type LabelPair } from '../../src/eval/classification-metrics.js';

const pairs = (...items: Array<[string, string | undefined]>): LabelPair[] => items.map(([truth, predicted]) => ({ truth, predicted }));

describe('computeClassificationMetrics on hand-computed cases', () => {
  it('scores a perfect prediction as 1 everywhere', () => {
    const metrics = computeClassificationMetrics(pairs(['a', 'a'], ['b', 'b'], ['c', 'c'], ['c', 'c']), ['a', 'b', 'c']);
    expect(metrics).toMatchObject({ n: 4, correct: 4, accuracy: 1, balancedAccuracy: 1, macroPrecision: 1, macroRecall: 1, macroF1: 1, weightedF1: 1, kappa: 1 });
    expect(metrics.confusion.matrix).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 2]]);
  });

  it('scores all wrong as 0 with kappa below chance', () => {
    const metrics = computeClassificationMetrics(pairs(['a', 'b'], ['b', 'a']), ['a', 'b']);
    expect(metrics).toMatchObject({ accuracy: 0, balancedAccuracy: 0, macroPrecision: 0, macroRecall: 0, macroF1: 0, weightedF1: 0 });
    // observed 0, chance 0.5·0.5 + 0.5·0.5 = 0.5 → (0 − 0.5) / 0.5
    expect(metrics.kappa).toBeCloseTo(-1, 12);
  });

  it('matches a worked three-class example', () => {
    // truth a: predicted a, a, b; truth b: b, a; truth c: c, b, c
    const metrics = computeClassificationMetrics(
      pairs(['a', 'a'], ['a', 'a'], ['a', 'b'], ['b', 'b'], ['b', 'a'], ['c', 'c'], ['c', 'b'], ['c', 'c']),
      ['a', 'b', 'c'],
    );
    expect(metrics.confusion.matrix).toEqual([[2, 1, 0], [1, 1, 0], [0, 1, 2]]);
    expect(metrics.accuracy).toBeCloseTo(5 / 8, 12);
    expect(metrics.perClass.a).toMatchObject({ support: 3, predicted: 3 });
    expect(metrics.perClass.a?.precision).toBeCloseTo(2 / 3, 12);
    expect(metrics.perClass.b?.precision).toBeCloseTo(1 / 3, 12);
    expect(metrics.perClass.c?.precision).toBeCloseTo(1, 12);
    expect(metrics.perClass.b?.recall).toBeCloseTo(1 / 2, 12);
    expect(metrics.perClass.b?.f1).toBeCloseTo(2 / 5, 12);
    expect(metrics.perClass.c?.f1).toBeCloseTo(4 / 5, 12);
    expect(metrics.macroPrecision).toBeCloseTo(2 / 3, 12);
    expect(metrics.macroRecall).toBeCloseTo(11 / 18, 12);
    expect(metrics.balancedAccuracy).toBeCloseTo(11 / 18, 12);
    expect(metrics.macroF1).toBeCloseTo(28 / 45, 12);
    expect(metrics.weightedF1).toBeCloseTo(0.65, 12);
    // chance = (3·3 + 2·3 + 3·2) / 64 = 21/64 → (40/64 − 21/64) / (43/64)
    expect(metrics.kappa).toBeCloseTo(19 / 43, 12);
  });

  it('leaves an empty class out of the averages and scores a never-predicted class 0', () => {
    // d: neither gold nor predicted; c: gold twice, never predicted
    const metrics = computeClassificationMetrics(pairs(['a', 'a'], ['a', 'b'], ['b', 'b'], ['c', 'a'], ['c', 'b']), ['a', 'b', 'c', 'd']);
    expect(metrics.perClass.d).toEqual({ precision: null, recall: null, f1: null, support: 0, predicted: 0 });
    expect(metrics.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 2, predicted: 0 });
    expect(metrics.scoredLabels).toEqual(['a', 'b', 'c']);
    expect(metrics.accuracy).toBeCloseTo(2 / 5, 12);
    expect(metrics.macroPrecision).toBeCloseTo((1 / 2 + 1 / 3 + 0) / 3, 12);
    expect(metrics.macroRecall).toBeCloseTo(1 / 2, 12);
    expect(metrics.balancedAccuracy).toBeCloseTo(1 / 2, 12);
    expect(metrics.macroF1).toBeCloseTo(1 / 3, 12);
    expect(metrics.weightedF1).toBeCloseTo(0.3, 12);
    expect(metrics.kappa).toBeCloseTo(1 / 6, 12);
  });

  it('counts a class predicted but never gold in macro recall (0) but not in balanced accuracy', () => {
    const metrics = computeClassificationMetrics(pairs(['a', 'a'], ['a', 'c'], ['b', 'b']), ['a', 'b', 'c']);
    expect(metrics.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 });
    expect(metrics.balancedAccuracy).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(metrics.macroRecall).toBeCloseTo((1 / 2 + 1 + 0) / 3, 12);
  });

  it('gives kappa null when both sides hold one class, and nulls with no items', () => {
    expect(computeClassificationMetrics(pairs(['a', 'a'], ['a', 'a']), ['a', 'b'])).toMatchObject({ accuracy: 1, kappa: null, macroF1: 1 });
    expect(computeClassificationMetrics([], ['a', 'b'])).toMatchObject({
      n: 0, accuracy: null, balancedAccuracy: null, macroPrecision: null, macroRecall: null, macroF1: null, weightedF1: null, kappa: null,
    });
  });

  it('keeps tied per-class scores in label order and counts ties in recall alike', () => {
    // a and b each: 1 of 2 right; both precision 1/2
    const metrics = computeClassificationMetrics(pairs(['a', 'a'], ['a', 'b'], ['b', 'b'], ['b', 'a']), ['b', 'a']);
    expect(metrics.confusion.labels).toEqual(['b', 'a']);
    expect(metrics.confusion.matrix).toEqual([[1, 1], [1, 1]]);
    expect(metrics.perClass.a).toEqual(metrics.perClass.b);
    expect(metrics.kappa).toBeCloseTo(0, 12);
  });

  it('counts items without a prediction as wrong, in no column of the matrix', () => {
    const metrics = computeClassificationMetrics(pairs(['a', undefined], ['a', 'a'], ['b', 'b']), ['a', 'b']);
    expect(metrics.n).toBe(3);
    expect(metrics.accuracy).toBeCloseTo(2 / 3, 12);
    expect(metrics.perClass.a).toMatchObject({ precision: 1, recall: 0.5, support: 2, predicted: 1 });
    expect(metrics.confusion.unpredicted).toEqual([1, 0]);
  });

  it('rejects a label outside the scored labels', () => {
    expect(() => confusionMatrix(pairs(['a', 'z']), ['a', 'b'])).toThrow(/"z" is not one of the labels being scored \(a, b\)/);
  });
});
