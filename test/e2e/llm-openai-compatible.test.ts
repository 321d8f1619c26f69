import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { makeClipFromStill, makeTempDir } from '../support/make-clips.js';

type ResultRecord = {
  id: string; status: string; label?: string; model: string; strategy: string; promptVersion?: string; framesUsed: number;
  usage: { inputTokens: number; outputTokens: number }; costUsd: number; warnings: string[];
};

const PRICE = { inputPerMillion: 0.5, outputPerMillion: 1.5 };

describe('emolabel annotate with an OpenAI-compatible server (Ollama, vLLM …) on real clips', () => {
  const { dir, cleanup } = makeTempDir('emolabel-llm-e2e-');
  let server: FakeServer & { url: string };

  beforeAll(async () => {
    mkdirSync(join(dir, 'clips'));
    // Three short clips of real faces (the demo photos, slowly zooming), as FERV39k clips are 1-2 s.
    for (const number of [1, 2, 3] as const) {
      await makeClipFromStill(demoFace(number), join(dir, 'clips', `clip-${number}.mp4`), { seconds: 1.5, fps: 10, width: 640, height: 480 });
    }
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({
      models: { 'openai-compatible:any': { ...PRICE, maxImagesPerRequest: 16, imageTokens: { rule: 'flat', tokens: 500 } } },
    }));
    server = await startFakeOpenAiServer();
  });
  afterAll(async () => {
    await server.close();
    cleanup();
  });

  const baseArgs = () => ['annotate', 'clips', '--model', 'openai-compatible:any', '--base-url', server.url, '--strategy', 'multi', '--frames', '4', '--price-table', 'prices.json', '--db', 'runs.db'];

  it('--dry-run prints tokens and dollars per clip and in total, and sends nothing', async () => {
    const io = captureIo(dir);
    const code = await runCli([...baseArgs(), '--dry-run'], io);
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(0);
    const out = io.out();
    if (process.env.EMOLABEL_SHOW_OUTPUT) console.log(out);
    expect(out).toMatch(/Dry run, no request sent: openai-compatible:any, strategy multi, prompt direct@v2, 4 frames/);
    for (const number of [1, 2, 3]) expect(out).toMatch(new RegExp(`clip-${number}\\s+1\\s+4\\s+[\\d,]+\\s+120\\s+\\$0\\.00`));
    expect(out).toMatch(/total \(3 of 3 items\)\s+3\s+12\s/);
    expect(out).toMatch(/About \$\d+\.\d+ per 1,000 clips/);
  });

  it('refuses the internal repair prompt and an unknown strategy as usage errors, for --dry-run too, before any request', async () => {
    for (const extra of [['--prompt', 'repair'], ['--prompt', 'repair', '--dry-run'], ['--strategy', 'foo', '--dry-run']]) {
      const io = captureIo(dir);
      const args = [...baseArgs(), ...extra];
      expect(await runCli(args, io)).toBe(2);
      expect(io.err()).toMatch(/repair unreadable answers, not one to label with|Unknown strategy "foo"/);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('labels every clip with one request of its numbered frames, and writes labels, costs and the prompt version', async () => {
    const io = captureIo(dir);
    const code = await runCli([...baseArgs(), '--out', 'labels.jsonl', '-q'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    const records = readFileSync(join(dir, 'labels.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as ResultRecord);
    expect(records.map((record) => record.id).sort()).toEqual(['clip-1', 'clip-2', 'clip-3']);
    for (const record of records) {
      expect(record).toMatchObject({ status: 'ok', label: 'Happy', model: 'openai-compatible:any', strategy: 'multi', promptVersion: 'direct@v2', framesUsed: 4 });
      expect(record.usage.inputTokens).toBeGreaterThan(0);
      expect(record.costUsd).toBeCloseTo((record.usage.inputTokens * PRICE.inputPerMillion + record.usage.outputTokens * PRICE.outputPerMillion) / 1e6, 8);
    }
    // One request per clip, each with the 4 sampled face crops in order, numbered, as JPEG.
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.images).toHaveLength(4);
      const text = JSON.stringify(request.body);
      expect(text).toMatch(/Frame 1 of 4.*Frame 2 of 4.*Frame 3 of 4.*Frame 4 of 4/);
      expect(request.headers.authorization ?? '').not.toMatch(/sk-/);
    }
  });

  it('keeps the key out of the results, the run store and the output, though every request carries it', async () => {
    const key = 'sk-proj-e2e-SECRET-4f9a8b7c6d5e';
    const keyed = await startFakeOpenAiServer({ apiKey: key });
    vi.stubEnv('OPENAI_API_KEY', key);
    try {
      keyed.queue('ok', 'refusal', 'malformed-answer');
      const io = captureIo(dir);
      await runCli(['annotate', 'clips', '--model', 'openai:gpt-4o-mini', '--base-url', keyed.url, '--strategy', 'grid', '--frames', '4', '--db', 'keyed.db', '--out', 'keyed.jsonl'], io);
      expect(keyed.requests.length).toBeGreaterThanOrEqual(3);
      expect(keyed.requests.every((request) => request.headers.authorization === `Bearer ${key}`)).toBe(true);
      // The store is SQLite, perhaps with a write-ahead log beside it: read every file of it.
      const storeFiles = readdirSync(dir).filter((file) => file.startsWith('keyed.db'));
      const written = ['keyed.jsonl', ...storeFiles].map((file) => readFileSync(join(dir, file)).toString('latin1'));
      expect(written[0]).toMatch(/"status":"refused"/);
      expect(written.slice(1).join('')).toContain("I'm sorry, I can't help with identifying");
      for (const text of [...written, io.out(), io.err()]) expect(text).not.toContain(key);
    } finally {
      vi.unstubAllEnvs();
      await keyed.close();
    }
  });

  it('fails a missing key before reading any input, naming the variable', async () => {
    vi.stubEnv('OPENAI_API_KEY', '');
    try {
      const before = server.requests.length;
      const io = captureIo(dir);
      const code = await runCli(['annotate', 'clips', '--model', 'openai:gpt-4o-mini', '--base-url', server.url, '--db', 'runs.db', '--out', 'never.csv', '-q'], io);
      expect(code).not.toBe(0);
      if (process.env.EMOLABEL_SHOW_OUTPUT) console.log(io.err());
      expect(io.err()).toMatch(/OPENAI_API_KEY/);
      expect(server.requests.length).toBe(before);
      expect(existsSync(join(dir, 'never.csv'))).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
