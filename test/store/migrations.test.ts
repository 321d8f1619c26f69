import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmolabelError } from '../../src/errors.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { parseRunSpec, runFingerprint, runSpecOf } from '../../src/runs/run-spec.js';
import { migrateDatabase } from '../../src/store/migrate-database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/migrations.js';
import { openDatabase } from '../../src/store/open-database.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { ReviewStore } from '../../src/store/review-store.js';
import { type RunRecord, RunStore } from '../../src/store/run-store.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';

const { dir, cleanup } = makeTempDir('emolabel-migrations-');
afterAll(cleanup);

/** The store's schema as SQLite keeps it: every table and index with its SQL. */
function schemaOf(database: Database.Database): Array<{ name: string; sql: string }> {
  return database.prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").all() as Array<{ name: string; sql: string }>;
}

function versionOf(file: string): number {
  const database = new Database(file, { readonly: true });
  try {
    return database.pragma('user_version', { simple: true }) as number;
  } finally {
    database.close();
  }
}

describe('numbered migrations', () => {
  it('are numbered 1, 2, … in order, and the latest is the last one', () => {
    const versions = MIGRATIONS.map((migration) => migration.version);
    expect(versions.slice(0, 3)).toEqual([1, 2, 3]);
    expect(versions.every((version, index) => index === 0 || version > (versions[index - 1] ?? 0))).toBe(true);
    expect(LATEST_SCHEMA_VERSION).toBe(versions.at(-1));
  });

  it('give a fresh store the latest version and every table', () => {
    const file = join(dir, 'fresh.db');
    const store = RunStore.open(file);
    const tables = schemaOf(store.database).map((entry) => entry.name);
    store.close();
    expect(versionOf(file)).toBe(LATEST_SCHEMA_VERSION);
    expect(tables).toEqual(expect.arrayContaining(['runs', 'items', 'results', 'requests', 'response_cache', 'reviews', 'review_history']));
  });

  it('leave a store already at the latest version as it is when run again', () => {
    const database = openDatabase(join(dir, 'twice.db'));
    try {
      const before = schemaOf(database);
      expect(migrateDatabase(database)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
      expect(schemaOf(database)).toEqual(before);
      expect(database.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      database.close();
    }
  });

  it('refuse a store of a newer version, naming the file and its version and saying to upgrade emolabel', () => {
    const file = join(dir, 'newer.db');
    RunStore.open(file).close();
    const newer = new Database(file);
    newer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    newer.close();
    let error: unknown;
    try {
      RunStore.open(file).close();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(EmolabelError);
    expect((error as EmolabelError).path).toBe(file);
    expect((error as EmolabelError).message).toBe(
      `${file} is a run store of schema version ${LATEST_SCHEMA_VERSION + 1}, written by a newer emolabel; this emolabel reads schema versions up to ${LATEST_SCHEMA_VERSION}. ` +
        'Upgrade emolabel (npm install emolabel@latest) to open it, or choose another store with --db.',
    );
    // Refused, not touched.
    expect(versionOf(file)).toBe(LATEST_SCHEMA_VERSION + 1);
  });

  it('leave the store as it was when a step fails: no table of an earlier step, no new version', () => {
    const file = join(dir, 'failing.db');
    const database = new Database(file);
    try {
      const failing = { version: 2, description: 'a broken step', up: (target: Database.Database) => target.exec('CREATE TABLE half_done (a); ALTER TABLE missing ADD COLUMN b') };
      expect(() => migrateDatabase(database, [MIGRATIONS[0]!, failing])).toThrow(
        new RegExp(`^Cannot upgrade the run store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from schema version 0 to 2: step 2 \\(a broken step\\) failed: no such table: missing\\. The store was left as it was`),
      );
      expect(database.pragma('user_version', { simple: true })).toBe(0);
      expect(schemaOf(database)).toEqual([]);
    } finally {
      database.close();
    }
  });
});

/** Every row of the tables emolabel 0.1 had, as stored (columns later versions added left out): what an upgrade must keep. */
function rowsOf(database: Database.Database): Record<string, unknown[]> {
  const tables = ['runs', 'items', 'results', 'requests', 'response_cache', 'reviews', 'review_history'];
  return Object.fromEntries(tables.map((table) => {
    const columns = (database.prepare(`SELECT name FROM pragma_table_info('${table}') WHERE name NOT IN ('codec', 'response', 'reasoning_tokens', 'cost_known', 'name', 'decision', 'note', 'emolabel_version')`).all() as Array<{ name: string }>)
      .map((column) => column.name);
    // `response` of requests is an emolabel 0.1 column; only response_cache gained one.
    const kept = table === 'requests' ? [...columns, 'response'] : columns;
    return [table, database.prepare(`SELECT ${kept.join(', ')} FROM ${table} ORDER BY rowid`).all()];
  }));
}

/** Runs the test body from `folder`: the fixture's runs name their inputs relative to the working directory. */
async function inFolder<T>(folder: string, body: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(folder);
  try {
    return await body();
  } finally {
    process.chdir(before);
  }
}

describe('a store written by emolabel 0.1 (schema 1, test/fixtures/store-v1)', () => {
  const fixture = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/store-v1/emolabel-v1.db');
  const work = join(dir, 'v1');
  const file = join(work, 'emolabel.db');
  let before: Record<string, unknown[]>;
  let store: RunStore;
  let localRun: RunRecord;
  let llmRun: RunRecord;
  beforeAll(() => {
    // The photos the runs were made from, where their relative inputs point.
    for (const [folder, numbers] of [['faces', [1, 2, 3]], ['more', [4, 5]]] as const) {
      mkdirSync(join(work, folder), { recursive: true });
      for (const number of numbers) copyFileSync(demoFace(number), join(work, folder, `sample${number}.jpg`));
    }
    copyFileSync(fixture, file);
    const original = new Database(file, { readonly: true });
    before = rowsOf(original);
    original.close();
    store = RunStore.open(file);
    const runs = store.listRuns();
    localRun = runs.find((run) => run.model === 'local:face-api')!;
    llmRun = runs.find((run) => run.model === 'openai-compatible:any')!;
  });
  afterAll(() => store.close());

  it('is at version 1 as stored, and opening it upgrades it in place to the latest, keeping every row', () => {
    const original = new Database(fixture, { readonly: true });
    expect(original.pragma('user_version', { simple: true })).toBe(1);
    original.close();
    expect(store.database.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(rowsOf(store.database)).toEqual(before);
    expect(before.runs).toHaveLength(2);
    expect(before.results).toHaveLength(3);
    expect(before.requests).toHaveLength(2);
    expect(before.response_cache).toHaveLength(2);
    expect(before.reviews).toHaveLength(1);
  });

  it('leaves the emolabel version of runs made before it was recorded unknown', () => {
    expect(localRun.emolabelVersion).toBeUndefined();
    expect(llmRun.emolabelVersion).toBeUndefined();
  });

  it('reads every blob of version 1 through the codecs', () => {
    expect(localRun).toMatchObject({ status: 'interrupted', done: 1, total: 3, inputs: ['faces'], options: { model: 'local', strategy: 'frame', taxonomy: 'basic7' } });
    expect(localRun.labels).toEqual(['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise']);
    expect(llmRun).toMatchObject({ status: 'done', done: 2, total: 2, inputs: ['more'] });
    const storedResults = (before.results as Array<{ result: string }>).map((row) => JSON.parse(row.result) as ClipResult);
    expect([...store.getResults(localRun.id), ...store.getResults(llmRun.id)]).toEqual(storedResults);
    const responses = new ResponseStore(store.database);
    const requests = responses.listRequests(llmRun.id);
    expect(requests.map((request) => [request.itemId, request.fromCache, request.status, request.request.images.length, request.reasoningTokens]))
      .toEqual([['sample4', false, 'ok', 1, 0], ['sample5', false, 'ok', 1, 0]]);
    for (const request of requests) {
      // emolabel 0.1 kept no raw reply: the cached entry is the annotation alone.
      expect(responses.cachedEntry(request.cacheKey)).toEqual({ annotation: expect.objectContaining({ status: 'ok', label: 'Happy', promptVersion: 'direct@v1' }) });
    }
  });

  it('resumes the interrupted run: every item ends labelled, the earlier result and its review kept', async () => {
    const [earlier] = store.getResults(localRun.id);
    // Its stored options are a valid run spec with the fingerprint 0.1 gave it: the same command finds the run again.
    expect(runFingerprint(parseRunSpec({ ...localRun.options, inputs: localRun.inputs }, 'the 0.1 run'))).toBe(localRun.fingerprint);
    const outcome = await inFolder(work, () => runAnnotation({ resume: localRun.id }, { store }));
    expect(outcome.resumed).toBe(true);
    expect(outcome.run).toMatchObject({ id: localRun.id, status: 'done', done: 3, total: 3 });
    expect(outcome.results.map((result) => result.id)).toEqual(['sample1', 'sample2', 'sample3']);
    for (const result of outcome.results) expect(result).toMatchObject({ status: 'ok', label: expect.any(String), model: 'local:face-api' });
    // Kept as stored, not labelled again (a new labelling would have another duration).
    expect(outcome.results[0]).toEqual(earlier);
    expect(new ReviewStore(store.database).getReviews(localRun.id).get('sample1#0')).toMatchObject({ label: 'Surprise', reviewer: 'fixture' });
  });

  it('keeps the answers emolabel 0.1 cached, but answers no new request with them: the cache key now covers the prompt\'s content and the parser', async () => {
    // The base URL of the server that answered then: nothing listens there now, so every cache miss fails.
    const settings = llmRun.options.annotatorSettings as { baseUrl: string };
    // emolabel 0.1 asked with direct@v1, its default then; a bare `direct` is v2 now, a new request.
    const again = await inFolder(work, () => runAnnotation(runSpecOf(['more'], { model: 'openai-compatible:any', annotatorSettings: { baseUrl: settings.baseUrl, prompt: 'direct@v1' } }), { store, concurrency: 1 }));
    expect(again.run.id).not.toBe(llmRun.id);
    expect(again.requests.cached).toBe(0);
    expect(again.results.map((result) => [result.id, result.status])).toEqual([['sample4', 'error'], ['sample5', 'error']]);
    // The 0.1 run itself keeps its results and its cached answers.
    expect(store.getResults(llmRun.id).map((result) => result.label)).toEqual(['Happy', 'Happy']);
  });

  it('is left as it is when opened again', () => {
    const schema = schemaOf(store.database);
    const reopened = RunStore.open(file);
    try {
      expect(migrateDatabase(reopened.database)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
      expect(schemaOf(reopened.database)).toEqual(schema);
    } finally {
      reopened.close();
    }
  });
});
