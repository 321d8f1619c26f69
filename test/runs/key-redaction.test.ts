import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { startFakeHttpServer } from '../../src/testing/fake-http-server.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';

const KEY = 'sk-test-echoed-4f8a2b9c1d7e';

describe('a key the server echoes in a normal answer is never stored', () => {
  const { dir, cleanup } = makeTempDir('emolabel-redact-');
  let server: Awaited<ReturnType<typeof startFakeHttpServer>>;
  beforeAll(async () => {
    mkdirSync(join(dir, 'faces'));
    copyFileSync(demoFace(1), join(dir, 'faces', 'face-1.jpg'));
    server = await startFakeHttpServer((request) => {
      const auth = request.headers.authorization ?? '';
      const echoed = `your key is ${auth} (${Buffer.from(KEY).toString('base64')})`;
      return {
        status: 200,
        body: {
          id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'any',
          choices: [{ index: 0, message: { role: 'assistant', content: JSON.stringify({ label: 'Happy', confidence: 0.9, rationale: echoed }), refusal: null }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
          note: echoed,
        },
      };
    });
  });
  afterAll(async () => {
    await server.close();
    cleanup();
  });

  it('redacts it (and its base64) from the rationale, raw text and stored reply', async () => {
    const file = join(dir, 'runs.db');
    const store = RunStore.open(file);
    const outcome = await runAnnotation(runSpecOf([join(dir, 'faces')], { model: 'openai-compatible:any', faces: 'none', annotatorSettings: { baseUrl: `${server.origin}/v1`, apiKeyEnv: 'ECHO_KEY' } }),
      { store, env: { ECHO_KEY: KEY }, concurrency: 1 });
    expect(outcome.results[0], JSON.stringify(outcome.results[0])).toMatchObject({ label: 'Happy' });
    expect(JSON.stringify(outcome.results)).not.toContain(KEY);
    store.close();
    const bytes = readFileSync(file).toString('latin1');
    expect(bytes).toContain('your key is');
    expect(bytes).not.toContain(KEY);
    expect(bytes).not.toContain(Buffer.from(KEY).toString('base64'));
  });
});

describe('a base URL with credentials in it', () => {
  it('is a usage error naming the setting, and the error does not repeat the password', async () => {
    const { createAnnotator } = await import('../../src/annotators/annotator-registry.js');
    let caught: unknown;
    try {
      createAnnotator('openai-compatible:any', { baseUrl: 'https://user:hunter2secret@llm.example.com/v1' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'invalid_option' });
    expect((caught as Error).message).toMatch(/`baseUrl` must not carry a user name or password/);
    expect((caught as Error).message).not.toContain('hunter2secret');
  });
});
