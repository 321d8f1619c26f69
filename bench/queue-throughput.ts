/**
 * Throughput of a run on the job queue (`annotate --queue` + `emolabel worker`) with 1, 2 and 4
 * worker processes: a real redis-server (started here, on a free port, no persistence), the fake
 * OpenAI-compatible provider in a child process answering every request after 300 ms, the
 * coordinator in this process (run store, job window, collection) and each worker a child process
 * with `--concurrency 4`, on distinct faces-dev images with `faces: 'largest'` (one request per
 * image), so each worker decodes, detects and crops on its own core. The ideal rate is
 * workers × concurrency / latency items per second; on a machine with fewer cores than workers the
 * workers share them, so the figure that carries to more machines is the rate per busy worker core.
 *
 *   npx tsx bench/queue-throughput.ts                                    # 240 items per setting
 *   EMOLABEL_BENCH_CLIPS=120 EMOLABEL_BENCH_WORKERS=1,2 npx tsx bench/queue-throughput.ts
 *
 * "steady" is the rate from a quarter of the items to the last: it leaves out the workers' start
 * (model load) and the first jobs. Redis is emptied between settings, so no answer is cached.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { makeFaceVariants } from './support/face-variants.js';
import { processCpuSeconds, startFakeProviderProcess } from './support/fake-provider.js';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';
import { queueItemRunner } from '../src/queue/queue-coordinator.js';
import { runAnnotation } from '../src/runs/run-annotation.js';
import { runSpecOf } from '../src/runs/run-spec.js';
import { RunStore } from '../src/store/run-store.js';
import { findRedisServer, startTestRedis } from '../test/support/redis-server.js';

const CLIPS = Number(process.env.EMOLABEL_BENCH_CLIPS ?? '240');
const LATENCY_MS = Number(process.env.EMOLABEL_BENCH_LATENCY_MS ?? '300');
const CONCURRENCY = Number(process.env.EMOLABEL_BENCH_CONCURRENCY ?? '4');
const WORKER_COUNTS = (process.env.EMOLABEL_BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI_ENTRY = resolve('test/support/cli-entry.ts');

interface Measurement {
  readonly workers: number;
  readonly ideal: number;
  readonly seconds: number;
  readonly steady: number;
  readonly ok: number;
  readonly failed: number;
  /** Cores the worker processes kept busy, on average over the run. */
  readonly workerCores: number;
  readonly coordinatorCores: number;
  readonly cpuMsPerItem: number;
  readonly load: number;
}

async function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_ENTRY, 'worker', '--queue', url, '--concurrency', String(CONCURRENCY), '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((ready, fail) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('taking jobs from')) ready();
    });
    child.once('exit', (code) => fail(new Error(`a worker exited (${code}): ${text}`)));
  });
  return child;
}

async function measure(workers: number, folder: string, redisUrl: string): Promise<Measurement> {
  const provider = await startFakeProviderProcess(LATENCY_MS);
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(redisUrl)));
  const scratch = mkdtempSync(join(resolve('bench/out'), 'queue-'));
  const store = RunStore.open(join(scratch, 'runs.db'));
  const doneAt: number[] = [];
  const workerCpu = () => children.reduce((sum, child) => sum + (processCpuSeconds(child.pid ?? 0) ?? 0), 0);
  const cpuBefore = process.cpuUsage();
  const workerCpuBefore = workerCpu();
  const started = performance.now();
  try {
    const spec = runSpecOf([folder], { model: 'openai-compatible:bench', annotatorSettings: { baseUrl: provider.url }, strategy: 'frame', faces: 'largest' });
    const outcome = await runAnnotation(spec, {
      store, env: {}, itemRunner: queueItemRunner({ url: redisUrl, pollMs: 50 }),
      resilience: { timeoutMs: 60_000, retry: { maxAttempts: 5 } },
      onResult: () => doneAt.push(performance.now()),
    });
    const seconds = secondsSince(started);
    const workerSeconds = workerCpu() - workerCpuBefore;
    const cpu = process.cpuUsage(cpuBefore);
    const quarter = doneAt[Math.floor(doneAt.length / 4)] ?? started;
    const last = doneAt[doneAt.length - 1] ?? performance.now();
    return {
      workers, ideal: (workers * CONCURRENCY) / (LATENCY_MS / 1000), seconds,
      steady: (doneAt.length - 1 - Math.floor(doneAt.length / 4)) / ((last - quarter) / 1000),
      ok: outcome.summary.ok + outcome.summary.noFace, failed: outcome.summary.failed,
      workerCores: workerSeconds / seconds, coordinatorCores: (cpu.user + cpu.system) / 1e6 / seconds,
      cpuMsPerItem: (1000 * workerSeconds) / Math.max(1, doneAt.length), load: loadavg()[0] ?? 0,
    };
  } finally {
    store.close();
    rmSync(scratch, { recursive: true, force: true });
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)))));
    await provider.close();
  }
}

async function main(): Promise<void> {
  const redisServer = findRedisServer();
  if (redisServer.binary === undefined) {
    console.log(`queue throughput: skipped, ${redisServer.missing}`);
    return;
  }
  console.log(`queue throughput: ${CLIPS} distinct faces-dev images per setting, fake provider answering in ${LATENCY_MS} ms, workers at --concurrency ${CONCURRENCY}`);
  console.log(`machine: ${describeMachine()}`);
  const folder = await makeFaceVariants({ count: CLIPS });
  const redis = await startTestRedis(redisServer.binary);
  const measurements: Measurement[] = [];
  try {
    for (const workers of WORKER_COUNTS) {
      const client = new Redis(redis.url);
      await client.flushall();
      client.disconnect();
      const measurement = await measure(workers, folder, redis.url);
      measurements.push(measurement);
      console.log(`  ${workers} worker(s): ${measurement.seconds.toFixed(1)} s, steady ${measurement.steady.toFixed(2)} items/s of ideal ${measurement.ideal.toFixed(2)}, workers ${measurement.workerCores.toFixed(2)} cores busy`);
    }
  } finally {
    await redis.stop();
  }
  console.log('');
  console.log(formatMarkdownTable(
    ['worker processes', 'items', 'ok', 'failed', 'seconds', 'items/s steady', 'ideal', '% of ideal', 'worker cores busy', 'items/s per worker core', 'worker CPU ms per item', 'coordinator cores busy', 'load avg'],
    measurements.map((each) => [
      String(each.workers), String(CLIPS), String(each.ok), String(each.failed), each.seconds.toFixed(1), each.steady.toFixed(2), each.ideal.toFixed(2),
      `${((100 * each.steady) / each.ideal).toFixed(0)}%`, each.workerCores.toFixed(2), (each.steady / Math.max(0.01, each.workerCores)).toFixed(1),
      each.cpuMsPerItem.toFixed(0), each.coordinatorCores.toFixed(2), each.load.toFixed(1),
    ]),
  ));
  console.log('');
  console.log(`${availableParallelism()} cores here: past that many busy worker cores, more worker processes share the same cores; on more machines each adds its own.`);
}

await main();
