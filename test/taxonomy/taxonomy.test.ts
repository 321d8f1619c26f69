import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTaxonomy } from '../../src/taxonomy/load-taxonomy.js';
import { basic7, collapseBasicDistribution, normaliseLabel, ternary, topLabel } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';

describe('normaliseLabel', () => {
  it.each([
    ['anger', 'Angry'], ['ANGRY', 'Angry'], ['Angry', 'Angry'], ['happiness', 'Happy'], ['sadness', 'Sad'],
    ['fearful', 'Fear'], ['disgusted', 'Disgust'], ['surprised', 'Surprise'], [' neutral ', 'Neutral'],
  ])('maps %s to %s in basic7', (raw, expected) => {
    expect(normaliseLabel(raw, basic7)).toBe(expected);
  });

  it('collapses basic spellings onto ternary and accepts its own names', () => {
    expect(normaliseLabel('anger', ternary)).toBe('negative');
    expect(normaliseLabel('Surprised', ternary)).toBe('positive');
    expect(normaliseLabel('Neutral', ternary)).toBe('neutral');
    expect(normaliseLabel('POSITIVE', ternary)).toBe('positive');
  });

  it('returns undefined for unknown or empty labels', () => {
    expect(normaliseLabel('bored', basic7)).toBeUndefined();
    expect(normaliseLabel('', basic7)).toBeUndefined();
  });
});

describe('collapseBasicDistribution and topLabel', () => {
  it('sums the basic classes that map to the same ternary label', () => {
    const collapsed = collapseBasicDistribution({ Angry: 0.1, Disgust: 0.1, Fear: 0.05, Happy: 0.3, Neutral: 0.2, Sad: 0.15, Surprise: 0.1 }, ternary);
    expect(collapsed.negative).toBeCloseTo(0.4, 10);
    expect(collapsed.neutral).toBeCloseTo(0.2, 10);
    expect(collapsed.positive).toBeCloseTo(0.4, 10);
    // Ties go to the earlier label of the taxonomy.
    expect(topLabel(collapsed, ternary)).toEqual({ label: 'negative', confidence: collapsed.negative });
  });
});

describe('resolveTaxonomy', () => {
  const { dir, cleanup } = makeTempDir();
  afterAll(cleanup);

  it('loads a custom taxonomy file with descriptions and synonyms', () => {
    const file = join(dir, 'arousal.json');
    writeFileSync(file, JSON.stringify({
      name: 'arousal',
      labels: [{ name: 'high', description: 'excited', synonyms: ['aroused'] }, { name: 'low', description: 'calm' }],
      fromBasic: { Angry: 'high', Disgust: 'low', Fear: 'high', Happy: 'high', Neutral: 'low', Sad: 'low', Surprise: 'high' },
    }));
    const taxonomy = resolveTaxonomy(file);
    expect(taxonomy.labels).toEqual(['high', 'low']);
    expect(taxonomy.descriptions.low).toBe('calm');
    expect(normaliseLabel('Aroused', taxonomy)).toBe('high');
    expect(normaliseLabel('sadness', taxonomy)).toBe('low');
  });

  it('names the file and the broken field when a mapping is missing', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify({ name: 'x', labels: [{ name: 'a' }, { name: 'b' }], fromBasic: { Angry: 'a' } }));
    expect(() => resolveTaxonomy(file)).toThrow(/broken\.json: fromBasic\.Disgust must be one of a, b/);
  });

  it('refuses two labels with the same name, naming it', () => {
    const fromBasic = { Angry: 'bad', Disgust: 'bad', Fear: 'bad', Happy: 'good', Neutral: 'good', Sad: 'bad', Surprise: 'good' };
    for (const [second, shown] of [['bad', 'bad'], ['Bad ', 'Bad ']] as const) {
      const file = join(dir, 'twice.json');
      writeFileSync(file, JSON.stringify({ name: 'x', labels: [{ name: 'good' }, { name: 'bad' }, { name: second }], fromBasic }));
      expect(() => resolveTaxonomy(file)).toThrow(new RegExp(`twice\\.json names the label "${shown}" twice .*"bad"`));
    }
  });

  it('lists the built-in names for an unknown taxonomy', () => {
    expect(() => resolveTaxonomy('valence')).toThrow(/Unknown taxonomy "valence". Use one of basic7, basic8, ternary/);
  });
});
