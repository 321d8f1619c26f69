/**
 * Requests per second for clips labelled frame by frame (`--strategy frame`, 8 frames, one request
 * each) against a provider answering in 300 ms, as a share of the ideal concurrency / latency:
 * what "schedule requests, not items" buys. Clips are FERV39k-style frame folders of 8 distinct
 * faces-dev variants each; one setting skips face detection (scheduling alone), one detects faces.
 *
 *   npx tsx bench/clip-frame-throughput.ts                       # 40 clips (320 requests) per setting
 *   EMOLABEL_BENCH_CLIPS=20 npx tsx bench/clip-frame-throughput.ts
 *   EMOLABEL_BENCH_SETTINGS=none npx tsx bench/clip-frame-throughput.ts   # settings whose name has "none"
 *
 * The CPU ceiling is the rate the machine's cores could give at the client's measured CPU time per
 * request (decode, face detection, JPEG encoding, hashing, the store, on every thread).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';
import { makeFaceVariants } from './support/face-variants.js';
import { startFakeProviderProcess } from './support/fake-provider.js';
import { runAnnotation } from '../src/runs/run-annotation.js';
import { runSpecOf } from '../src/runs/run-spec.js';
import { RunStore } from '../src/store/run-store.js';

const CLIPS = Number(process.env.EMOLABEL_BENCH_CLIPS ?? '40');
const FRAMES = 8;
const LATENCY_MS = 300;
const CONCURRENCY = 8;
const SETTINGS: ReadonlyArray<{ name: string; faces: 'none' | 'largest'; workers?: number }> = [
  { name: 'frame, --faces none', faces: 'none' },
  { name: 'frame, --faces largest', faces: 'largest' },
  { name: 'frame, --faces largest, --workers 2', faces: 'largest', workers: 2 },
];

/** `count` clip folders of FRAMES distinct images each (symlinks into the variants folder). */
function makeClipFolders(variants: string, count: number): string {
  const root = mkdtempSync(join(resolve('bench/out'), 'clips-'));
  const images = readdirSync(variants).filter((name) => name.endsWith('.jpg')).sort();
  for (let clip = 0; clip < count; clip += 1) {
    const folder = join(root, `clip-${String(clip).padStart(3, '0')}`);
    mkdirSync(folder);
    for (let frame = 0; frame < FRAMES; frame += 1) symlinkSync(join(variants, images[clip * FRAMES + frame] ?? ''), join(folder, `${frame + 1}.jpg`));
  }
  return root;
}

mkdirSync(resolve('bench/out'), { recursive: true });
console.log(`clip frame throughput: ${CLIPS} clips x ${FRAMES} frames, --concurrency ${CONCURRENCY}, provider answering in ${LATENCY_MS} ms`);
console.log(`machine: ${describeMachine()}`);
const clips = makeClipFolders(await makeFaceVariants({ count: CLIPS * FRAMES }), CLIPS);
const rows: string[][] = [];
const ideal = CONCURRENCY / (LATENCY_MS / 1000);
const only = process.env.EMOLABEL_BENCH_SETTINGS;
for (const setting of SETTINGS.filter((each) => only === undefined || each.name.includes(only))) {
  const server = await startFakeProviderProcess(LATENCY_MS);
  const scratch = mkdtempSync(join(resolve('bench/out'), 'clip-throughput-'));
  const store = RunStore.open(join(scratch, 'runs.db'));
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const spec = runSpecOf([clips], { model: 'openai-compatible:bench', annotatorSettings: { baseUrl: server.url }, strategy: 'frame', frames: FRAMES, faces: setting.faces, clipFolders: true });
    const outcome = await runAnnotation(spec, { store, env: {}, concurrency: CONCURRENCY, workers: setting.workers, resilience: { timeoutMs: 60_000 } });
    const seconds = secondsSince(started);
    const rate = outcome.requests.sent / seconds;
    // The client's CPU (every thread) per request, and the rate the machine's cores could give at that cost.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, outcome.requests.sent);
    const ceiling = (1000 * availableParallelism()) / cpuMsPerRequest;
    const attainable = Math.min(ideal, ceiling);
    rows.push([
      setting.name, String(outcome.requests.sent), seconds.toFixed(1), rate.toFixed(1), ideal.toFixed(1), `${Math.round((rate / ideal) * 100)}%`,
      cpuMsPerRequest.toFixed(0), ceiling.toFixed(1), `${Math.round((rate / attainable) * 100)}%`, (loadavg()[0] ?? 0).toFixed(1),
    ]);
    console.log(`  ${setting.name}: ${rate.toFixed(1)} requests/s of ideal ${ideal.toFixed(1)} (CPU ceiling ${ceiling.toFixed(1)} at ${cpuMsPerRequest.toFixed(0)} ms per request)`);
  } finally {
    store.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
rmSync(clips, { recursive: true, force: true });
console.log(formatMarkdownTable(['setting', 'requests', 'seconds', 'requests/s', 'ideal', 'of ideal', 'client CPU ms per request', `CPU ceiling (${availableParallelism()} cores)`, 'of min(ideal, ceiling)', 'load avg'], rows));
