/**
 * The long fault soak the test suite is too short for: what holds when emolabel is killed at
 * random points, when two sessions run the same command on one store, and when the store's disk
 * fills up mid-run and is freed again. Each scenario runs real child processes (or the library)
 * against a stand-in OpenAI-compatible provider that also serves 5xx, 429 and dropped connections,
 * then checks the store: every item exactly once, answers never paid for twice beyond the requests
 * in flight at a kill. Prints one table; exits 1 if anything did not hold.
 *
 *   npx tsx bench/reliability-soak.ts [--trials 20] [--items 16]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';
import { runAnnotation } from '../src/runs/run-annotation.js';
import { runSpecOf } from '../src/runs/run-spec.js';
import { RunStore } from '../src/store/run-store.js';
import { loadFacesDev } from '../test/support/faces-dev.js';
import { makeTempDir } from '../test/support/make-clips.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { seededFaults, startFaultyOpenAiServer, type FaultyOpenAiServer } from '../test/support/faulty-openai-server.js';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
};
const TRIALS = argument('trials', 20);
const ITEMS = argument('items', 16);
const CONCURRENCY = 3;
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const random = seededRandom(20261201);

interface Check {
  readonly scenario: string;
  readonly trials: number;
  readonly held: number;
  /** Requests the provider received, as a ratio to the ideal (one per item). */
  readonly requestRatio: number;
  readonly note: string;
}

function startAnnotate(cwd: string, server: FaultyOpenAiServer, database: string): ChildProcess {
  const args = ['--import', TSX_LOADER, join(process.cwd(), 'test/support/cli-entry.ts'), 'annotate', 'faces',
    '--model', 'openai-compatible:any', '--base-url', server.url, '--faces', 'none', '--retries', '8',
    '--concurrency', String(CONCURRENCY), '--db', database, '--out', 'labels.csv', '--quiet'];
  return spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EMOLABEL_DEBUG: '' } });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

async function waitFor(condition: () => boolean, limitMs = 120_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > limitMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether the store holds every item once, done, with one paid request per item. */
function storeHolds(database: string): boolean {
  const store = new Database(database, { readonly: true });
  try {
    const results = store.prepare('SELECT COUNT(DISTINCT item_id) AS items, COUNT(*) AS rows, SUM(status != \'error\') AS ok FROM results').get() as { items: number; rows: number; ok: number };
    const paidTwice = store.prepare('SELECT COUNT(*) AS n FROM (SELECT item_id FROM requests WHERE from_cache = 0 AND status = \'ok\' GROUP BY item_id HAVING COUNT(*) > 1)').get() as { n: number };
    const runs = store.prepare('SELECT status FROM runs').all() as Array<{ status: string }>;
    const holds = results.items === ITEMS && results.rows === ITEMS && results.ok === ITEMS && paidTwice.n === 0 && runs.length === 1 && runs[0]?.status === 'done';
    if (!holds) process.stderr.write(`${database}: ${JSON.stringify({ ...results, paidTwice: paidTwice.n, runs })}\n`);
    return holds;
  } finally {
    store.close();
  }
}

async function randomKills(dir: string, server: FaultyOpenAiServer): Promise<Check> {
  let held = 0;
  let requests = 0;
  let kills = 0;
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const database = join(dir, `kill-${trial}.db`);
    const before = server.requests.length;
    const killsThisTrial = 1 + Math.floor(random() * 3);
    for (let kill = 0; kill < killsThisTrial; kill += 1) {
      const child = startAnnotate(dir, server, database);
      const done = exited(child);
      const at = server.requests.length + 1 + Math.floor(random() * (ITEMS / killsThisTrial));
      await waitFor(() => server.requests.length >= at || child.exitCode !== null);
      child.kill('SIGKILL');
      await done;
      kills += 1;
    }
    const final = await exited(startAnnotate(dir, server, database));
    const sent = server.requests.length - before;
    requests += sent;
    // Beyond one request per item and the retries the faults cause, only requests in flight at a kill go twice.
    if (final.code === 0 && storeHolds(database)) held += 1;
    else process.stderr.write(`kill trial ${trial}: exit ${final.code} ${final.stderr}\n`);
  }
  return { scenario: `SIGKILL at random points (1-3 per trial, ${kills} in all), then the same command`, trials: TRIALS, held, requestRatio: requests / (TRIALS * ITEMS), note: 'every item once, ok; no answer paid twice' };
}

