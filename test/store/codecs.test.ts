import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmolabelError } from '../../src/errors.js';
import { CODEC_VERSION } from '../../src/store/blob-codec.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';

const { dir, cleanup } = makeTempDir('emolabel-codecs-');
const file = join(dir, 'runs.db');
const store = RunStore.open(file);
afterAll(() => {
  store.close();
  cleanup();
});

/** A result as the frame strategy writes it, with a frame the model could not label. */
const result: ClipResult = {
  id: 'clip-1', path: '/data/clip-1.mp4', kind: 'video', faceIndex: 0, label: 'Happy', confidence: 0.8,
  distribution: { Happy: 0.8, Sad: 0.2 }, frameLabels: ['Happy', undefined, 'Happy'], framesUsed: 2, faceFound: true,
  model: 'openai:gpt-5-mini', strategy: 'frame', taxonomy: 'basic7', status: 'ok', usage: { inputTokens: 300, outputTokens: 30 },
  costUsd: 0.0004, warnings: [], durationMs: 950,
  frames: [{ index: 0, sourceIndex: 0, timeSec: 0, width: 640, height: 480, box: { x: 10, y: 20, width: 100, height: 120, score: 0.9 } }],
};

function makeRun(): string {
  const run = store.createRun({ fingerprint: `f-${Math.random()}`, inputs: ['/data'], options: { model: 'openai:gpt-5-mini', strategy: 'frame', taxonomy: 'basic7', faceMargin: 0.3 }, model: 'openai:gpt-5-mini', strategy: 'frame', taxonomy: 'basic7', labels: ['Happy', 'Sad'] });
  store.registerItems(run.id, [{ id: 'clip-1', path: '/data/clip-1.mp4', kind: 'video' }]);
  store.saveItemResults(run.id, 'clip-1', [result]);
  return run.id;
}

function thrown(read: () => unknown): EmolabelError {
  try {
    read();
  } catch (error) {
    if (error instanceof EmolabelError) return error;
    throw error;
  }
  throw new Error('expected the read to throw');
}

const DAMAGED = 'emolabel writes this column itself, so the row was changed outside emolabel or the file is damaged: restore the file from a backup, or start a new store with --db.';

