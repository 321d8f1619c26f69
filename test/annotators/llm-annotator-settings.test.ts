import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promptsDirectory } from '../../src/annotators/llm/prompt-file.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotator, listProviders } from '../../src/annotators/annotator-registry.js';
import { decodeImage } from '../../src/media/decode-image.js';
import type { RgbImage } from '../../src/media/rgb-image.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';

describe('LLM providers in the registry', () => {
  it('resolves provider:model ids, with default models for bare provider names', () => {
    expect(listProviders().map((provider) => provider.name)).toEqual(expect.arrayContaining(['local', 'openai', 'anthropic', 'google', 'openai-compatible']));
    expect(createAnnotator('openai')).toMatchObject({ provider: 'openai', modelId: 'gpt-4o-mini', capabilities: { maxImagesPerRequest: 50, billing: 'metered' } });
    expect(createAnnotator('anthropic:claude-sonnet-4-5')).toMatchObject({ provider: 'anthropic', modelId: 'claude-sonnet-4-5' });
    expect(createAnnotator('openai-compatible:llava:13b')).toMatchObject({ modelId: 'llava:13b', capabilities: { maxImagesPerRequest: 1 } });
    expect(createAnnotator('openai-compatible:llava:13b', { maxImagesPerRequest: 4 }).capabilities.maxImagesPerRequest).toBe(4);
  });

  it('builds annotators without a key; the key is checked by checkReady, naming the variable', () => {
    const annotator = createAnnotator('google:gemini-2.5-flash', { env: {} });
    expect(() => annotator.checkReady?.()).toThrow(/set the GEMINI_API_KEY or GOOGLE_API_KEY environment variable/);
    expect(() => createAnnotator('google:gemini-2.5-flash', { env: { GOOGLE_API_KEY: 'g-key' } }).checkReady?.()).not.toThrow();
  });

  it('needs --base-url for openai-compatible, and no key', () => {
    expect(() => createAnnotator('openai-compatible:qwen2.5vl:7b', { env: {} }).checkReady?.()).toThrow(/needs the server's address: set `baseUrl`/);
    expect(() => createAnnotator('openai-compatible:qwen2.5vl:7b', { env: {}, baseUrl: 'http://127.0.0.1:11434/v1' }).checkReady?.()).not.toThrow();
  });

  it('rejects bad settings saying what was expected and what came', () => {
    expect(() => createAnnotator('openai:gpt-4o-mini', { detail: 'medium' })).toThrow('Expected `detail` to be one of low, high, auto, got `medium` (string).');
    expect(() => createAnnotator('openai:gpt-4o-mini', { imageSize: 0 })).toThrow(/Expected `imageSize` to be a whole number from 32 to 4096, got `0` \(number\)/);
    expect(() => createAnnotator('openai:gpt-4o-mini', { baseUrl: 'localhost:11434' })).toThrow(/start with http:\/\/ or https:\/\//);
    expect(() => createAnnotator('openai:gpt-4o-mini', { prompt: 'cot' })).toThrow(/Unknown prompt "cot"/);
  });

  it('records what changes answers as its settings identity (for the response cache)', () => {
    expect(createAnnotator('openai:gpt-4o-mini', { prompt: 'au-cot', imageSize: 384 }).settingsIdentity).toMatchObject({ prompt: 'au-cot@v2', detail: 'low', imageSize: 384 });
  });

  it('a prompt file edited in place under the same version name is another prompt to the cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emolabel-prompt-'));
    try {
      const file = join(dir, 'mine@v1.md');
      const original = readFileSync(join(promptsDirectory(), 'direct@v1.md'), 'utf8');
      writeFileSync(file, original);
      const before = createAnnotator('openai:gpt-4o-mini', { prompt: file }).settingsIdentity;
      writeFileSync(file, original.replace('## system', '## system\nLook at the eyes first.'));
      const after = createAnnotator('openai:gpt-4o-mini', { prompt: file }).settingsIdentity;
      expect(after.prompt).toBe(before.prompt);
      expect(after.promptSha256).not.toBe(before.promptSha256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unsupported is a warning, not an error', () => {
  let openai: FakeServer & { url: string };
  let anthropic: FakeServer & { url: string };
  let face: RgbImage;
  beforeAll(async () => {
    openai = await startFakeOpenAiServer();
    anthropic = await startFakeAnthropicServer();
    face = await decodeImage(readFileSync(demoFace(2)), 'sample2.jpg');
  });
  afterAll(async () => {
    await Promise.all([openai.close(), anthropic.close()]);
  });

  it('Anthropic has no detail setting: images go at --image-size, with a warning', async () => {
    const annotation = await createAnnotator('anthropic:claude-haiku-4-5', { baseUrl: anthropic.url, env: { ANTHROPIC_API_KEY: 'k-1234' }, detail: 'high' })
      .annotate({ images: [face], taxonomy: basic7 });
    expect(annotation.status).toBe('ok');
    expect(annotation.warnings).toContain('anthropic has no image detail setting; sent images of at most 512 px instead of detail high');
  });

  it('a model that takes no temperature gets none, with a warning', async () => {
    const annotation = await createAnnotator('openai:gpt-5-mini', { baseUrl: openai.url, env: { OPENAI_API_KEY: 'k-1234' } }).annotate({ images: [face], taxonomy: basic7 });
    expect(annotation.warnings).toContain('openai:gpt-5-mini takes no temperature; sent its default instead of 0');
    expect(openai.requests.at(-1)?.body).not.toHaveProperty('temperature');
    // A reasoning model gets a low effort and room to think before its one-word answer.
    expect(openai.requests.at(-1)?.body).toMatchObject({ max_completion_tokens: 4096, reasoning_effort: 'low' });
  });

  it('each answer schema has its own repair prompt: v1 keeps its own words, v2 asks for abstain instead of an invented label', async () => {
    const repairText = async (prompt: string) => {
      openai.queue('malformed-answer');
      const annotation = await createAnnotator('openai-compatible:any', { baseUrl: openai.url, env: {}, prompt }).annotate({ images: [face], taxonomy: basic7 });
      expect(annotation).toMatchObject({ status: 'ok', repaired: true });
      const body = openai.requests.at(-1)?.body as { messages: Array<{ content: unknown }> };
      return JSON.stringify(body.messages);
    };
    const v1 = await repairText('direct@v1');
    expect(v1).toContain('\\"faceVisible\\"');
    expect(v1).toContain('use the label closest to what it says');
    const v2 = await repairText('direct@v2');
    expect(v2).toContain('abstain');
    expect(v2).toContain('never invent a label');
    expect(v2).not.toContain('faceVisible');
  });

  it('a model missing from the price table still labels, without a cost, with a warning', async () => {
    const annotation = await createAnnotator('openai:my-fine-tune', { baseUrl: openai.url, env: { OPENAI_API_KEY: 'k-1234' } }).annotate({ images: [face], taxonomy: basic7 });
    expect(annotation).toMatchObject({ status: 'ok', costUsd: undefined });
    expect(annotation.usage?.inputTokens).toBeGreaterThan(0);
    expect(annotation.warnings?.join(' ')).toMatch(/no price for openai:my-fine-tune in the price data/);
  });
});

describe('the env setting', () => {
  it('takes process.env itself (not a plain object), as `emolabel bench` passes it', () => {
    process.env.EMOLABEL_TEST_KEY = 'sk-test-from-process-env';
    try {
      const annotator = createAnnotator('openai:gpt-4o-mini', { env: process.env, apiKeyEnv: 'EMOLABEL_TEST_KEY' });
      expect(() => annotator.checkReady?.()).not.toThrow();
    } finally {
      delete process.env.EMOLABEL_TEST_KEY;
    }
  });

  it('takes process.env for the local model too (emolabel bench hands every cell the same settings)', async () => {
    const local = createAnnotator('local', { env: process.env });
    expect(local.provider).toBe('local');
    await local.close?.();
  });

  it('never prints the environment it refuses (it holds keys)', () => {
    let message = '';
    try {
      createAnnotator('openai:gpt-4o-mini', { env: { OPENAI_API_KEY: 42 as unknown as string, OTHER_SECRET: 'sk-live-123' } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Expected `env` to be an object of environment variables, got an object with 2 entries/);
    expect(message).not.toContain('sk-live-123');
  });
});