async function twoSessions(dir: string, server: FaultyOpenAiServer): Promise<Check> {
  let held = 0;
  let requests = 0;
  const trials = Math.max(1, Math.round(TRIALS / 2));
  for (let trial = 0; trial < trials; trial += 1) {
    const database = join(dir, `two-${trial}.db`);
    const before = server.requests.length;
    const first = exited(startAnnotate(dir, server, database));
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 600)));
    const sessions = await Promise.all([first, exited(startAnnotate(dir, server, database))]);
    requests += server.requests.length - before;
    // One session runs the run; the other refuses it, naming the holder.
    const ran = sessions.filter((session) => session.code === 0).length;
    const refused = sessions.filter((session) => /is being run by pid/.test(session.stderr)).length;
    if (ran === 1 && refused === 1 && storeHolds(database)) held += 1;
    else process.stderr.write(`two-session trial ${trial}: ${sessions.map((session) => `${session.code} ${session.stderr}`).join(' / ')}\n`);
  }
  return { scenario: 'two sessions start the same command on one store', trials, held, requestRatio: requests / (trials * ITEMS), note: 'one runs it, the other refuses (run in use); one run, items paid once' };
}

async function fullDisk(dir: string, server: FaultyOpenAiServer): Promise<Check> {
  let held = 0;
  let requests = 0;
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const database = join(dir, `full-${trial}.db`);
    const before = server.requests.length;
    const spec = runSpecOf([join(dir, 'faces')], { model: 'openai-compatible:any', faces: 'none', annotatorSettings: { baseUrl: server.url } });
    const session = { env: {}, concurrency: CONCURRENCY, resilience: { retry: { maxAttempts: 9, baseDelayMs: 20 } } };
    const full = RunStore.open(database);
    // SQLite's page cap gives the SQLITE_FULL a full disk gives, after a random share of the run.
    const pages = Number(full.database.pragma('page_count', { simple: true }));
    full.database.pragma(`max_page_count = ${pages + 1 + Math.floor(random() * 3)}`);
    const stopped = await runAnnotation(spec, { ...session, store: full }).then((outcome) => outcome.stopped?.message ?? 'finished', (error: Error) => error.message);
    full.close();
    const freed = RunStore.open(database);
    const resumed = await runAnnotation(spec, { ...session, store: freed });
    freed.close();
    requests += server.requests.length - before;
    if (/the disk is full/.test(stopped) && resumed.stopped === undefined && storeHolds(database)) held += 1;
    else process.stderr.write(`full-disk trial ${trial}: ${stopped}\n`);
  }
  return { scenario: 'the store\'s disk fills up mid-run, is freed, the same run again', trials: TRIALS, held, requestRatio: requests / (TRIALS * ITEMS), note: 'stops at the first refused write, naming the file; resume completes' };
}

const started = performance.now();
const { dir, cleanup } = makeTempDir('emolabel-soak-');
mkdirSync(join(dir, 'faces'));
const facesDev = loadFacesDev();
if (!('images' in facesDev)) {
  console.log(`reliability soak skipped: ${facesDev.missing}`);
  process.exit(0);
}
// Distinct photos, so each item is its own request (and its own cache key).
facesDev.images.slice(0, ITEMS).forEach((image, index) => copyFileSync(image.path, join(dir, 'faces', `face-${index}.jpg`)));
const server = await startFaultyOpenAiServer({
  answerDelayMs: 80,
  chooseFault: seededFaults('soak', { 'server-error': 0.08, 'rate-limit': 0.05, reset: 0.04, ok: 0.83 }),
});
try {
  const checks = [await randomKills(dir, server), await twoSessions(dir, server), await fullDisk(dir, server)];
  console.log(`\n## Reliability soak (${ITEMS} items per trial, --concurrency ${CONCURRENCY}, faults: 8% 5xx, 5% 429, 4% resets)\n`);
  console.log(describeMachine());
  console.log(formatMarkdownTable(['scenario', 'trials', 'held', 'requests / ideal', 'what held means'],
    checks.map((check) => [check.scenario, String(check.trials), `${check.held}/${check.trials}`, check.requestRatio.toFixed(2), check.note])));
  console.log(`\n(${secondsSince(started).toFixed(0)} s)`);
  process.exitCode = checks.every((check) => check.held === check.trials) ? 0 : 1;
} finally {
  await server.close();
  cleanup();
  rmSync(dir, { recursive: true, force: true });
}
