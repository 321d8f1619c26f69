/**
 * Accuracy and speed of the bundled local model on faces-dev, for each face-cropping candidate,
 * through the same `annotate()` pipeline users run (decode, detection, crop, classify included).
 *
 *   npx tsx bench/local-model-accuracy.ts            # all candidates
 *   EMOLABEL_FACES_DEV=/path/to/faces-dev npx tsx bench/local-model-accuracy.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { annotate, type AnnotateOptions } from '../src/pipeline/annotate.js';
import { computeClassificationMetrics } from '../src/eval/classification-metrics.js';
import { basic7, normaliseLabel, ternary } from '../src/taxonomy/taxonomy.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeTempDir } from '../test/support/make-clips.js';

const candidates: Array<{ name: string; options: AnnotateOptions }> = [
  { name: 'tiny detector + padded retry, margin 0.1 (default)', options: { faces: 'largest', faceMargin: 0.1 } },
  { name: 'tiny detector + padded retry, margin 0.0', options: { faces: 'largest', faceMargin: 0 } },
  { name: 'tiny detector + padded retry, margin 0.2', options: { faces: 'largest', faceMargin: 0.2 } },
  { name: 'whole image, no detection (--faces none)', options: { faces: 'none' } },
];

const fixed = (value: number | null) => (value === null ? '-' : value.toFixed(3));

async function main(): Promise<void> {
  const set = loadFacesDev();
  if (!('images' in set)) {
    console.log(`skipped: ${set.missing}`);
    return;
  }
  const { dir, cleanup } = makeTempDir('emolabel-bench-');
  const manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `path,label\n${set.images.map((image) => `${image.path},${image.label}`).join('\n')}\n`);
  console.log(`faces-dev: ${set.images.length} images; ${cpus()[0]?.model ?? 'cpu'}; node ${process.version}; one item at a time`);
  const rows: string[][] = [];
  try {
    for (const candidate of candidates) {
      const started = performance.now();
      const { results } = await annotate([], { ...candidate.options, manifest, concurrency: 1 });
      const seconds = (performance.now() - started) / 1000;
      const pairs = results.map((result) => ({ truth: normaliseLabel(result.truth ?? '', basic7) ?? '', predicted: result.label }));
      const seven = computeClassificationMetrics(pairs, basic7.labels);
      const collapse = (label: string | undefined) => (label === undefined ? undefined : normaliseLabel(label, ternary));
      const three = computeClassificationMetrics(pairs.map((pair) => ({ truth: collapse(pair.truth) ?? '', predicted: collapse(pair.predicted) })), ternary.labels);
      const found = results.filter((result) => result.faceFound).length / results.length;
      rows.push([candidate.name, candidate.options.faces === 'none' ? 'n/a' : `${Math.round(found * 100)}%`, fixed(seven.accuracy),
        fixed(seven.macroF1), fixed(seven.balancedAccuracy), fixed(three.accuracy), (results.length / seconds).toFixed(1)]);
      console.log(`  done: ${candidate.name}`);
    }
  } finally {
    cleanup();
  }
  console.log('\n| pipeline | faces found | accuracy (WAR) | macro-F1 | UAR | ternary accuracy | images/s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

await main();
