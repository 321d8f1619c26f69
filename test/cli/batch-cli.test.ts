import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

describe('emolabel annotate --batch (in process)', { timeout: 120_000 }, () => {
  const { dir, cleanup } = makeTempDir();
  beforeAll(() => {
    mkdirSync(join(dir, 'faces'));
    ([1, 2, 3] as const).forEach((number) => copyFileSync(demoFace(number), join(dir, 'faces', `face-${number}.jpg`)));
  });
  afterAll(cleanup);

  it('--dry-run --batch prints the online and the batch price, half of it', async () => {
    const io = captureIo(dir);
    const code = await runCli(['annotate', 'faces', '--model', 'openai:gpt-4o-mini', '--strategy', 'multi', '--dry-run', '--batch'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const online = /total \(3 of 3 items\).*\$(\d+\.\d+)/.exec(io.out())?.[1];
    const batch = /Through the openai batch API \(--batch, answers within 24 h\): \$(\d+\.\d+) in total instead of \$(\d+\.\d+) online.*\(50% of the online price\)/.exec(io.out());
    expect(batch?.[2]).toBe(online);
    expect(Number(batch?.[1])).toBeCloseTo(Number(online) / 2, 5);
  });

  it('--batch for a model without a batch API is a usage error before anything runs', async () => {
    const io = captureIo(dir, { OPENAI_COMPATIBLE_API_KEY: 'x' });
    const code = await runCli(['annotate', 'faces', '--model', 'openai-compatible:llava', '--base-url', 'http://127.0.0.1:9/v1', '--batch', '--db', 'runs.db'], io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/openai-compatible:llava has no batch API .*run without --batch/);
  });

  it('--no-wait submits and exits 0 saying how to collect; batches lists it; cancel cancels it at the provider', async () => {
    const server = await startFakeOpenAiServer({ apiKey: 'sk-cli', batch: { pollsUntilDone: Number.MAX_SAFE_INTEGER } });
    try {
      const env = { OPENAI_API_KEY: 'sk-cli' };
      // The annotate command reads keys from the process environment.
      process.env.OPENAI_API_KEY = 'sk-cli';
      const io = captureIo(dir, env);
      const code = await runCli(['annotate', 'faces', '--model', 'openai:gpt-4o-mini', '--base-url', server.url, '--strategy', 'multi', '--batch', '--no-wait', '--db', 'nowait.db', '--quiet'], io);
      expect(io.err()).toMatch(/3 items wait for 1 provider batches; run the same command again \(or `--resume r[\d-]+[0-9a-f]+`\) to collect them/);
      expect(io.err()).toMatch(/see them with: emolabel batches --db nowait\.db/);
      const list = captureIo(dir, env);
      expect(await runCli(['batches', '--db', 'nowait.db'], list)).toBe(0);
      expect([code, list.err()]).toEqual([0, '']);
      expect(list.out()).toMatch(/batch_fake1 .*openai:gpt-4o-mini\s+submitted \(validating\)\s+0\/3/);
      const cancel = captureIo(dir, env);
      const cancelled = await runCli(['batches', 'cancel', 'batch_fake1', '--db', 'nowait.db'], cancel);
      expect([cancelled, cancel.err()]).toEqual([0, '']);
      expect(cancel.out()).toMatch(/batch_fake1\): cancelled/);
      expect(server.batches.batches[0]?.status).toBe('cancelled');
    } finally {
      delete process.env.OPENAI_API_KEY;
      await server.close();
    }
  });
});
