import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    const io = captureIo(dir);
    const code = await runCli(['annotate', 'faces', '--model', 'local', '--batch', '--db', 'runs.db'], io);
    expect(code).toBe(2);
    expect(io.err()).toMatch(/^emolabel: local:face-api has no batch API .*run without --batch/);
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

  it('an OpenAI-compatible server: --batch keeps the requests, export --batch-jsonl writes them, import-batch reads vllm run-batch output, and the run finishes', async () => {
    const server = await startFakeOpenAiServer();
    try {
      const annotate = ['annotate', 'faces', '--model', 'openai-compatible:qwen2.5-vl', '--base-url', server.url, '--strategy', 'multi', '--batch', '--db', 'offline.db', '--quiet'];
      const first = captureIo(dir);
      expect(await runCli(annotate, first)).toBe(0);
      expect(first.err()).toMatch(/3 items wait for 3 requests to be run offline: `emolabel export (r[\d-]+[0-9a-f]+) --batch-jsonl --out requests\.jsonl`/);
      const runId = /emolabel export (r[\d-]+[0-9a-f]+)/.exec(first.err())?.[1] ?? '';
      expect(server.requests).toHaveLength(0);

      const exported = captureIo(dir);
      expect(await runCli(['export', runId, '--batch-jsonl', '--out', 'requests.jsonl', '--db', 'offline.db'], exported)).toBe(0);
      expect(exported.err()).toMatch(/exported 3 requests/);
      const lines = readFileSync(join(dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; method: string; url: string; body: Record<string, unknown> });
      expect(lines.map((line) => [line.method, line.url, typeof line.body.max_tokens])).toEqual(Array(3).fill(['POST', '/v1/chat/completions', 'number']));

      // What `vllm run-batch -i requests.jsonl -o results.jsonl` does: each body to its server, one output line each, in its own order.
      const output: string[] = [];
      for (const line of [...lines].reverse()) {
        const response = await fetch(`${server.origin}${line.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(line.body) });
        output.push(JSON.stringify({ id: `vllm-${line.custom_id.slice(0, 8)}`, custom_id: line.custom_id, response: { status_code: response.status, request_id: 'vllm-batch-x', body: await response.json() }, error: null }));
      }
      writeFileSync(join(dir, 'results.jsonl'), `${output.join('\n')}\n`);
      const imported = captureIo(dir);
      expect(await runCli(['import-batch', 'results.jsonl', '--db', 'offline.db'], imported)).toBe(0);
      expect(imported.err()).toMatch(new RegExp(`imported 3 results into run ${runId}`));

      const last = captureIo(dir);
      expect(await runCli([...annotate, '--out', 'offline.csv'], last)).toBe(0);
      expect(server.requests).toHaveLength(3);
      const rows = readFileSync(join(dir, 'offline.csv'), 'utf8').trim().split('\n');
      expect(rows).toHaveLength(4);
      expect(rows.slice(1).every((row) => row.includes(',ok,'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