describe('blob codecs', () => {
  it('read back what was written, a frame without a label as undefined (JSON keeps it as null)', () => {
    const runId = makeRun();
    expect(store.getRun(runId)).toMatchObject({ inputs: ['/data'], labels: ['Happy', 'Sad'], options: { faceMargin: 0.3 } });
    const [read] = store.getResults(runId);
    expect(read).toEqual(result);
    expect(read?.frameLabels).toEqual(['Happy', undefined, 'Happy']);
    expect(store.getResult(runId, 'clip-1', 0)).toEqual(result);
  });

  it('write codec 2 and read an abstained result back with its reason; rows of codec 1 still read', () => {
    const runId = makeRun();
    const abstained: ClipResult = { ...result, id: 'clip-1', status: 'abstained', abstain: 'too_blurred', label: undefined, confidence: undefined, distribution: undefined, frameLabels: [undefined, undefined, undefined] };
    store.saveItemResults(runId, 'clip-1', [abstained]);
    expect(store.database.prepare('SELECT codec FROM results WHERE run_id = ?').get(runId)).toEqual({ codec: 3 });
    expect(store.getResults(runId)[0]).toMatchObject({ status: 'abstained', abstain: 'too_blurred' });
    store.database.prepare('UPDATE results SET result = ?, codec = 1 WHERE run_id = ?').run(JSON.stringify(result), runId);
    expect(store.getResults(runId)[0]).toEqual(result);
    // Version 1 never wrote an abstention: one in a codec-1 row was not written by emolabel.
    store.database.prepare('UPDATE results SET result = ?, codec = 1 WHERE run_id = ?').run(JSON.stringify(abstained), runId);
    expect(thrown(() => store.getResults(runId)).message).toMatch(/at status: Invalid option: expected one of "ok"\|"no_face"\|"refused"\|"error"\. emolabel writes/);
  });

  it('cache an abstention like any answer, with its reason', () => {
    const responses = new ResponseStore(store.database);
    const request = { model: 'openai:gpt-5-mini', images: [{ sha256: 'cd', width: 1, height: 1 }], taxonomy: 'basic7', parameters: {} };
    responses.record({ runId: 'r-abstain', cacheKey: 'k-abstain', request, annotation: { status: 'abstained', abstain: 'occluded', rationale: 'A hand covers the mouth.' }, fromCache: false, startedAt: 'now', durationMs: 1 });
    expect(responses.cached('k-abstain')).toEqual({ status: 'abstained', abstain: 'occluded', rationale: 'A hand covers the mouth.' });
  });

  it('keep fields they do not know (a later release may add some)', () => {
    const runId = makeRun();
    store.database.prepare("UPDATE results SET result = json_set(result, '$.gazeDirection', 'left') WHERE run_id = ?").run(runId);
    expect(store.getResults(runId)[0]).toEqual({ ...result, gazeDirection: 'left' });
  });

  it('refuse a run whose options have the wrong shape, naming the file, table, column and row, without a zod dump', () => {
    const runId = makeRun();
    store.database.prepare(`UPDATE runs SET options = '{"faceMargin":"wide"}' WHERE id = ?`).run(runId);
    const error = thrown(() => store.getRun(runId));
    expect(error.message).toBe(
      `Cannot read the options of the run from ${file} (table runs, column options, run ${runId}): at faceMargin: Invalid input: expected number, received string. ${DAMAGED}`,
    );
    expect(error.path).toBe(file);
  });

  it('refuse a result that is not JSON, and one a newer codec wrote', () => {
    const runId = makeRun();
    store.database.prepare("UPDATE results SET result = 'oops, not json' WHERE run_id = ?").run(runId);
    expect(thrown(() => store.getResults(runId)).message).toMatch(
      new RegExp(`^Cannot read the result from .+ \\(table results, column result, run ${runId}, item clip-1, face 0\\): expected JSON, got "oops, not json" \\(.+\\)\\. emolabel writes this column itself`),
    );
    store.database.prepare('UPDATE results SET result = ?, codec = 9 WHERE run_id = ?').run(JSON.stringify(result), runId);
    expect(thrown(() => store.getResult(runId, 'clip-1', 0)).message).toBe(
      `Cannot read the result from ${file} (table results, column result, run ${runId}, item clip-1, face 0): it was written in codec version 9 by a newer emolabel; this one reads up to ${CODEC_VERSION}. ` +
        'Upgrade emolabel (npm install emolabel@latest) to read it.',
    );
  });

  it('refuse a cached annotation and a logged request of the wrong shape, naming the cache key and the request', () => {
    const responses = new ResponseStore(store.database);
    const request = { model: 'openai:gpt-5-mini', images: [{ sha256: 'ab', width: 1, height: 1 }], taxonomy: 'basic7', parameters: {} };
    responses.record({ runId: 'r-cache', cacheKey: 'k1', request, annotation: { status: 'ok', label: 'Happy' }, fromCache: false, startedAt: 'now', durationMs: 1 });
    store.database.prepare(`UPDATE response_cache SET annotation = '{"status":"maybe"}' WHERE cache_key = 'k1'`).run();
    const cacheError = thrown(() => responses.cached('k1'));
    expect(cacheError.message).toMatch(/^Cannot read the cached annotation from .+ \(table response_cache, column annotation, cache key k1\): at status: Invalid option: expected one of "ok"\|"abstained"\|"refused"\|"error"\. emolabel writes/);
    store.database.prepare(`UPDATE requests SET request = '{"model":"x"}' WHERE run_id = 'r-cache'`).run();
    expect(thrown(() => responses.listRequests('r-cache')).message).toMatch(
      /^Cannot read the request summary from .+ \(table requests, column request, request \d+ of run r-cache\): at images: Invalid input: expected array, received undefined\. emolabel writes/,
    );
  });
});
