/**
 * Memory of a long stored run: 10,000 distinct small face images (faces-dev stills, 96 px, so the
 * run is about requests, the run store and the cache rather than decoding) through `runAnnotation`
 * with the resilient wrapper, against the fake OpenAI-compatible provider in a child process
 * (300 ms answers). RSS of both processes is sampled every 250 ms; the table gives the peak and the
 * RSS at 10%, 50% and 100% of the items, to show it stays flat, plus the read-back of all results
 * at the end (which `emolabel annotate` does to write its output file).
 *
 *   npx tsx bench/run-memory.ts                                      # 10,000 clips, concurrency 32
 *   EMOLABEL_BENCH_CLIPS=2000 npx tsx bench/run-memory.ts
 *   EMOLABEL_BENCH_CONCURRENCY=auto npx tsx bench/run-memory.ts      # the default request limit
 *   EMOLABEL_BENCH_HEAP_SNAPSHOTS=1 npx tsx bench/run-memory.ts     # heap snapshots at 10% and 100%
 *   npx tsx bench/support/compare-heap-snapshots.ts bench/out/run-memory-10.heapsnapshot bench/out/run-memory-100.heapsnapshot
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { makeFaceVariants } from './support/face-variants.js';
import { startFakeProviderProcess } from './support/fake-provider.js';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';
import { mebibytes, startRssSampler } from './support/rss-sampler.js';
import { runAnnotation } from '../src/runs/run-annotation.js';
import { runSpecOf } from '../src/runs/run-spec.js';
import { RunStore } from '../src/store/run-store.js';

const CLIPS = Number(process.env.EMOLABEL_BENCH_CLIPS ?? '10000');
const LATENCY_MS = Number(process.env.EMOLABEL_BENCH_LATENCY_MS ?? '300');
// `auto` (the CLI's default) lets the request limit grow to its ceiling of 64 against this provider, which never pushes back.
const CONCURRENCY: number | 'auto' = process.env.EMOLABEL_BENCH_CONCURRENCY === 'auto' ? 'auto' : Number(process.env.EMOLABEL_BENCH_CONCURRENCY ?? '32');
const LIMIT_BYTES = 500 * 2 ** 20;
/**
 * Flat: the heap retained after a full GC grows by at most this from 10% to 100% of the items, and
 * RSS by at most {@link FLAT_RSS_SLOPE} per 1,000 items (least squares over every sample from 10% on:
 * single RSS readings move by tens of MiB as the allocator takes and returns memory).
 */
const FLAT_HEAP_BYTES = 10 * 2 ** 20;
const FLAT_RSS_SLOPE = 5 * 2 ** 20;
/** Shares of the items at which a labelled sample is taken (after a full GC). */
const POINTS = [0.1, 0.25, 0.5, 0.75, 1];
/** Writes heap snapshots at 10% and 100% of the items (bench/out/run-memory-*.heapsnapshot), to compare. */
const SNAPSHOTS = process.env.EMOLABEL_BENCH_HEAP_SNAPSHOTS === '1';

/** Least-squares slope of RSS against items done, in bytes per 1,000 items. */
function rssSlopePerThousand(samples: ReadonlyArray<{ done: number; rss: number }>): number {
  if (samples.length < 2) return 0;
  const meanDone = samples.reduce((sum, sample) => sum + sample.done, 0) / samples.length;
  const meanRss = samples.reduce((sum, sample) => sum + sample.rss, 0) / samples.length;
  const covariance = samples.reduce((sum, sample) => sum + (sample.done - meanDone) * (sample.rss - meanRss), 0);
  const variance = samples.reduce((sum, sample) => sum + (sample.done - meanDone) ** 2, 0);
  return variance === 0 ? 0 : (1000 * covariance) / variance;
}

