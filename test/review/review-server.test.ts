import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { type ReviewServer, startReviewServer } from '../../src/review/start-review-server.js';
import { RunStore } from '../../src/store/run-store.js';
import { captureIo } from '../support/capture-io.js';
import { makeTempDir } from '../support/make-clips.js';
import { makeReviewInputs, makeReviewRun } from './support/review-run.js';

/** A GET with a chosen Host header (fetch does not let a caller set one). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolveStatus, rejectStatus) => {
    const target = new URL(url);
    const outgoing = request({ hostname: target.hostname, port: target.port, path: '/api/run', headers: { host } }, (incoming) => {
      incoming.resume();
      resolveStatus(incoming.statusCode ?? 0);
    });
    outgoing.on('error', rejectStatus);
    outgoing.end();
  });
}

describe('review server on a socket', () => {
  const { dir, cleanup } = makeTempDir('emolabel-review-server-');
  const db = join(dir, 'emolabel.db');
  let runId: string;
  let store: RunStore;
  let server: ReviewServer;

  beforeAll(async () => {
    ({ runId } = await makeReviewRun(db, await makeReviewInputs(dir, 2)));
    store = RunStore.open(db);
    server = await startReviewServer({ store, runId, reviewer: 'ana', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    store?.close();
    cleanup();
  });

  it('binds to 127.0.0.1 and answers only to loopback Host names', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const response = await fetch(`${server.url}api/run`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: runId, reviewer: 'ana', labels: ['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise'] });
    expect(await getWithHost(server.url, `localhost:${server.port}`)).toBe(200);
    // DNS rebinding: a name that resolves to 127.0.0.1 but is not ours.
    expect(await getWithHost(server.url, `attacker.example:${server.port}`)).toBe(403);
  });

  it('keeps the Host check on any loopback address it is bound to (127.0.0.2)', async () => {
    const other = await startReviewServer({ store, runId, reviewer: 'ana', host: '127.0.0.2', port: 0 });
    try {
      expect(other.url).toBe(`http://127.0.0.2:${other.port}/`);
      expect(await getWithHost(other.url, `127.0.0.2:${other.port}`)).toBe(200);
      expect(await getWithHost(other.url, `localhost:${other.port}`)).toBe(200);
      expect(await getWithHost(other.url, `attacker.example:${other.port}`)).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('says so clearly when the port is taken', async () => {
    await expect(startReviewServer({ store, runId, reviewer: 'ana', port: server.port })).rejects.toThrow(`port ${server.port} is in use; pick another with --port`);
  });

  it('fails with the runs there are when the run is unknown, before serving anything', async () => {
    const io = captureIo(dir);
    expect(await runCli(['review', 'r1999', '--db', db, '--port', '0'], io)).toBe(2);
    expect(io.err()).toContain(`Run "r1999" is not in the run store; newest runs: ${runId} (`);
    const empty = captureIo(dir);
    expect(await runCli(['review', '--db', join(dir, 'empty.db'), '--port', '0'], empty)).toBe(2);
    expect(empty.err()).toMatch(/holds no runs yet/);
    expect(await runCli(['review', '--db', db, '--port', 'many'], captureIo(dir))).toBe(2);
  });
});
