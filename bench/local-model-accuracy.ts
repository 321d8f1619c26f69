/**
 * Accuracy of the bundled local model on faces-dev (187 labelled photos), each way of running it
 * beside face-api used plainly (the baseline row), with standard errors: the accuracy's own
 * (binomial, about 0.036 at n = 187) and, for each row, that of its difference from the baseline
 * on the same photos (paired, smaller). A change counts only when the difference is more than
 * about two paired standard errors. A photo where no face was found counts as unlabelled (wrong)
 * unless the row classifies the whole photo then, as emolabel does. The last row runs the whole
 * `annotate()` pipeline with its defaults, as users get it.
 *
 *   npx tsx bench/local-model-accuracy.ts
 *   EMOLABEL_FACES_DEV=/path/to/faces-dev npx tsx bench/local-model-accuracy.ts
 *   npx tsx bench/local-model-accuracy.ts --only baseline,margin0,pipeline   # rows whose key is listed
 *   EMOLABEL_BENCH_CACHE=/tmp/rows.json npx tsx bench/local-model-accuracy.ts  # keep each row's answers; a rerun skips rows done
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { computeClassificationMetrics } from '../src/eval/classification-metrics.js';
import { decodeImage } from '../src/media/decode-image.js';
import type { RgbImage } from '../src/media/rgb-image.js';
import { annotate } from '../src/pipeline/annotate.js';
import { BASIC_LABELS } from '../src/taxonomy/basic-labels.js';
import { basic7, normaliseLabel } from '../src/taxonomy/taxonomy.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeTempDir } from '../test/support/make-clips.js';
import {
  type BasicDistribution, fallbackDetector, paddedTinyDetector, pipelineVariant, plainFaceApi, ssdDetector, tinyDetector, type Variant, type VariantAnswer,
} from './support/local-model-variants.js';

interface Row { readonly key: string; readonly name: string; readonly run: Variant }

/** The detector of emolabel 0.1: unpadded at 416 / 0.4, a grey-padded retry at 160 / 0.4. */
const emolabelTiny = tinyDetector({ inputSize: 416, minScore: 0.4, retryPadding: 0.5, retryInputSize: 160, retryMinScore: 0.4, retryPadColor: 'grey' });
const plainTiny = paddedTinyDetector();
/** Unpadded first (faces in large photos), then the plain recipe's padded detection: emolabel's detector now. */
const unpaddedThenPlain = tinyDetector();
const rows: Row[] = [
  { key: 'baseline', name: 'face-api plainly: pad 100% black, tiny 320 / 0.2, withFaceExpressions', run: plainFaceApi() },
  { key: 'old-default', name: 'emolabel 0.1 default: tiny 416 / 0.4 + grey padded retry, margin 0.1', run: pipelineVariant({ detect: emolabelTiny, margin: 0.1 }) },
  { key: 'margin0', name: 'same, margin 0', run: pipelineVariant({ detect: emolabelTiny, margin: 0 }) },
  { key: 'plain-detect', name: 'detection as plain (black pad, 320 / 0.2), margin 0', run: pipelineVariant({ detect: plainTiny }) },
  { key: 'plain-detect-m01', name: 'detection as plain, margin 0.1', run: pipelineVariant({ detect: plainTiny, margin: 0.1 }) },
  { key: 'square', name: 'detection as plain, square crop (as trained: face-api pads to a square)', run: pipelineVariant({ detect: plainTiny, shape: 'square' }) },
  { key: 'flip', name: 'detection as plain, margin 0, + flip TTA', run: pipelineVariant({ detect: plainTiny, flip: true }) },
  { key: 'retry-plain', name: 'unpadded 416 / 0.4, else the plain padded detection (black, 320 / 0.2), margin 0', run: pipelineVariant({ detect: unpaddedThenPlain }) },
  { key: 'retry-plain-flip', name: 'unpadded, else plain padded detection, margin 0, + flip TTA', run: pipelineVariant({ detect: unpaddedThenPlain, flip: true }) },
  { key: 'ssd', name: 'SSD MobileNet v1 (second bundled detector), margin 0', run: pipelineVariant({ detect: ssdDetector() }) },
  { key: 'tiny+ssd', name: 'detection as plain, SSD when it finds none, margin 0', run: pipelineVariant({ detect: fallbackDetector(plainTiny, ssdDetector()) }) },
  { key: 'tiny+ssd+flip', name: 'detection as plain, SSD when none, margin 0, + flip TTA', run: pipelineVariant({ detect: fallbackDetector(plainTiny, ssdDetector()), flip: true }) },
];

