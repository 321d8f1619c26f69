import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { demoFace } from '../support/demo-faces.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

describe('the response cache keeps the provider reply and parses it on read', () => {
  const { dir, cleanup } = makeTempDir('emolabel-cached-reply-');
  let server: FakeServer & { url: string };
  let store: RunStore;
  beforeAll(async () => {
    server = await startFakeOpenAiServer();
    mkdirSync(join(dir, 'faces'));
    for (const number of [1, 2] as const) copyFileSync(demoFace(number), join(dir, 'faces', `face-${number}.jpg`));
    store = RunStore.open(join(dir, 'runs.db'));
  });
  afterAll(async () => {
    store.close();
    await server.close();
    cleanup();
  });

  const label = async () => {
    const annotator = createAnnotator('openai:gpt-4o-mini', { baseUrl: server.url, env: { OPENAI_API_KEY: 'sk-cache-test' } });
    const outcome = await runAnnotation(runSpecOf([join(dir, 'faces')], { model: 'openai:gpt-4o-mini', faces: 'none', annotatorSettings: { baseUrl: server.url } }), { store, annotator, concurrency: 1 });
    return { requests: outcome.requests, labels: outcome.results.map((result) => `${result.id}:${result.status}:${result.label}`) };
  };

  it('answers from the stored reply, read by today\'s parser, not from the annotation an older parser made', async () => {
    const first = await label();
    expect(first.requests).toEqual({ sent: 2, cached: 0 });
    const stored = store.database.prepare('SELECT response FROM response_cache').all() as Array<{ response: string | null }>;
    expect(stored).toHaveLength(2);
    for (const { response } of stored) expect(JSON.parse(response ?? 'null')).toMatchObject({ usage: { inputTokens: expect.any(Number) }, finishReason: 'stop' });

    // As if an older parser had read the replies wrongly: the stored annotations say Disgust.
    store.database.prepare("UPDATE response_cache SET annotation = json_set(annotation, '$.label', 'Disgust')").run();
    const again = await label();
    expect(again.requests).toEqual({ sent: 0, cached: 2 });
    expect(again.labels).toEqual(first.labels);
  });

  it('a stored reply that no longer reads is a miss: the request is sent again', async () => {
    store.database.prepare("UPDATE response_cache SET response = json_set(response, '$.text', 'not the schema')").run();
    const resent = await label();
    expect(resent.requests).toEqual({ sent: 2, cached: 0 });
  });
});
