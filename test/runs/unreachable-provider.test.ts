import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

/** A base URL where nothing listens: a server that was stopped, a wrong port. */
async function deadBaseUrl(): Promise<string> {
  const server = await startFakeOpenAiServer();
  await server.close();
  return server.url;
}

describe('a provider address where nothing listens', () => {
  const { dir, cleanup } = makeTempDir('emolabel-unreachable-');
  const faces = join(dir, 'faces');
  beforeAll(() => {
    mkdirSync(faces);
    for (const number of [1, 2, 3, 4, 5, 6] as const) copyFileSync(demoFace(number), join(faces, `face-${number}.jpg`));
  });
  afterAll(cleanup);

  it('stops the run after a few refused attempts instead of retrying every item, and leaves the items unfinished', async () => {
    const baseUrl = await deadBaseUrl();
    const store = RunStore.open(join(dir, 'dead.db'));
    try {
      const spec = runSpecOf([faces], { model: 'openai-compatible:some-model', faces: 'none', annotatorSettings: { baseUrl } });
      const outcome = await runAnnotation(spec, { store, env: {}, concurrency: 1, resilience: { retry: { maxAttempts: 6, baseDelayMs: 5 } } });
      expect(outcome.stopped?.reason).toBe('fatal');
      expect(outcome.stopped?.message).toMatch(/Nothing accepts connections at the provider's address.*Details: Could not reach/s);
      // Three attempts of the first item, none of the other five: nothing is saved as failed.
      expect(outcome.requests.sent).toBe(0);
      expect(outcome.results.filter((result) => result.status === 'error')).toEqual([]);
      expect(store.getRun(outcome.run.id)?.status).toBe('stopped');
    } finally {
      store.close();
    }
  });

  it('the CLI says what to check, naming --base-url', async () => {
    const io = captureIo(dir);
    const code = await runCli(['annotate', 'faces', '--faces', 'none', '--model', 'openai-compatible:some-model', '--base-url', await deadBaseUrl(), '--db', 'cli.db', '--out', 'cli.csv', '--quiet'], io);
    expect(code).not.toBe(0);
    expect(io.err()).toMatch(/Nothing accepts connections.*--base-url/);
  });
});
