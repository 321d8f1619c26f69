import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The per-attempt timeout the child runs with, in seconds: 5 attempts of it would take 10 s and more. */
const TIMEOUT_S = 2;

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('stopping a run against a hung provider (child process)', { timeout: 60_000 }, () => {
  const { dir, cleanup } = makeTempDir('emolabel-hung-');
  let server: Awaited<ReturnType<typeof startFakeOpenAiServer>>;
  beforeAll(async () => {
    mkdirSync(join(dir, 'faces'));
    ([1, 2, 3, 4] as const).forEach((face) => copyFileSync(demoFace(face), join(dir, 'faces', `face-${face}.jpg`)));
    server = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await server.close();
    cleanup();
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s: no more retries, the run is interrupted with the items in flight left unfinished (not errors)', async (signal) => {
    const database = join(dir, `${signal}.db`);
    const before = server.requests.length;
    server.queue(...Array.from({ length: 40 }, () => 'slow' as const));
    const child = spawn(process.execPath, ['--import', TSX_LOADER, join(process.cwd(), 'test/support/cli-entry.ts'), 'annotate', 'faces',
      '--model', 'openai-compatible:any', '--base-url', server.url, '--faces', 'none', '--concurrency', '2', '--timeout', String(TIMEOUT_S),
      '--db', database, '--quiet'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EMOLABEL_DEBUG: '' } });
    const done = exited(child);
    for (let waited = 0; server.requests.length < before + 2; waited += 10) {
      if (waited > 30_000) throw new Error('the child sent no requests');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const signalled = performance.now();
    child.kill(signal);
    const outcome = await done;
    const tookMs = performance.now() - signalled;
    expect(outcome.signal).toBeNull();
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toMatch(/stopping/);
    expect(outcome.stderr).toMatch(/resume with: emolabel annotate --resume r\d{8}-\d{4}-[0-9a-f]{6}/);
    // The attempts in flight end at their timeout; none is tried again.
    expect(tookMs).toBeLessThan((TIMEOUT_S + 4) * 1000);
    expect(server.requests.length - before).toBe(2);
    const store = new Database(database, { readonly: true });
    const run = store.prepare('SELECT status, (SELECT COUNT(*) FROM results) AS saved FROM runs').get() as { status: string; saved: number };
    store.close();
    expect(run).toEqual({ status: 'interrupted', saved: 0 });
    server.queue();
  });
});
