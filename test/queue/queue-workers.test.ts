import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
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

async function startWorker(url: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const { child, stderr } = spawnCli(['worker', '--queue', url, '--concurrency', '2', '--stall-timeout', '2'], cwd, env);
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
async function until(condition: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
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
  });
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
    for (let index = 0; index < 3; index += 1) workers.push(await startWorker(redis.url, dir, { QUEUE_TEST_KEY: 'sk-test-worker-only' }));
    const io = captureIo(dir, {});
    const coordinator = runCli(annotateArgs('kill-worker.db', 'kill-worker.jsonl'), io);
    const victim = workers[0] as WorkerProcess;
    // Killed once the run is well under way, while it holds jobs (two at a time) in the middle of their requests.
    await until(() => server.requests.length >= 12, 'the first requests');
    await stopProcess(victim.child, 'SIGKILL');
    expect(await coordinator).toBe(0);

    const rows = readRows(join(dir, 'kill-worker.jsonl'));
    expect(rows.map((row) => row.id).sort()).toEqual([...Array(CLIPS).keys()].map((clip) => `clip-${String(clip).padStart(2, '0')}`));
    expect(rows.every((row) => row.status === 'ok' && row.label !== undefined)).toBe(true);
    const pids = new Set(rows.map((row) => row.worker?.pid));
    expect(pids.size).toBeGreaterThanOrEqual(2);
    for (const pid of pids) expect(workers.map((worker) => worker.pid)).toContain(pid);
    // Only the requests in flight on the killed worker (two jobs, one request each at a time) are asked again.
    expect(repeats(server)).toBeLessThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(CLIPS * FRAMES + 2);
    // The run store logged every answer that reached a worker, paid once; a retried job's earlier answers came from the cache.
    const store = RunStore.open(join(dir, 'kill-worker.db'));
    try {
      const run = store.listRuns()[0];
      const logged = new ResponseStore(store.database).listRequests(run?.id ?? '');
      const paid = logged.filter((request) => !request.fromCache);
      expect(server.requests.length - paid.length).toBeGreaterThanOrEqual(0);
      expect(server.requests.length - paid.length).toBeLessThanOrEqual(2);
      expect(paid.length + logged.filter((request) => request.fromCache).length).toBeGreaterThanOrEqual(CLIPS * FRAMES);
    } finally {
      store.close();
    }
    expect(io.err()).toMatch(/workers?, \d+ waiting, \d+ active, \d+ done, 0 failed/);
  }, 180_000);
});
