/**
 * `--concurrency auto` against provider accounts that push back, measured against the rate each
 * account allows (its ideal) and against fixed limits in the same run: the old default (2) and the
 * limit an expert would set knowing the account (the oracle). The fake OpenAI-compatible provider
 * runs in a child process, answers in 300 ms and enforces one of:
 * - a cap on requests at once (429 past it), as some providers and gateways do;
 * - a server that works on 4 requests at once and queues the rest (Ollama, vLLM): no 429s;
 * - a rate in requests per minute, stated in `x-ratelimit-*` headers on every answer (OpenAI's);
 * - the same rate with no headers, so the client has to find it from 429s.
 * Inputs are distinct faces-dev photos with `faces: 'none'`, so the client's CPU is not the limit.
 *
 *   npx tsx bench/adaptive-concurrency.ts
 *   EMOLABEL_BENCH_CLIPS=200 EMOLABEL_BENCH_SETTINGS=cap npx tsx bench/adaptive-concurrency.ts
 *   EMOLABEL_BENCH_CLIPS=1500 EMOLABEL_BENCH_SETTINGS=cap EMOLABEL_BENCH_CONCURRENCIES=auto,oracle npx tsx bench/adaptive-concurrency.ts   # a longer run
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { makeFaceVariants } from './support/face-variants.js';
import { startFakeProviderProcess } from './support/fake-provider.js';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';
import { createResilienceStats } from '../src/runs/resilience/resilience-stats.js';
import { runAnnotation } from '../src/runs/run-annotation.js';
import { runSpecOf } from '../src/runs/run-spec.js';
import { RunStore } from '../src/store/run-store.js';

interface Account {
  readonly name: string;
  readonly limits: { maxInFlight?: number; parallel?: number; requestsPerMinute?: number; burstSeconds?: number; headers?: boolean; latencySpreadMs?: [number, number] };
  /** Requests per second the account allows at the bench's latency. */
  readonly idealPerSecond: number;
  /** What an expert would pass knowing the account. */
  readonly oracle: { concurrency: number; rpm?: number };
}

const LATENCY_MS = 300;
const CLIPS = Number(process.env.EMOLABEL_BENCH_CLIPS ?? '400');
const ACCOUNTS: Account[] = [
  { name: 'cap of 16 at once', limits: { maxInFlight: 16 }, idealPerSecond: 16 / (LATENCY_MS / 1000), oracle: { concurrency: 16 } },
  // A local server that runs 4 at once and queues the rest (no 429s): more in flight only waits there.
  { name: 'runs 4 at once, queues the rest', limits: { parallel: 4 }, idealPerSecond: 4 / (LATENCY_MS / 1000), oracle: { concurrency: 4 } },
  // No limit, but answers take 0.5-4 s at random (2.25 s on average), as LLMs do: 64 in flight is the ceiling's rate.
  { name: 'no limit, answers in 0.5-4 s', limits: { latencySpreadMs: [500, 4_000] }, idealPerSecond: 64 / 2.25, oracle: { concurrency: 64 } },
  // The account lets 2 s of its rate through at once; the oracle's --rpm bucket is told the same.
  { name: '1,200 rpm, stated in headers', limits: { requestsPerMinute: 1_200, burstSeconds: 2 }, idealPerSecond: 20, oracle: { concurrency: 8, rpm: 1_200 } },
  { name: '1,200 rpm, no headers', limits: { requestsPerMinute: 1_200, burstSeconds: 2, headers: false }, idealPerSecond: 20, oracle: { concurrency: 8, rpm: 1_200 } },
];
const CONCURRENCIES: Array<{ name: string; pick: (account: Account) => { concurrency: number | 'auto'; rpm?: number } }> = [
  { name: 'fixed 2 (the old default)', pick: () => ({ concurrency: 2 }) },
  { name: 'auto (the new default)', pick: () => ({ concurrency: 'auto' }) },
  { name: 'oracle', pick: (account) => account.oracle },
];

