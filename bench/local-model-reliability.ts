/**
 * How far the bundled local model can be trusted per class, measured once on faces-dev through
 * the default pipeline (detection, 10% margin crop, classification) and written to
 * `prompts/local-model-reliability.json`, which the `hint@v2` prompt reads: "right about X% of the
 * time when it says Happy" is the class's precision, measured here.
 *
 *   npx tsx bench/local-model-reliability.ts                 # writes prompts/local-model-reliability.json
 *   EMOLABEL_FACES_DEV=/path/to/faces-dev npx tsx bench/local-model-reliability.ts --out /tmp/r.json
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalModelReliability, TaxonomyReliability } from '../src/annotators/llm/local-model-reliability.js';
import { computeClassificationMetrics, type LabelPair } from '../src/eval/classification-metrics.js';
import { annotate } from '../src/pipeline/annotate.js';
import { basic7, collapseBasicDistribution, normaliseLabel, type Taxonomy, ternary, topLabel } from '../src/taxonomy/taxonomy.js';
import type { BasicLabel } from '../src/taxonomy/basic-labels.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeTempDir } from '../test/support/make-clips.js';

const round = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

function reliabilityOf(pairs: readonly LabelPair[], taxonomy: Taxonomy): TaxonomyReliability {
  const metrics = computeClassificationMetrics(pairs, taxonomy.labels);
  return {
    accuracy: round(metrics.accuracy) ?? 0,
    classes: Object.fromEntries(taxonomy.labels.map((label) => {
      const scored = metrics.perClass[label];
      return [label, { precision: round(scored?.precision ?? null), recall: round(scored?.recall ?? null), predicted: scored?.predicted ?? 0, support: scored?.support ?? 0 }];
    })),
  };
}

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 ? process.argv[outIndex + 1] : fileURLToPath(new URL('../prompts/local-model-reliability.json', import.meta.url));
  const set = loadFacesDev();
  if (!('images' in set) || out === undefined) {
    console.log(`skipped: ${'missing' in set ? set.missing : 'no --out path'}`);
    return;
  }
  const { dir, cleanup } = makeTempDir('emolabel-reliability-');
  const manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `path,label\n${set.images.map((image) => `${image.path},${image.label}`).join('\n')}\n`);
  try {
    // The default pipeline, on basic7: the hint collapses the same basic7 probabilities onto the run's taxonomy.
    const { results } = await annotate([], { manifest, concurrency: 1 });
    const seven = results.map((result) => ({ truth: normaliseLabel(result.truth ?? '', basic7) ?? '', predicted: result.label }));
    const three = results.map((result) => ({
      truth: normaliseLabel(result.truth ?? '', ternary) ?? '',
      predicted: result.distribution ? topLabel(collapseBasicDistribution(result.distribution as Record<BasicLabel, number>, ternary), ternary).label : undefined,
    }));
    const reliability: LocalModelReliability = {
      measured: new Date().toISOString().slice(0, 10),
      dataset: 'faces-dev',
      images: results.length,
      facesFound: results.filter((result) => result.faceFound).length,
      pipeline: 'local:face-api, default face crop (tiny detector + padded retry, margin 0.1)',
      source: 'bench/local-model-reliability.ts',
      taxonomies: { basic7: reliabilityOf(seven, basic7), ternary: reliabilityOf(three, ternary) },
    };
    writeFileSync(out, `${JSON.stringify(reliability, null, 2)}\n`);
    console.log(`faces-dev: ${results.length} images → ${out}`);
    for (const [name, taxonomy] of Object.entries(reliability.taxonomies)) {
      console.log(`\n${name}: accuracy ${taxonomy.accuracy}\n| class | precision | recall | predicted | gold |\n|---|---|---|---|---|`);
      for (const [label, row] of Object.entries(taxonomy.classes)) console.log(`| ${label} | ${row.precision ?? '-'} | ${row.recall ?? '-'} | ${row.predicted} | ${row.support} |`);
    }
  } finally {
    cleanup();
  }
}

await main();
