import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitQuietlyOnClosedPipe } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/main.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { ReviewStore } from '../../src/store/review-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { captureIo } from '../support/capture-io.js';
import { makeTempDir } from '../support/make-clips.js';

const result = (id: string): ClipResult => ({
  id, path: `/media/${id}.jpg`, kind: 'image', faceIndex: 0, label: 'Happy', confidence: 0.9, frameLabels: ['Happy'], framesUsed: 1, faceFound: true,
  model: 'local:face-api', strategy: 'frame', taxonomy: 'basic7', status: 'ok', usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, warnings: [], frames: [], durationMs: 1,
});

describe('emolabel runs show, name and delete', () => {
  const { dir, cleanup } = makeTempDir('emolabel-runs-admin-');
  const db = join(dir, 'store.db');
  const ids = ['r20261201-0900-aaaaaa', 'r20261201-0900-bbbbbb', 'r20261201-1000-cccccc'];
  beforeAll(() => {
    const store = RunStore.open(db);
    for (const [index, id] of ids.entries()) {
      store.createRun({ id, fingerprint: `f${index}`, inputs: [`/data/clips-${index}`, '/data/more'], options: { manifest: index === 2 ? '/data/gold.csv' : undefined, frames: 8 }, model: 'local:face-api', strategy: 'frame', taxonomy: 'basic7', labels: ['Happy'] });
      store.registerItems(id, [{ id: 'a', path: '/media/a.jpg', kind: 'image' }]);
      store.saveItemResults(id, 'a', [result('a')]);
    }
    new ReviewStore(store.database).saveDecision(ids[0] as string, { itemId: 'a', faceIndex: 0, label: 'Sad', reviewer: 'ana' });
    store.close();
  });
  afterAll(cleanup);
  const run = async (args: string[]) => {
    const io = captureIo(dir);
    const code = await runCli([...args, '--db', db], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('lists runs with their inputs, and shows one run\'s inputs, manifest and options', async () => {
    const listed = await run(['runs']);
    expect(listed.out).toMatch(/inputs\n/);
    expect(listed.out).toContain('/data/clips-0 +1');
    expect(listed.out).toContain('manifest /data/gold.csv +2');
    const shown = await run(['runs', 'show', 'r20261201-1000']);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/inputs\s+\/data\/clips-2\n\s+\/data\/more\n/);
    expect(shown.out).toMatch(/manifest\s+\/data\/gold\.csv/);
    expect(shown.out).toMatch(/items\s+1\/1 done, 0 failed/);
  });

  it('lists the runs an ambiguous prefix matches', async () => {
    const { code, err } = await run(['runs', 'show', 'r20261201-0900']);
    expect(code).toBe(2);
    expect(err).toContain('Run "r20261201-0900" matches 2 runs; give more of the id (or the run\'s name):');
    expect(err).toMatch(/r20261201-0900-aaaaaa \d{4}-\d\d-\d\d \d\d:\d\d local:face-api/);
    expect(err).toContain('r20261201-0900-bbbbbb');
  });

  it('names a run, finds it by name in other commands, refuses a taken or id-like name, and clears it', async () => {
    expect((await run(['runs', 'name', 'r20261201-0900-a', 'baseline'])).err).toBe('run r20261201-0900-aaaaaa is now named baseline\n');
    expect((await run(['runs', 'show', 'baseline'])).out).toMatch(/name\s+baseline/);
    const exported = await run(['export', 'baseline', '--format', 'jsonl']);
    expect(exported.code, exported.err).toBe(0);
    expect(exported.out.trim().split('\n')).toHaveLength(1);
    expect((await run(['runs'])).out).toMatch(/r20261201-0900-aaaaaa\s+baseline/);
    expect((await run(['runs', 'name', 'r20261201-0900-b', 'baseline'])).err).toMatch(/"baseline" already names run r20261201-0900-aaaaaa/);
    expect((await run(['runs', 'name', 'r20261201-0900-b', 'r2026'])).err).toMatch(/not starting like a run id/);
    expect((await run(['runs', 'name', 'baseline', '--clear'])).err).toBe('run r20261201-0900-aaaaaa has no name now\n');
  });

  it('deletes a run with its items, results and reviews; a prefix needs --yes', async () => {
    const refused = await run(['runs', 'delete', 'r20261201-0900-a']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/Nothing deleted: this run was given by a prefix:\n\s+r20261201-0900-a → r20261201-0900-aaaaaa, local:face-api, 1\/1 item/);
    const deleted = await run(['runs', 'delete', 'r20261201-0900-aaaaaa']);
    expect(deleted.err).toBe('deleted run r20261201-0900-aaaaaa: 1 item, 1 result, 0 requests, 1 review\n');
    expect((await run(['runs', 'show', 'r20261201-0900-aaaaaa'])).err).toMatch(/is not in the run store/);
    expect((await run(['runs', 'delete', 'r20261201-0900-b', '--yes'])).code).toBe(0);
    expect((await run(['runs', '--json'])).out).not.toContain('bbbbbb');
  });
});

describe('a closed stdout (emolabel export | head -1)', () => {
  it('ends the process quietly on EPIPE and throws other stream errors', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnClosedPipe(stream as never, (code) => exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow('disk full');
  });
});