async function main(): Promise<void> {
  console.log(`run memory: ${CLIPS} distinct 96 px face images, faces none, strategy grid, concurrency ${CONCURRENCY}, fake provider answering in ${LATENCY_MS} ms (child process)`);
  console.log(`machine: ${describeMachine()}`);
  const folder = await makeFaceVariants({ count: CLIPS, maxSide: 96 });
  const server = await startFakeProviderProcess(LATENCY_MS);
  const scratch = mkdtempSync(join(resolve('bench/out'), 'memory-'));
  const store = RunStore.open(join(scratch, 'runs.db'));
  let done = 0;
  let labelledAt = 0;
  const sampler = startRssSampler({ intervalMs: 250, done: () => done, otherRss: () => server.rssBytes() });
  sampler.samplePoint('start');
  const started = performance.now();
  let results = 0;
  try {
    const spec = runSpecOf([folder], { model: 'openai-compatible:bench', annotatorSettings: { baseUrl: server.url }, strategy: 'grid', faces: 'none' });
    const outcome = await runAnnotation(spec, {
      store, env: {}, concurrency: CONCURRENCY,
      resilience: { timeoutMs: 60_000, retry: { maxAttempts: 5 } },
      onResult: (_results, progress) => {
        done = progress.done;
        if (done === CLIPS) labelledAt = performance.now();
        const point = POINTS.find((share) => done === Math.ceil(share * CLIPS));
        if (point !== undefined) sampler.samplePoint(`${point * 100}% of items`);
        if (SNAPSHOTS && (point === 0.1 || point === 1)) console.log(`  heap snapshot at ${point * 100}%: ${writeHeapSnapshot(resolve('bench/out', `run-memory-${point * 100}.heapsnapshot`))}`);
      },
    });
    results = outcome.results.length;
    sampler.samplePoint('after the results are read back');
  } finally {
    sampler.stop();
    store.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const seconds = secondsSince(started);
  const samples = sampler.samples;
  const peak = samples.reduce((max, sample) => Math.max(max, sample.rss), 0);
  const serverPeak = samples.reduce((max, sample) => Math.max(max, sample.otherRss ?? 0), 0);
  const at10 = sampler.points.find((point) => point.point === '10% of items');
  const at100 = sampler.points.find((point) => point.point === '100% of items');
  const labelSeconds = labelledAt > 0 ? (labelledAt - started) / 1000 : seconds;
  console.log(`\n${CLIPS} clips labelled in ${labelSeconds.toFixed(0)} s (${(CLIPS / labelSeconds).toFixed(1)} clips/s), ${results} results read back, ${seconds.toFixed(0)} s in all; ${samples.length} samples every 250 ms\n`);
  console.log(formatMarkdownTable(
    ['point', 'items done', 'seconds', 'client RSS MiB', 'client heap used after GC MiB', 'fake provider RSS MiB'],
    [
      ...sampler.points.map((point) => [point.point, String(point.done), point.seconds.toFixed(0), mebibytes(point.rss), mebibytes(point.heapUsed), mebibytes(point.otherRss)]),
      ['peak of all samples', '', '', mebibytes(peak), mebibytes(samples.reduce((max, sample) => Math.max(max, sample.heapUsed), 0)) + ' (before GC)', mebibytes(serverPeak)],
    ],
  ));
  const heapGrowth = (at100?.heapUsed ?? 0) - (at10?.heapUsed ?? 0);
  const slope = rssSlopePerThousand(samples.filter((sample) => sample.done >= CLIPS / 10 && sample.done < CLIPS));
  const flat = heapGrowth <= FLAT_HEAP_BYTES && slope <= FLAT_RSS_SLOPE;
  const signed = (bytes: number) => `${bytes >= 0 ? '+' : '-'}${mebibytes(Math.abs(bytes))}`;
  console.log(`\nfrom 10% to 100% of items: RSS ${signed((at100?.rss ?? 0) - (at10?.rss ?? 0))} MiB (trend ${signed(slope)} MiB per 1,000 items), heap retained after GC ${signed(heapGrowth)} MiB`);
  console.log(`verdict: ${flat && peak < LIMIT_BYTES ? 'PASS' : 'MISSED'}: peak client RSS ${mebibytes(peak)} MiB (limit 500); ${flat ? 'flat' : 'NOT flat'} (at most ${signed(FLAT_HEAP_BYTES)} MiB of retained heap, ${signed(FLAT_RSS_SLOPE)} MiB RSS per 1,000 items)`);
}

await main();
