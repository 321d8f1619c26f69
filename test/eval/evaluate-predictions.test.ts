import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accuracyCoverageCurve, thresholdForAccuracy } from '../../src/eval/confidence-coverage.js';
import { evaluatePredictions } from '../../src/eval/evaluate-predictions.js';
import { evaluationToJson, formatEvaluation } from '../../src/eval/format-metrics.js';
import { matchKey, readLabelCsv } from '../../src/eval/read-label-csv.js';
import { basic7, ternary } from '../../src/taxonomy/taxonomy.js';

const folder = mkdtempSync(join(tmpdir(), 'emolabel-eval-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let fileCount = 0;
function csv(text: string): string {
  const file = join(folder, `file-${(fileCount += 1)}.csv`);
  writeFileSync(file, text);
  return file;
}

describe('readLabelCsv', () => {
  it('normalises spellings, reads confidence, and takes the first column when there is no id column', () => {
    const table = readLabelCsv(csv('image,label,confidence\nimages/a.jpg,anger,0.9\nimages/b.jpg, HAPPY ,x\nimages/c.jpg,Happiness,\n'), {
      taxonomy: basic7,
      role: 'truth',
    });
    expect(table.idColumn).toBe('image');
    expect(table.rows.map((row) => [row.key, row.label, row.confidence])).toEqual([
      ['images/a', 'Angry', 0.9],
      ['images/b', 'Happy', undefined],
      ['images/c', 'Happy', undefined],
    ]);
  });

  it('prefers the id column wherever it is and keeps empty labels as no prediction', () => {
    const table = readLabelCsv(csv('path,id,label\n/x/a.jpg,a,\n/x/b.jpg,b,sad\n'), { taxonomy: basic7, role: 'predictions' });
    expect(table.idColumn).toBe('id');
    expect(table.rows.map((row) => [row.id, row.label])).toEqual([['a', undefined], ['b', 'Sad']]);
  });

  it('collapses basic labels onto ternary', () => {
    const table = readLabelCsv(csv('id,label\na,Angry\nb,surprised\nc,neutral\nd,pos\n'), { taxonomy: ternary, role: 'truth' });
    expect(table.rows.map((row) => row.label)).toEqual(['negative', 'positive', 'neutral', 'positive']);
  });

  it('names the file, the bad labels and the valid ones', () => {
    const file = csv('id,label\na,Happy\nb,bored\nc,positive\n');
    expect(() => readLabelCsv(file, { taxonomy: basic7, role: 'predictions' })).toThrow(
      new RegExp(`${file}.*"bored" \\(line 3\\), "positive" \\(line 4\\).*Valid labels: Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise`),
    );
  });

  it('fails clearly on a missing label column, a repeated id, an empty gold label and a missing file', () => {
    expect(() => readLabelCsv(csv('id,prediction\na,Happy\n'), { taxonomy: basic7, role: 'predictions' })).toThrow(
      /no "label" column \(found columns: id, prediction\)/,
    );
    expect(() => readLabelCsv(csv('id,label\nb,Sad\na,Happy\n./a,Sad\n'), { taxonomy: basic7, role: 'predictions' })).toThrow(/id "\.\/a" on lines 3 and 4/);
    expect(() => readLabelCsv(csv('id,label\na,\n'), { taxonomy: basic7, role: 'truth', requireLabels: true })).toThrow(/Line 2 .* empty "label"/);
    expect(() => readLabelCsv(join(folder, 'nope.csv'), { taxonomy: basic7, role: 'truth' })).toThrow(/Cannot read the truth CSV .*nope\.csv/);
    expect(() => readLabelCsv(csv(''), { taxonomy: basic7, role: 'truth' })).toThrow(/is empty; expected a header row/);
    expect(() => readLabelCsv(csv('id,label\n"a,Happy\n'), { taxonomy: basic7, role: 'truth' })).toThrow(/is not valid CSV/);
  });

  it('keeps the extension for matching where ids differ only by it (annotate\'s v.mp4 beside v.mov)', () => {
    const predictions = readLabelCsv(csv('id,label\nv.mp4,Happy\nv.mov,Sad\nv.mkv,Angry\nw.mp4,Fear\n'), { taxonomy: basic7, role: 'predictions' });
    expect(predictions.rows.map((row) => row.key)).toEqual(['v.mp4', 'v.mov', 'v.mkv', 'w']);
    const truth = readLabelCsv(csv('id,label\nv.mov,Sad\nv.mkv,Happy\nv.mp4,Happy\nw,Fear\n'), { taxonomy: basic7, role: 'truth', requireLabels: true });
    const evaluation = evaluatePredictions(predictions, truth, { taxonomy: basic7 });
    expect(evaluation).toMatchObject({ n: 4, missing: 0, extra: 0 });
    expect(evaluation.accuracy).toBe(3 / 4);
  });

  it('matches ids across separators, ./ prefixes and media extensions', () => {
    expect(matchKey(' ./images\\a.JPG ')).toBe('images/a');
    expect(matchKey('DailyLife/Happy/0042')).toBe('DailyLife/Happy/0042');
    expect(matchKey('clip.v2')).toBe('clip.v2');
  });
});

describe('evaluatePredictions', () => {
  const truth = () => readLabelCsv(csv('id,label\na,Happy\nb,Sad\nc,Angry\nd,Angry\n'), { taxonomy: basic7, role: 'truth', requireLabels: true });

  it('leaves items without a prediction out, or counts them wrong with strict', () => {
    const predictions = readLabelCsv(csv('id,label,confidence\na,happy,0.9\nb,Sad,0.8\nc,,\nzz,Fear,0.5\n'), { taxonomy: basic7, role: 'predictions' });
    const lenient = evaluatePredictions(predictions, truth(), { taxonomy: basic7 });
    expect(lenient).toMatchObject({ n: 2, missing: 2, missingIds: ['c', 'd'], extra: 1, accuracy: 1 });
    const strict = evaluatePredictions(predictions, truth(), { taxonomy: basic7, strict: true });
    expect(strict).toMatchObject({ n: 4, missing: 2, accuracy: 0.5 });
    expect(strict.perClass.Angry).toMatchObject({ recall: 0, support: 2 });
    expect(formatEvaluation(lenient, { predictions: 'p.csv', truth: 't.csv' })).toMatch(/2 gold item\(s\) have no prediction and are left out of the metrics \(use --strict/);
    expect(formatEvaluation(strict, { predictions: 'p.csv', truth: 't.csv' })).toMatch(/counted wrong \(--strict\)[\s\S]*\(none\)/);
  });

  it('prints the JSON keys the README documents', () => {
    const predictions = readLabelCsv(csv('id,label\na,Happy\nb,Angry\nc,Angry\nd,Sad\n'), { taxonomy: basic7, role: 'predictions' });
    const json = evaluationToJson(evaluatePredictions(predictions, truth(), { taxonomy: basic7 }));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['n', 'missing', 'accuracy', 'balancedAccuracy', 'macroPrecision', 'macroRecall', 'macroF1', 'weightedF1', 'kappa', 'perClass', 'confusion']));
    expect(json.perClass.Angry).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(json.confusion.labels).toEqual(basic7.labels);
    expect(json.confusion.matrix[0]).toEqual([1, 0, 0, 0, 0, 1, 0]);
    expect(json.accuracy).toBe(0.5);
  });

  it('falls back to the path columns, resolved from each file, when ids differ', () => {
    const gold = readLabelCsv(csv('path,label\nimgs/a.jpg,Happy\nimgs/b.jpg,Sad\n'), { taxonomy: basic7, role: 'truth', requireLabels: true });
    const predicted = readLabelCsv(csv(`id,path,label\n../elsewhere/a,${join(folder, 'imgs', 'a.jpg')},Happy\nx/b,${join(folder, 'imgs', 'b.jpg')},Angry\nx/c,/nowhere/c.jpg,Sad\n`), {
      taxonomy: basic7,
      role: 'predictions',
    });
    expect(evaluatePredictions(predicted, gold, { taxonomy: basic7 })).toMatchObject({ n: 2, missing: 0, extra: 1, accuracy: 0.5 });
  });

  it('fails when no id matches, showing an id of each file', () => {
    const predictions = readLabelCsv(csv('id,label\nclips/a,Happy\n'), { taxonomy: basic7, role: 'predictions' });
    expect(() => evaluatePredictions(predictions, truth(), { taxonomy: basic7 })).toThrow(/No id of the predictions .* "clips\/a" \(column id\) vs "a" \(column id\)/);
  });
});

describe('accuracyCoverageCurve', () => {
  it('accepts tied confidences together, from the strictest threshold down', () => {
    const curve = accuracyCoverageCurve([
      { correct: true, confidence: 0.9 },
      { correct: false, confidence: 0.7 },
      { correct: true, confidence: 0.7 },
      { correct: false, confidence: 0.2 },
    ]);
    expect(curve).toEqual([
      { threshold: 0.9, accepted: 1, coverage: 0.25, accuracy: 1 },
      { threshold: 0.7, accepted: 3, coverage: 0.75, accuracy: 2 / 3 },
      { threshold: 0.2, accepted: 4, coverage: 1, accuracy: 0.5 },
    ]);
    expect(thresholdForAccuracy(curve, 0.6)?.threshold).toBe(0.7);
    expect(thresholdForAccuracy(curve, 1.1)).toBeUndefined();
    expect(accuracyCoverageCurve([])).toEqual([]);
  });

  it('thins long curves but keeps both ends', () => {
    const predictions = Array.from({ length: 1000 }, (_, index) => ({ correct: index % 3 === 0, confidence: index / 1000 }));
    const curve = accuracyCoverageCurve(predictions, 50);
    expect(curve).toHaveLength(50);
    expect(curve[0]?.threshold).toBe(0.999);
    expect(curve.at(-1)).toMatchObject({ threshold: 0, coverage: 1, accepted: 1000 });
  });
});