const fixed = (value: number | null, digits = 3) => (value === null ? '-' : value.toFixed(digits));

function topOf(distribution: BasicDistribution | undefined): string | undefined {
  if (!distribution) return undefined;
  return BASIC_LABELS.reduce((best, label) => (distribution[label] > distribution[best] ? label : best), BASIC_LABELS[0]);
}

/** Standard error of a mean of 0/1 (or -1/0/1) values. */
function standardError(values: readonly number[]): number {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

interface Scored { readonly key: string; readonly name: string; readonly correct: number[]; readonly predicted: Array<string | undefined>; readonly found: number; readonly seconds: number }

async function main(): Promise<void> {
  const set = loadFacesDev();
  if (!('images' in set)) {
    console.log(`skipped: ${set.missing}`);
    return;
  }
  const only = process.argv.includes('--only') ? new Set((process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',')) : undefined;
  const truths = set.images.map((image) => normaliseLabel(image.label, basic7) ?? image.label);
  const images: RgbImage[] = [];
  for (const image of set.images) images.push(await decodeImage(readFileSync(image.path), image.path));
  console.log(`faces-dev: ${images.length} images; ${cpus()[0]?.model ?? 'cpu'}; node ${process.version}; one image at a time`);
  const scored: Scored[] = [];
  const cacheFile = process.env.EMOLABEL_BENCH_CACHE;
  const stored: Record<string, Scored> = cacheFile && existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  // JSON keeps a missing prediction as null.
  const cache = Object.fromEntries(Object.entries(stored).map(([key, row]) => [key, { ...row, predicted: row.predicted.map((label) => label ?? undefined) }]));
  for (const row of rows.filter((each) => !only || only.has(each.key))) {
    const cached = cache[row.key];
    if (cached && cached.correct.length === images.length) {
      scored.push({ ...cached, key: row.key });
      continue;
    }
    const started = performance.now();
    const answers: VariantAnswer[] = [];
    for (const image of images) answers.push(await row.run(image));
    const predicted = answers.map((answer) => topOf(answer.distribution));
    scored.push({
      key: row.key, name: row.name, predicted, seconds: (performance.now() - started) / 1000,
      correct: predicted.map((label, index) => (label === truths[index] ? 1 : 0)), found: answers.filter((answer) => answer.faceFound).length,
    });
    console.log(`  done: ${row.name}: accuracy ${fixed((scored.at(-1)?.correct ?? []).reduce((sum, value) => sum + value, 0) / images.length)}`);
    if (cacheFile) writeFileSync(cacheFile, JSON.stringify({ ...cache, ...Object.fromEntries(scored.map((done) => [done.key, done])) }));
  }
  if (!only || only.has('pipeline')) {
    const cached = process.env.EMOLABEL_BENCH_REUSE_PIPELINE && cache.pipeline ? { ...cache.pipeline, key: 'pipeline' } : undefined;
    const pipeline = cached ?? (await pipelineRow(set.images, truths));
    scored.push(pipeline);
    if (cacheFile) writeFileSync(cacheFile, JSON.stringify({ ...cache, ...Object.fromEntries(scored.map((done) => [done.key, done])) }));
  }
  const baseline = scored[0];
  console.log(`\n| pipeline | faces found | accuracy ± SE | macro-F1 | difference from baseline ± paired SE | images/s |`);
  console.log('|---|---|---|---|---|---|');
  for (const row of scored) {
    const metrics = computeClassificationMetrics(row.predicted.map((label, index) => ({ truth: truths[index] ?? '', predicted: label })), basic7.labels);
    const differences = baseline ? row.correct.map((value, index) => value - (baseline.correct[index] ?? 0)) : [];
    const difference = differences.reduce((sum, value) => sum + value, 0) / differences.length;
    const versus = row === baseline || !baseline ? '-' : `${difference >= 0 ? '+' : ''}${fixed(difference)} ± ${fixed(standardError(differences))}`;
    console.log(`| ${row.name} (${row.key}) | ${row.found}/${images.length} | ${fixed(metrics.accuracy)} ± ${fixed(standardError(row.correct))} | ${fixed(metrics.macroF1)} | ${versus} | ${(images.length / row.seconds).toFixed(1)} |`);
  }
  printSteps(scored);
}

/** Each change tried, as the difference it makes to the row it changes (same photos, paired standard error). */
const STEPS: ReadonlyArray<[from: string, to: string, change: string]> = [
  ['baseline', 'old-default', 'emolabel 0.1 instead of face-api plainly'],
  ['old-default', 'margin0', 'margin 0.1 → 0 (old detector)'],
  ['margin0', 'retry-plain', 'padded retry as face-api plainly (black, 320 / 0.2)'],
  ['old-default', 'retry-plain', 'both: emolabel now, detector level'],
  ['retry-plain', 'plain-detect', 'always padded instead of unpadded first'],
  ['plain-detect', 'plain-detect-m01', 'margin 0 → 0.1 (padded detection)'],
  ['plain-detect', 'square', 'square crop (as the net was trained)'],
  ['plain-detect', 'flip', 'flip test-time augmentation'],
  ['retry-plain', 'retry-plain-flip', 'flip test-time augmentation (emolabel now)'],
  ['plain-detect', 'tiny+ssd', 'SSD when tiny finds none'],
  ['tiny+ssd', 'tiny+ssd+flip', 'flip on top of SSD fallback'],
  ['old-default', 'pipeline', 'annotate() now against emolabel 0.1'],
];

function printSteps(scored: readonly Scored[]): void {
  const byKey = new Map(scored.map((row) => [row.key, row]));
  console.log('\n| change | from → to accuracy | difference ± paired SE |');
  console.log('|---|---|---|');
  for (const [from, to, change] of STEPS) {
    const a = byKey.get(from);
    const b = byKey.get(to);
    if (!a || !b) continue;
    const differences = b.correct.map((value, index) => value - (a.correct[index] ?? 0));
    const mean = differences.reduce((sum, value) => sum + value, 0) / differences.length;
    const accuracy = (row: Scored) => fixed(row.correct.reduce((sum, value) => sum + value, 0) / row.correct.length);
    console.log(`| ${change} | ${accuracy(a)} → ${accuracy(b)} | ${mean >= 0 ? '+' : ''}${fixed(mean)} ± ${fixed(standardError(differences))} |`);
  }
}

/** The whole `annotate()` pipeline with its defaults on the same photos (decode from disk included). */
async function pipelineRow(images: ReadonlyArray<{ path: string }>, truths: readonly string[]): Promise<Scored> {
  const { dir, cleanup } = makeTempDir('emolabel-bench-');
  try {
    const manifest = join(dir, 'manifest.csv');
    writeFileSync(manifest, `path\n${images.map((image) => image.path).join('\n')}\n`);
    const started = performance.now();
    const { results } = await annotate([], { manifest, concurrency: 1 });
    const seconds = (performance.now() - started) / 1000;
    const byPath = new Map(results.map((result) => [result.path, result]));
    const predicted = images.map((image) => byPath.get(image.path)?.label);
    return {
      key: 'pipeline', name: 'annotate() with its defaults (emolabel now)', predicted, seconds,
      correct: predicted.map((label, index) => (label === truths[index] ? 1 : 0)), found: results.filter((result) => result.faceFound).length,
    };
  } finally {
    cleanup();
  }
}

await main();
