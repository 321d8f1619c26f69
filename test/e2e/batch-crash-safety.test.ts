import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

const ITEMS = 6;
const KEY = 'sk-test-batch-crash';
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `emolabel <args>` from the sources in a child process, against the stand-in. */
function startCli(cwd: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, join(process.cwd(), 'test/support/cli-entry.ts'), ...args], {
    cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EMOLABEL_DEBUG: '', OPENAI_API_KEY: KEY },
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 90_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('annotate --batch through --base-url: SIGKILL while the batch runs, then the same command', { timeout: 180_000 }, () => {
  const { dir, cleanup } = makeTempDir();
  // Mutable: the batch stays in progress until the test lets it finish.
  const batchBehaviour = { pollsUntilDone: Number.MAX_SAFE_INTEGER };
  let server: Awaited<ReturnType<typeof startFakeOpenAiServer>>;
  beforeAll(async () => {
    mkdirSync(join(dir, 'faces'));
    ([1, 2, 3, 4, 5, 6] as const).forEach((number) => copyFileSync(demoFace(number), join(dir, 'faces', `face-${number}.jpg`)));
    server = await startFakeOpenAiServer({ apiKey: KEY, batch: batchBehaviour });
  });
  afterAll(async () => {
    await server.close();
    cleanup();
  });
  const annotate = ['annotate', 'faces', '--model', 'openai:gpt-4o-mini', '--base-url', '', '--strategy', 'multi', '--batch', '--batch-poll', '0.05', '--db', 'runs.db', '--out', 'labels.csv'];
  const args = () => annotate.map((arg, index) => (annotate[index - 1] === '--base-url' ? server.url : arg));
  const polls = () => server.requests.filter((request) => request.method === 'GET' && /^\/v1\/batches\/[^/]+$/.test(request.path)).length;

  it('submits one batch, and after kill -9 mid-poll the same command collects it: no second batch, no online request, every item ok', async () => {
    const first = startCli(dir, args());
    const killed = exited(first);
    await waitFor(() => polls() >= 3, 'the batch to be polled');
    first.kill('SIGKILL');
    expect((await killed).signal).toBe('SIGKILL');
    expect(server.batches.batches).toHaveLength(1);

    batchBehaviour.pollsUntilDone = 1;
    const second = await exited(startCli(dir, args()));
    expect(second.stderr).toMatch(/resuming r\d{8}-\d{4}-[0-9a-f]{6}/);
    expect(second.code).toBe(0);
    expect(server.batches.batches).toHaveLength(1);
    expect(server.requests.filter((request) => request.path === '/v1/chat/completions')).toHaveLength(0);
    expect(server.requests.filter((request) => request.method === 'POST' && request.path === '/v1/files')).toHaveLength(1);

    const rows = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(ITEMS + 1);
    const store = new Database(join(dir, 'runs.db'), { readonly: true });
    const statuses = store.prepare('SELECT status, COUNT(*) AS n FROM results GROUP BY status').all();
    expect(statuses).toEqual([{ status: 'ok', n: ITEMS }]);
    expect(store.prepare('SELECT state FROM batches').all()).toEqual([{ state: 'collected' }]);
    store.close();

    const listed = await exited(startCli(dir, ['batches', '--db', 'runs.db']));
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/batch_fake1 .*collected \(completed\)\s+6\/6\s+0/);
  });
});
