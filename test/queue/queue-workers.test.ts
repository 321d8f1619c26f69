import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { QUEUE_NAME } from '../../src/queue/queue-job.js';
import { RunStore } from '../../src/store/run-store.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { captureIo } from '../support/capture-io.js';
import { facesDevForTests } from '../support/faces-dev.js';
import { type FaultyOpenAiServer, startFaultyOpenAiServer } from '../support/faulty-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';
import { findRedisServer, startTestRedis, type TestRedis } from '../support/redis-server.js';

const redisServer = findRedisServer();
if (redisServer.missing) console.warn(`Skipping the queue worker tests: ${redisServer.missing}`);
const faces = facesDevForTests('the queue worker tests (they label faces-dev clips)');
const skip = redisServer.missing !== undefined || faces.missing !== undefined;

const CLIPS = 12;
const FRAMES = 4;
const cliEntry = join(import.meta.dirname, '../support/cli-entry.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

type Row = { id: string; status: string; label?: string; worker?: { host: string; pid: number } };

/** An `emolabel worker` child process, ready once it says it takes jobs. */
interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stderr(): string;
}

function spawnCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, cliEntry, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  return { child, stderr: () => stderr };
}

/**
 * A worker's stall timeout: long enough that a worker starved of CPU on a loaded 2-core machine
 * still renews its locks (a job would otherwise pass as stalled and run twice), short enough that
 * a killed worker's jobs come back within the test.
 */
const STALL_SECONDS = 10;

