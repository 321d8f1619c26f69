import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

/** Current models against stand-ins that behave as they do: reasoning budgets, rejected parameters, no price. */
describe('LLM runs that are right on today\'s models', () => {
  const { dir, cleanup } = makeTempDir('emolabel-adaptation-');
  const faces = join(dir, 'faces');
  beforeAll(() => {
    mkdirSync(faces);
    for (const number of [1, 2, 3, 4] as const) copyFileSync(demoFace(number), join(faces, `face-${number}.jpg`));
  });
  afterAll(cleanup);

  it('a model that rejects temperature: every item is labelled, one request rejected, and it stays dropped', async () => {
    const server = await startFakeOpenAiServer({ rejectParameters: ['temperature'] });
    const store = RunStore.open(join(dir, 'dropped.db'));
    try {
      const spec = runSpecOf([faces], { model: 'openai-compatible:strict-model', annotatorSettings: { baseUrl: server.url } });
      const outcome = await runAnnotation(spec, { store, env: {}, concurrency: 1, resilience: { retry: { maxAttempts: 2 } } });
      expect(outcome.results.map((result) => result.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      const bodies = server.requests.map((request) => request.body as Record<string, unknown>);
      expect(bodies.filter((body) => 'temperature' in body)).toHaveLength(1);
      expect(bodies).toHaveLength(5);
      expect(outcome.results[0]?.warnings.join(' ')).toMatch(/rejected `temperature` \(HTTP 400\); sent without it for the rest of the run/);
    } finally {
      store.close();
      await server.close();
    }
  });

  it('a model that spends every output budget thinking: no row comes out ok, and the error says what to raise', async () => {
    const server = await startFakeOpenAiServer();
    server.queue(...Array.from({ length: 8 }, () => 'cut-off' as const));
    try {
      const io = captureIo(dir);
      const code = await runCli(['annotate', 'faces', '--model', 'openai-compatible:thinker', '--base-url', server.url, '--db', 'starved.db', '--out', 'starved.jsonl', '--quiet'], io);
      expect(code).toBe(3);
      expect(server.requests).toHaveLength(8);
      const rows = (await import('node:fs')).readFileSync(join(dir, 'starved.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { status: string; label?: string; error?: string });
      expect(rows.map((row) => row.status)).toEqual(['error', 'error', 'error', 'error']);
      expect(rows.every((row) => row.label === undefined || row.label === null || row.label === '')).toBe(true);
      expect(rows[0]?.error).toMatch(/whole output budget without an answer.*Raise `maxOutputTokens`/);
    } finally {
      await server.close();
    }
  });

  it('reasoning tokens are recorded apart, per request and per result', async () => {
    const server = await startFakeOpenAiServer();
    const store = RunStore.open(join(dir, 'reasoning.db'));
    try {
      server.queue('cut-off');
      const spec = runSpecOf([join(faces, 'face-2.jpg')], { model: 'openai-compatible:thinker', annotatorSettings: { baseUrl: server.url, maxOutputTokens: 300 } });
      const outcome = await runAnnotation(spec, { store, env: {} });
      expect(outcome.results[0]).toMatchObject({ status: 'ok', usage: { reasoningTokens: 300 } });
      expect(outcome.summary.reasoningTokens).toBe(300);
      expect(new ResponseStore(store.database).listRequests(outcome.run.id).map((request) => request.reasoningTokens)).toEqual([300]);
    } finally {
      store.close();
      await server.close();
    }
  });

  it('the same HTTP 400 for request after request stops the run as fatal, with the provider\'s words', async () => {
    // A parameter the annotator cannot leave out (the schema) rejected every time.
    const server = await startFakeOpenAiServer({ rejectParameters: ['response_format'] });
    try {
      const io = captureIo(dir);
      const code = await runCli(['annotate', 'faces', '--model', 'openai-compatible:no-schema', '--base-url', server.url, '--db', 'rejected.db', '--quiet'], io);
      expect(code).toBe(1);
      expect(server.requests.length).toBeLessThanOrEqual(4);
      expect(io.err()).toMatch(/rejected request after request for the same reason \(HTTP 400\).*Unsupported value: 'response_format'/);
    } finally {
      await server.close();
    }
  });

  it('--max-cost with a model that has no price is a usage error before anything is sent', async () => {
    const server = await startFakeOpenAiServer({ apiKey: 'sk-test' });
    // The CLI reads keys from the process environment.
    process.env.EMOLABEL_TEST_OPENAI_KEY = 'sk-test';
    try {
      const io = captureIo(dir);
      const code = await runCli(['annotate', 'faces', '--model', 'openai:my-fine-tune', '--base-url', server.url, '--api-key-env', 'EMOLABEL_TEST_OPENAI_KEY', '--max-cost', '1', '--db', 'unpriced.db', '--quiet'], io);
      expect(code).toBe(2);
      expect(server.requests).toHaveLength(0);
      expect(io.err()).toMatch(/openai:my-fine-tune has no price, so --max-cost cannot hold.*--price-table/);
    } finally {
      delete process.env.EMOLABEL_TEST_OPENAI_KEY;
      await server.close();
    }
  });

  it('a model with no price: its cost is unknown (null, an empty CSV cell), never $0, in results, requests, runs and the summary', async () => {
    const server = await startFakeOpenAiServer();
    try {
      const io = captureIo(dir);
      const code = await runCli(['annotate', 'faces', '--model', 'openai-compatible:my-own-model', '--base-url', server.url, '--db', 'no-price.db', '--out', 'no-price.csv'], io);
      expect(code).toBe(0);
      expect(io.err()).toMatch(/\$0\.0000 \+ 4 results of unknown price .*--price-table/);
      const { readFileSync } = await import('node:fs');
      const [header, ...rows] = readFileSync(join(dir, 'no-price.csv'), 'utf8').trim().split('\n');
      const costColumn = header?.split(',').indexOf('cost_usd') ?? -1;
      expect(costColumn).toBeGreaterThan(-1);
      expect(rows.map((row) => row.split(',')[costColumn])).toEqual(['', '', '', '']);
      const store = RunStore.open(join(dir, 'no-price.db'));
      try {
        const run = store.latestRun();
        expect(run).toMatchObject({ unpriced: 4, costUsd: 0 });
        expect(store.getResults(run?.id ?? '').map((result) => result.costUsd)).toEqual([null, null, null, null]);
        expect(new ResponseStore(store.database).listRequests(run?.id ?? '').map((request) => request.costUsd)).toEqual([null, null, null, null]);
      } finally {
        store.close();
      }
      const listed = captureIo(dir);
      await runCli(['runs', '--db', 'no-price.db'], listed);
      expect(listed.out()).toMatch(/\$0\.0000 \+ 4 unpriced/);
    } finally {
      await server.close();
    }
  });

  it('a model the provider does not list stops the run before any work, naming close matches', async () => {
    const server = await startFakeOpenAiServer({ apiKey: 'sk-test', models: ['gpt-4o-mini', 'gpt-4o', 'gpt-5-mini', 'text-embedding-3-small'] });
    process.env.EMOLABEL_TEST_OPENAI_KEY = 'sk-test';
    try {
      const io = captureIo(dir);
      const code = await runCli(['annotate', 'faces', '--model', 'openai:gpt-4o-mnii', '--base-url', server.url, '--api-key-env', 'EMOLABEL_TEST_OPENAI_KEY', '--db', 'unlisted.db', '--quiet'], io);
      expect(code).toBe(2);
      expect(io.err()).toMatch(/openai:gpt-4o-mnii is not a model the provider lists for this key; close matches: gpt-4o-mini, gpt-4o/);
      expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(0);
      const listed = await runCli(['annotate', join('faces', 'face-1.jpg'), '--model', 'openai:gpt-4o-mini', '--base-url', server.url, '--api-key-env', 'EMOLABEL_TEST_OPENAI_KEY', '--db', 'unlisted.db', '--quiet'], captureIo(dir));
      expect(listed).toBe(0);
    } finally {
      delete process.env.EMOLABEL_TEST_OPENAI_KEY;
      await server.close();
    }
  });

  it('a run started on direct@v1 and resumed keeps direct@v1, though direct now means v2', async () => {
    const server = await startFakeOpenAiServer();
    const store = RunStore.open(join(dir, 'pinned.db'));
    try {
      const spec = runSpecOf([faces], { model: 'openai-compatible:steady', annotatorSettings: { baseUrl: server.url, prompt: 'direct' } });
      // As a run of 0.1 was: its first answers made with direct@v1, then stopped.
      const stop = new AbortController();
      const first = await runAnnotation({ ...spec, annotatorSettings: { ...spec.annotatorSettings, prompt: 'direct@v1' } }, { store, env: {}, concurrency: 1, stopSignal: stop.signal, onResult: () => stop.abort() });
      expect(first.results[0]?.promptVersion).toBe('direct@v1');
      // Resumed by id: its stored spec says direct@v1; resumed through a spec that says only "direct" (as 0.1 stored it):
      store.database.prepare("UPDATE runs SET options = json_set(options, '$.annotatorSettings.prompt', 'direct') WHERE id = ?").run(first.run.id);
      const resumed = await runAnnotation({ resume: first.run.id }, { store, env: {}, concurrency: 1 });
      expect(resumed.run.status).toBe('done');
      expect(new Set(resumed.results.map((result) => result.promptVersion))).toEqual(new Set(['direct@v1']));
    } finally {
      store.close();
      await server.close();
    }
  });

  it('a refusal is not cached: the next run asks again and gets the answer', async () => {
    const server = await startFakeOpenAiServer();
    const store = RunStore.open(join(dir, 'refusal.db'));
    try {
      const spec = runSpecOf([join(faces, 'face-1.jpg')], { model: 'openai-compatible:shy', annotatorSettings: { baseUrl: server.url } });
      server.queue('refusal');
      const refused = await runAnnotation(spec, { store, env: {} });
      expect(refused.results[0]?.status).toBe('refused');
      const again = await runAnnotation(spec, { store, env: {} });
      expect(again.requests).toEqual({ sent: 1, cached: 0 });
      expect(again.results[0]?.status).toBe('ok');
      const logged = new ResponseStore(store.database).listRequests(again.run.id);
      expect(logged.map((request) => request.status)).toEqual(['ok']);
    } finally {
      store.close();
      await server.close();
    }
  });
});
