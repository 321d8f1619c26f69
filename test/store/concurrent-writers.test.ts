import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ReviewStore } from '../../src/store/review-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';

const { dir, cleanup } = makeTempDir('emolabel-writers-');
afterAll(cleanup);

/** Another process's write transaction (a run saving a result): holds the write lock `holdMs`, then commits. */
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const database = new Database(workerData.file);
database.pragma('busy_timeout = 5000');
database.exec('BEGIN IMMEDIATE');
database.prepare("UPDATE runs SET updated_at = 'now' WHERE id = ?").run(workerData.runId);
parentPort.postMessage('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
database.exec('COMMIT');
database.close();
parentPort.postMessage('committed');
`;

describe('writers sharing a store wait for each other instead of failing with "database is locked"', () => {
  it('a review decision made while a run holds the write lock waits and is saved', async () => {
    const file = join(dir, 'shared.db');
    const store = RunStore.open(file);
    const run = store.createRun({ fingerprint: 'f', inputs: [], options: {}, model: 'mock:m', strategy: 'frame', taxonomy: 'basic7', labels: ['Happy', 'Sad'] });
    const reviews = new ReviewStore(store.database);
    // The review server has read the store before the run's write began.
    reviews.getReviews(run.id);
    const worker = new Worker(HOLDER, { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file, runId: run.id, holdMs: 300 } });
    const committed = new Promise((resolve) => worker.on('message', (message) => message === 'committed' && resolve(message)));
    await new Promise((resolve) => worker.once('message', resolve));
    expect(() => reviews.saveDecision(run.id, { itemId: 'a', faceIndex: 0, label: 'Happy', reviewer: 'me' })).not.toThrow();
    await committed;
    expect(reviews.getReviews(run.id).size).toBe(1);
    await worker.terminate();
    store.close();
  });
});