async function startWorker(url: string, env: NodeJS.ProcessEnv = {}, concurrency = 2): Promise<WorkerProcess> {
  const { child, stderr } = spawnCli(['worker', '--queue', url, '--concurrency', String(concurrency), '--stall-timeout', String(STALL_SECONDS)], process.cwd(), env);
  await new Promise<void>((resolve, reject) => {
    const check = () => (stderr().includes('taking jobs from') ? resolve() : undefined);
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr()}`)));
  });
  return { child, pid: child.pid as number, stderr };
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Resolves once `condition` holds, looking every 50 ms (it waits on events, it measures no time). */
async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every key and value in the Redis, as text (strings, hashes, lists, sorted sets, streams). */
async function redisText(url: string): Promise<string> {
  const client = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const value = type === 'string' ? await client.get(key)
        : type === 'hash' ? await client.hgetall(key)
          : type === 'list' ? await client.lrange(key, 0, -1)
            : type === 'zset' ? await client.zrange(key, 0, -1)
              : type === 'stream' ? await client.xrange(key, '-', '+')
                : type === 'set' ? await client.smembers(key) : '';
      parts.push(key, JSON.stringify(value));
    }
    return parts.join('\n');
  } finally {
    client.disconnect();
  }
}

/** Whether a job is active with at least one request answered (its request list in Redis has an entry). */
async function jobPartWay(url: string): Promise<boolean> {
  const client = new Redis(url);
  const queue = new Queue(QUEUE_NAME, { connection: { url } });
  try {
    for (const key of await client.keys('emolabel:requests:*')) {
      if ((await client.llen(key)) > 0 && (await queue.getJobState(key.slice('emolabel:requests:'.length))) === 'active') return true;
    }
    return false;
  } finally {
    await queue.close();
    client.disconnect();
  }
}

function readRows(path: string): Row[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Row);
}

/** Requests per distinct crop the server saw: a crop asked more than once was asked again. */
function repeats(server: FaultyOpenAiServer): number {
  return server.requests.filter((request) => request.previousForImage > 0).length;
}

describe.skipIf(skip)('emolabel annotate --queue with emolabel worker processes on Redis (faces-dev clips, stand-in OpenAI server)', () => {
  const { dir, cleanup } = makeTempDir('emolabel-queue-');
  let redis: TestRedis;
  let server: FaultyOpenAiServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis(redisServer.binary as string);
    // Clips of four real faces each, read in place (links to faces-dev): four requests per clip with `frame`.
    for (let clip = 0; clip < CLIPS; clip += 1) {
      const folder = join(dir, 'clips', `clip-${String(clip).padStart(2, '0')}`);
      mkdirSync(folder, { recursive: true });
      for (let frame = 0; frame < FRAMES; frame += 1) {
        const image = faces.images[clip * FRAMES + frame];
        if (image) symlinkSync(image.path, join(folder, `frame-${frame}.jpg`));
      }
    }
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({
      models: { 'openai-compatible:any': { inputPerMillion: 0.5, outputPerMillion: 1.5, maxImagesPerRequest: 16, imageTokens: { rule: 'flat', tokens: 500 } } },
    }));
  }, 60_000);
  afterEach(async () => {
    for (const worker of workers.splice(0)) await stopProcess(worker.child, 'SIGKILL');
    await server?.close();
    // Each test starts on an empty Redis: no answers cached by the one before.
    await redis.restart();
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
    cleanup();
  });

  const annotateArgs = (db: string, out: string) => [
    'annotate', 'clips', '--clip-folders', '--frames', String(FRAMES), '--strategy', 'frame', '--model', 'openai-compatible:any', '--base-url', server.url,
    '--api-key-env', 'QUEUE_TEST_KEY', '--price-table', 'prices.json', '--queue', redis.url, '--db', db, '--out', out,
  ];

  it('labels every clip once across three workers, one SIGKILLed mid-run: its jobs are taken again and no answered request is asked again', async () => {
    server = await startFaultyOpenAiServer({ answerDelayMs: 150 });
    // The key lives in the workers' environment only; the coordinator has none.
    const env = { QUEUE_TEST_KEY: 'sk-test-worker-only' };
    const victim = await startWorker(redis.url, env, 1);
    workers.push(victim);
    const io = captureIo(dir, {});
    const coordinator = runCli(annotateArgs('kill-worker.db', 'kill-worker.jsonl'), io);
    // Killed while its job is part-way: some of its requests answered (and paid), the job not finished.
    await until(() => jobPartWay(redis.url), 'a job with answered requests');
    await stopProcess(victim.child, 'SIGKILL');
    workers.push(...await Promise.all([0, 1].map(() => startWorker(redis.url, env))));
    // Mid-run, Redis holds the jobs (settings, the key's variable name) and answers, never the key.
    const inRedis = await redisText(redis.url);
    expect(inRedis).toContain('QUEUE_TEST_KEY');
    expect(inRedis).not.toContain('sk-test-worker-only');
    expect(await coordinator).toBe(0);

    const rows = readRows(join(dir, 'kill-worker.jsonl'));
    expect(rows.map((row) => row.id).sort()).toEqual([...Array(CLIPS).keys()].map((clip) => `clip-${String(clip).padStart(2, '0')}`));
    expect(rows.every((row) => row.status === 'ok' && row.label !== undefined)).toBe(true);
    const pids = new Set(rows.map((row) => row.worker?.pid));
    expect(pids.size).toBeGreaterThanOrEqual(2);
    for (const pid of pids) expect(workers.map((worker) => worker.pid)).toContain(pid);
    // Only the request in flight on the killed worker (one job at a time, one request at a time) is asked again.
    expect(repeats(server)).toBeLessThanOrEqual(1);
    // The run store logged every answer that reached a worker, paid once; a retried job's earlier answers came from the cache.
    const store = RunStore.open(join(dir, 'kill-worker.db'));
    try {
      const run = store.listRuns()[0];
      const logged = new ResponseStore(store.database).listRequests(run?.id ?? '');
      const paid = logged.filter((request) => !request.fromCache);
      expect(server.requests.length - paid.length).toBeGreaterThanOrEqual(0);
      expect(server.requests.length - paid.length).toBeLessThanOrEqual(1);
      // The killed job's answers were paid once and answered its second attempt from the cache.
      expect(logged.filter((request) => request.fromCache).length).toBeGreaterThanOrEqual(1);
      if (process.env.EMOLABEL_SHOW_OUTPUT) console.log(`logged: ${paid.length} paid, ${logged.length - paid.length} from the cache`);
      expect(paid.length).toBeGreaterThanOrEqual(new Set(server.requests.map((request) => request.imageKey)).size);
    } finally {
      store.close();
    }
    if (process.env.EMOLABEL_SHOW_OUTPUT) console.log(io.err(), `server: ${server.requests.length} requests, ${repeats(server)} repeated`, victim.stderr());
    expect(io.err()).toMatch(/workers?, \d+ waiting, \d+ active, \d+ done, 0 failed/);
  }, 180_000);

  it('a coordinator SIGKILLed mid-run is resumed by the same command: finished items from the store, queued jobs found, none added again', async () => {
    server = await startFaultyOpenAiServer({ answerDelayMs: 150 });
    workers.push(...await Promise.all([0, 1].map(() => startWorker(redis.url, { QUEUE_TEST_KEY: 'sk-test-worker-only' }))));
    const first = spawnCli(annotateArgs('kill-coordinator.db', 'kill-coordinator.jsonl'), dir, {});
    await until(() => server.requests.length >= 10, 'the first requests');
    await stopProcess(first.child, 'SIGKILL');
    const io = captureIo(dir, {});
    expect(await runCli(annotateArgs('kill-coordinator.db', 'kill-coordinator.jsonl'), io)).toBe(0);
    expect(io.err()).toMatch(/resuming \S+: 12 items, \d+ already done/);
    const rows = readRows(join(dir, 'kill-coordinator.jsonl'));
    expect(rows.map((row) => row.id).sort()).toEqual([...Array(CLIPS).keys()].map((clip) => `clip-${String(clip).padStart(2, '0')}`));
    expect(rows.every((row) => row.status === 'ok')).toBe(true);
    // No job ran twice: no crop was asked again, and no answer came from the cache.
    expect(repeats(server)).toBe(0);
    const store = RunStore.open(join(dir, 'kill-coordinator.db'));
    try {
      const logged = new ResponseStore(store.database).listRequests(store.listRuns()[0]?.id ?? '');
      expect(logged.filter((request) => request.fromCache)).toHaveLength(0);
      expect(logged).toHaveLength(server.requests.length);
    } finally {
      store.close();
    }
  }, 180_000);

  it('Redis restarted mid-run without its data: the coordinator queues again what it lost and the run finishes, every clip once', async () => {
    server = await startFaultyOpenAiServer({ answerDelayMs: 150 });
    workers.push(...await Promise.all([0, 1].map(() => startWorker(redis.url, { QUEUE_TEST_KEY: 'sk-test-worker-only' }))));
    const io = captureIo(dir, {});
    const coordinator = runCli(annotateArgs('restart-redis.db', 'restart-redis.jsonl'), io);
    await until(() => server.requests.length >= 10, 'the first requests');
    await redis.restart();
    expect(await coordinator).toBe(0);
    const rows = readRows(join(dir, 'restart-redis.jsonl'));
    expect(rows.map((row) => row.id).sort()).toEqual([...Array(CLIPS).keys()].map((clip) => `clip-${String(clip).padStart(2, '0')}`));
    expect(rows.every((row) => row.status === 'ok')).toBe(true);
    expect(io.err()).toMatch(/requeued/);
  }, 180_000);

  it('Ctrl-C on the coordinator withdraws the jobs no worker has taken, waits for the one being labelled, and a resume finishes the run', async () => {
    server = await startFaultyOpenAiServer({ answerDelayMs: 150 });
    workers.push(await startWorker(redis.url, { QUEUE_TEST_KEY: 'sk-test-worker-only' }, 1));
    const first = spawnCli(annotateArgs('interrupt.db', 'interrupt.jsonl'), dir, {});
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
    await until(() => server.requests.length >= 1, 'the first request');
    first.child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(first.stderr()).toMatch(/resume with: emolabel annotate --resume/);
    const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url } });
    try {
      expect(await queue.getWaitingCount()).toBe(0);
      expect(await queue.getActiveCount()).toBe(0);
    } finally {
      await queue.close();
    }
    const asked = server.requests.length;
    const io = captureIo(dir, {});
    expect(await runCli(annotateArgs('interrupt.db', 'interrupt.jsonl'), io)).toBe(0);
    expect(io.err()).toMatch(/resuming \S+: 12 items, [1-9]\d* already done/);
    expect(readRows(join(dir, 'interrupt.jsonl'))).toHaveLength(CLIPS);
    expect(repeats(server)).toBe(0);
    expect(server.requests.length).toBeGreaterThan(asked);
  }, 180_000);
});
