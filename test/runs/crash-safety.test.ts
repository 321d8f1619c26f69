import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFacesDev } from '../support/faces-dev.js';
import { startFaultyOpenAiServer, type FaultyOpenAiServer } from '../support/faulty-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

const facesDev = loadFacesDev();
const skip = !('images' in facesDev);
if (skip) console.warn(`skipping crash-safety tests: ${facesDev.missing}`);
const ITEMS = 18;
/**
 * An answer the server sent this shortly before a kill may not have been read and stored by the
 * child yet (the unavoidable window of any crash). Generous: with the rest of the suite running on
 * two cores the child was seen to take over 300 ms between the server's last byte and its store
 * write. The load-independent bound is the count below: at most one re-send per request in flight.
 */
const ANSWER_IN_TRANSIT_MS = 1_000;
/** tsx's loader by absolute URL: the child runs in a temporary folder where `tsx` does not resolve. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Starts the CLI from source in a child process, against the fake provider. */
function startAnnotate(cwd: string, server: FaultyOpenAiServer, database: string): ChildProcess {
  const args = ['--import', TSX_LOADER, join(process.cwd(), 'test/support/cli-entry.ts'), 'annotate', 'faces',
    '--model', 'openai-compatible:any', '--base-url', server.url, '--strategy', 'multi', '--faces', 'none',
    '--concurrency', '3', '--db', database, '--out', 'labels.csv', '--quiet'];
  return spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EMOLABEL_DEBUG: '' } });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 90_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(skip)('runs survive SIGKILL and Ctrl-C (child process against a fake provider)', { timeout: 240_000 }, () => {
  const { dir, cleanup } = makeTempDir();
  let server: FaultyOpenAiServer;
  beforeAll(async () => {
    mkdirSync(join(dir, 'faces'));
    if ('images' in facesDev) facesDev.images.slice(0, ITEMS).forEach((image, index) => copyFileSync(image.path, join(dir, 'faces', `face-${index}.jpg`)));
    // Each answer takes 120 ms, so a kill usually lands with requests in flight.
    server = await startFaultyOpenAiServer({ answerDelayMs: 120 });
  });
  afterAll(async () => {
    await server.close();
    cleanup();
  });

  it('after kill -9 at several points, rerunning finishes every item exactly once and re-sends nothing already answered', async () => {
    const database = join(dir, 'killed.db');
    const kills: number[] = [];
    for (const requestsBeforeKill of [2, 7, 12]) {
      const child = startAnnotate(dir, server, database);
      const done = exited(child);
      await waitFor(() => server.requests.length >= requestsBeforeKill, `${requestsBeforeKill} requests`);
      child.kill('SIGKILL');
      kills.push(performance.now());
      expect((await done).signal).toBe('SIGKILL');
    }
    const final = await exited(startAnnotate(dir, server, database));
    expect(final.stderr).toBe('');
    expect(final.code).toBe(0);

    const store = new Database(database, { readonly: true });
    const results = store.prepare('SELECT item_id, COUNT(*) AS n FROM results GROUP BY item_id').all() as Array<{ item_id: string; n: number }>;
    expect(results).toHaveLength(ITEMS);
    expect(results.every((row) => row.n === 1)).toBe(true);
    const runs = store.prepare('SELECT id, status FROM runs').all() as Array<{ status: string }>;
    expect(runs).toEqual([expect.objectContaining({ status: 'done' })]);
    // One paid request per item across all sessions; answers received before a crash came from the cache.
    const sent = store.prepare('SELECT item_id, COUNT(*) AS n FROM requests WHERE from_cache = 0 GROUP BY item_id').all() as Array<{ n: number }>;
    expect(sent).toHaveLength(ITEMS);
    expect(sent.every((row) => row.n === 1)).toBe(true);
    store.close();

    // The server saw a second request for an image only when the first was never answered, was
    // answered after the kill (in flight), or its answer was still on the wire when the process died.
    const byImage = new Map<string, typeof server.requests[number][]>();
    for (const request of server.requests) byImage.set(request.imageKey ?? '', [...(byImage.get(request.imageKey ?? '') ?? []), request]);
    expect(byImage.size).toBe(ITEMS);
    for (const requests of byImage.values()) {
      for (const earlier of requests.slice(0, -1)) {
        // The kill that ended the session this request was sent in; one answered after it never arrived.
        const sessionKill = kills.find((kill) => kill >= earlier.arrivedAt);
        expect(sessionKill !== undefined || earlier.answeredAt === undefined, 'the last session sent an answered request again').toBe(true);
        if (earlier.answeredAt === undefined || sessionKill === undefined || earlier.answeredAt >= sessionKill) continue;
        expect(sessionKill - earlier.answeredAt, 'a re-sent request had been answered this long before the kill').toBeLessThan(ANSWER_IN_TRANSIT_MS);
      }
    }
    // Only requests in flight at a kill (--concurrency 3) may go out twice.
    expect(server.requests.length).toBeLessThanOrEqual(ITEMS + kills.length * 3);
  });

  it('stops cleanly on one Ctrl-C, saving the items in flight, and the same command resumes', async () => {
    const database = join(dir, 'interrupted.db');
    const before = server.requests.length;
    const child = startAnnotate(dir, server, database);
    const done = exited(child);
    await waitFor(() => server.requests.length >= before + 5, 'five requests');
    child.kill('SIGINT');
    const interrupted = await done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/stopping — finishing and saving the items in progress/);
    expect(interrupted.stderr).toMatch(/resume with: emolabel annotate --resume r\d{8}-\d{4}-[0-9a-f]{6}/);
    const store = new Database(database, { readonly: true });
    const afterStop = store.prepare("SELECT status, (SELECT COUNT(*) FROM results) AS saved FROM runs").get() as { status: string; saved: number };
    store.close();
    expect(afterStop.status).toBe('interrupted');
    // Everything the server had been asked was answered and saved: nothing half-written.
    expect(afterStop.saved).toBe(server.requests.length - before);

    const resumed = await exited(startAnnotate(dir, server, database));
    expect(resumed.code).toBe(0);
    // Across both sessions each item was requested exactly once.
    expect(server.requests.length - before).toBe(ITEMS);
  });
});