async function measure(account: Account, setting: { concurrency: number | 'auto'; rpm?: number }, folder: string) {
  const server = await startFakeProviderProcess(LATENCY_MS, account.limits);
  const scratch = mkdtempSync(join(resolve('bench/out'), 'adaptive-'));
  const store = RunStore.open(join(scratch, 'runs.db'));
  const stats = createResilienceStats();
  const doneAt: number[] = [];
  const started = performance.now();
  try {
    const spec = runSpecOf([folder], { model: 'openai-compatible:bench', annotatorSettings: { baseUrl: server.url }, faces: 'none' });
    const outcome = await runAnnotation(spec, {
      store, env: {}, concurrency: setting.concurrency, cache: false,
      resilience: { stats, rpm: setting.rpm, ...(setting.rpm === undefined ? {} : { burstSeconds: 2 }), timeoutMs: 60_000, retry: { maxAttempts: 12 } },
      onResult: () => doneAt.push(performance.now()),
    });
    const seconds = secondsSince(started);
    // Steady: from a quarter of the items to the last, leaving out the start (slow start, the bucket's burst).
    const quarter = doneAt[Math.floor(doneAt.length / 4)] ?? started;
    const last = doneAt[doneAt.length - 1] ?? performance.now();
    const steady = (doneAt.length - 1 - Math.floor(doneAt.length / 4)) / ((last - quarter) / 1000);
    await server.close();
    const report = outcome.requestLimit;
    const total = report ? Object.values(report.limitedMs).reduce((sum, ms) => sum + ms, 0) : 0;
    const held = report && total > 0 ? Object.entries(report.limitedMs).sort(([, a], [, b]) => b - a).map(([cause, ms]) => `${cause} ${Math.round((100 * ms) / total)}%`).join(', ') : '';
    return { seconds, steady, failed: outcome.summary.failed, rejected: server.rejected(), report, held, followed: stats.providerLimits?.requestsPerMinute };
  } finally {
    store.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const filters = (process.env.EMOLABEL_BENCH_SETTINGS ?? '').split(',').filter(Boolean);
  console.log(`adaptive concurrency: ${CLIPS} distinct faces-dev photos (faces: none), fake provider answering in ${LATENCY_MS} ms (child process)`);
  console.log(`machine: ${describeMachine()}`);
  const folder = await makeFaceVariants({ count: CLIPS });
  const rows: string[][] = [];
  for (const account of ACCOUNTS.filter((each) => filters.length === 0 || filters.some((filter) => each.name.includes(filter)))) {
    const only = (process.env.EMOLABEL_BENCH_CONCURRENCIES ?? '').split(',').filter(Boolean);
    for (const concurrency of CONCURRENCIES.filter((each) => only.length === 0 || only.some((name) => each.name.startsWith(name)))) {
      const setting = concurrency.pick(account);
      const result = await measure(account, setting, folder);
      const limit = result.report ? (result.report.mode === 'adaptive' ? `${result.report.initial} → ${result.report.final} (peak ${result.report.peak})` : String(result.report.final)) : '';
      const share = result.steady / account.idealPerSecond;
      console.log(`  ${account.name}, ${concurrency.name}: ${result.steady.toFixed(1)} requests/s steady, ${(100 * share).toFixed(0)}% of ${account.idealPerSecond.toFixed(1)}; ${result.rejected} turned away; load ${loadavg()[0]?.toFixed(1)}`);
      rows.push([
        account.name, concurrency.name + (setting.rpm ? ` + --rpm ${setting.rpm}` : ''), limit, result.steady.toFixed(1), account.idealPerSecond.toFixed(1), `${(100 * share).toFixed(0)}%`,
        String(result.rejected), String(result.failed), result.held, result.followed ? `${result.followed} rpm` : '', result.seconds.toFixed(1),
      ]);
    }
  }
  console.log('');
  console.log(formatMarkdownTable(['account', 'concurrency', 'limit', 'requests/s steady', 'ideal', '% of ideal', '429s', 'failed', 'held by', 'followed', 'seconds'], rows));
}

await main();
