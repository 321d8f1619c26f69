import { describe, expect, it } from 'vitest';
import { normaliseDatasetLabels } from '../../src/datasets/dataset-labels.js';
import type { Dataset } from '../../src/datasets/dataset-loader.js';
import { basic7, basic8, foldedInto } from '../../src/taxonomy/taxonomy.js';

const dataset: Dataset = {
  kind: 'manifest', source: '/data/affectnet.csv',
  items: ['contempt', 'Contempt', 'disgust', 'happy'].map((label, index) => ({ id: `i${index}`, path: `/data/${index}.jpg`, kind: 'image', label })),
};

describe('labels a taxonomy folds into another class', () => {
  it('warns that contempt was counted as Disgust under basic7, and keeps it under basic8', () => {
    const folded = normaliseDatasetLabels(dataset, basic7);
    expect(folded.items.map((item) => item.label)).toEqual(['Disgust', 'Disgust', 'Disgust', 'Happy']);
    expect(folded.warnings).toEqual([
      '2 "contempt" labels of dataset /data/affectnet.csv were counted as Disgust: basic7 has no class for it (use --taxonomy basic8, or a taxonomy file with that label, to keep it apart)',
    ]);
    const kept = normaliseDatasetLabels(dataset, basic8);
    expect(kept.items.map((item) => item.label)).toEqual(['Contempt', 'Contempt', 'Disgust', 'Happy']);
    expect(kept.warnings).toBeUndefined();
    expect(foldedInto('disgusted', basic7)).toBeUndefined();
  });
});
