import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { estimateRequestCost } from '../../src/annotators/cost/estimate-request-cost.js';
import { estimateRun } from '../../src/runs/estimate-run.js';
import { fitInside, imageTokens } from '../../src/annotators/cost/image-tokens.js';
import { costOfUsage, findModelPrice, loadPriceTable } from '../../src/annotators/cost/price-table.js';
import { loadPrompt } from '../../src/annotators/llm/prompt-file.js';
import { decodeImage } from '../../src/media/decode-image.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';
import { startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import { startFakeGoogleServer } from '../support/fake-google-server.js';
import type { FakeServer } from '../support/fake-http-server.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';

describe('image token rules, against the providers\' documented examples', () => {
  const gpt4o = { rule: 'openai-tiles', baseTokens: 85, tileTokens: 170 } as const;
  it('OpenAI tiles: 1024x1024 high is 765, 2048x4096 high is 1105, any size low is 85', () => {
    expect(imageTokens(gpt4o, 1024, 1024, 'high')).toBe(765);
    expect(imageTokens(gpt4o, 2048, 4096, 'high')).toBe(1105);
    expect(imageTokens(gpt4o, 4096, 8192, 'low')).toBe(85);
  });

  it('counts auto as high, so an estimate never falls short', () => {
    expect(imageTokens(gpt4o, 1024, 1024, 'auto')).toBe(imageTokens(gpt4o, 1024, 1024, 'high'));
  });

  it('OpenAI patches: 1024x1024 is 1024 patches, 1800x2400 is capped to 1452, times the model multiplier', () => {
    const patches = { rule: 'patches', patchSize: 32, maxPatches: 1536, multiplier: 1 } as const;
    expect(imageTokens(patches, 1024, 1024)).toBe(1024);
    expect(imageTokens(patches, 1800, 2400)).toBe(1452);
    expect(imageTokens({ ...patches, multiplier: 1.62 }, 1024, 1024)).toBe(Math.ceil(1024 * 1.62));
    // A 160 px face crop is 25 patches: patch-billed models make small crops cheap.
    expect(imageTokens({ ...patches, multiplier: 1.62 }, 160, 160)).toBe(41);
  });

  it('Anthropic: width x height / 750 after fitting 1568 px and 1.15 MP', () => {
    const rule = { rule: 'anthropic-pixels', pixelsPerToken: 750, maxLongSide: 1568, maxPixels: 1_150_000 } as const;
    expect(imageTokens(rule, 1000, 1000)).toBe(1334);
    expect(imageTokens(rule, 200, 200)).toBe(54);
    expect(imageTokens(rule, 4000, 3000)).toBeLessThanOrEqual(Math.ceil(1_150_000 / 750));
  });

  it('Gemini: 258 within 384 px, else 258 per 768 px tile; low resolution is a flat 64', () => {
    const rule = { rule: 'gemini-tiles', tokensPerTile: 258, smallSide: 384, tileSize: 768, lowDetailTokens: 64 } as const;
    expect(imageTokens(rule, 384, 300)).toBe(258);
    expect(imageTokens(rule, 1000, 1000)).toBe(4 * 258);
    expect(imageTokens(rule, 1000, 1000, 'low')).toBe(64);
  });

  it('Anthropic, current models: 1092x1092 (the documented 1:1 maximum) is about 1,590 tokens; haiku-5-5, sonnet-4-6 and opus-4.5+ count images alike', () => {
    const table = loadPriceTable();
    for (const id of ['anthropic:claude-haiku-4-5', 'anthropic:claude-haiku-5-5', 'anthropic:claude-sonnet-4-6', 'anthropic:claude-opus-4-5', 'anthropic:claude-opus-4-8', 'anthropic:claude-opus-5']) {
      const rule = findModelPrice(table, id)?.imageTokens;
      expect(rule, id).toMatchObject({ rule: 'anthropic-pixels', pixelsPerToken: 750, maxLongSide: 1568 });
      // 1.15 MP is the documented fit; Anthropic's table rounds the 1:1 maximum up to 1092 px.
      expect(Math.abs(imageTokens(rule!, 1092, 1092) - 1590) / 1590, id).toBeLessThan(0.05);
      expect(imageTokens(rule!, 200, 200), id).toBe(54);
    }
  });

  it("claude-haiku-5-5's tokenizer makes about 30% more text tokens than haiku-4-5's; its images count the same", () => {
    const table = loadPriceTable();
    const request = (id: string) => estimateRequestCost({ price: findModelPrice(table, id), prompt: loadPrompt('direct'), taxonomy: basic7, images: [{ width: 200, height: 200 }], imageSize: 512 });
    const older = request('anthropic:claude-haiku-4-5');
    const newer = request('anthropic:claude-haiku-5-5');
    expect(newer.imageTokens).toBe(older.imageTokens);
    expect((newer.inputTokens - newer.imageTokens) / (older.inputTokens - older.imageTokens)).toBeCloseTo(1.3, 1);
  });

  it('Gemini 3: a fixed 280 / 560 / 1,120 tokens per image by media resolution, whatever its size; unset is high', () => {
    const rule = findModelPrice(loadPriceTable(), 'google:gemini-3.1-flash-lite')?.imageTokens;
    expect(rule).toMatchObject({ rule: 'media-resolution', lowTokens: 280, mediumTokens: 560, highTokens: 1120 });
    for (const [width, height] of [[160, 160], [512, 384], [3000, 2000]] as const) {
      expect(imageTokens(rule!, width, height, 'low')).toBe(280);
      expect(imageTokens(rule!, width, height, 'high')).toBe(1120);
      expect(imageTokens(rule!, width, height, 'auto')).toBe(1120);
    }
    for (const id of ['google:gemini-3-flash', 'google:gemini-3.5-flash', 'google:gemini-3.5-flash-lite', 'google:gemini-3.6-flash']) {
      expect(findModelPrice(loadPriceTable(), id)?.imageTokens?.rule, id).toBe('media-resolution');
    }
  });

  it('GPT-5.x patch models: 32 px patches x their measured multiplier (gpt-5-mini 1.2, gpt-5-nano 1.5, gpt-5.4-mini/nano 1.2)', () => {
    const table = loadPriceTable();
    const expected = { 'openai:gpt-5-mini': 1.2, 'openai:gpt-5-nano': 1.5, 'openai:gpt-5.4-mini': 1.2, 'openai:gpt-5.4-nano-2026-03-17': 1.2 };
    for (const [id, multiplier] of Object.entries(expected)) {
      const rule = findModelPrice(table, id)?.imageTokens;
      expect(rule, id).toMatchObject({ rule: 'patches', patchSize: 32, maxPatches: 1536, multiplier });
      expect(imageTokens(rule!, 1024, 1024), id).toBe(Math.ceil(1024 * multiplier));
      expect(imageTokens(rule!, 1800, 2400), id).toBe(Math.ceil(1452 * multiplier));
    }
  });

  it('fits images inside a box without enlarging them', () => {
    expect(fitInside(1280, 720, 512)).toEqual({ width: 512, height: 288 });
    expect(fitInside(100, 50, 512)).toEqual({ width: 100, height: 50 });
  });
});

describe('price table', () => {
  const directory = mkdtempSync(join(tmpdir(), 'emolabel-prices-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('picks the most specific pattern: gpt-4o-mini is not priced as gpt-4o', () => {
    const table = loadPriceTable();
    expect(findModelPrice(table, 'openai:gpt-4o-mini-2024-07-18')?.inputPerMillion).toBe(0.15);
    expect(findModelPrice(table, 'openai:gpt-4o-2024-08-06')?.inputPerMillion).toBe(2.5);
    expect(findModelPrice(table, 'openai-compatible:llava:13b')?.maxImagesPerRequest).toBe(1);
    expect(findModelPrice(table, 'openai:unknown-model')).toBeUndefined();
  });

  it('prices usage per million tokens', () => {
    expect(costOfUsage({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, { inputTokens: 1_000_000, outputTokens: 500_000 })).toBeCloseTo(0.45, 10);
  });

  it("lets a user's table replace entries and keeps the rest", () => {
    const file = join(directory, 'prices.json');
    writeFileSync(file, JSON.stringify({ models: { 'openai:gpt-4o-mini*': { inputPerMillion: 0.075, outputPerMillion: 0.3, imageTokens: { rule: 'flat', tokens: 100 } } } }));
    const table = loadPriceTable(file);
    expect(findModelPrice(table, 'openai:gpt-4o-mini')?.inputPerMillion).toBe(0.075);
    expect(findModelPrice(table, 'anthropic:claude-haiku-4-5')?.inputPerMillion).toBe(1);
  });

  it('rejects a malformed table saying where and what is expected', () => {
    const file = join(directory, 'bad.json');
    writeFileSync(file, JSON.stringify({ models: { 'openai:x': { inputPerMillion: 'cheap', outputPerMillion: 1, imageTokens: { rule: 'flat', tokens: 1 } } } }));
    expect(() => loadPriceTable(file)).toThrow(/bad\.json is not valid: models\.openai:x\.inputPerMillion.*Expected \{"models"/);
  });
});

describe('the dry run plans requests by running the strategies themselves', () => {
  const model = 'openai:gpt-4o-mini';
  const clip = [demoFace(1)];
  it('frame: one request per frame; multi: one request; grid: one tiled image', async () => {
    // An image is one frame: with --frames 1 each strategy shows its shape on one real face.
    const frame = await estimateRun(clip, { model, strategy: 'frame', faces: 'none' });
    const multi = await estimateRun(clip, { model, strategy: 'multi', faces: 'none' });
    expect(frame.total).toMatchObject({ requests: 1, images: 1 });
    expect(multi.total).toMatchObject({ requests: 1, images: 1 });
    expect(frame.items[0]?.costUsd).toBeGreaterThan(0);
    expect(frame.settings).toMatchObject({ prompt: 'direct@v2', detail: 'low', imageSize: 512 });
    expect(frame.priceChecked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

const facesDev = loadFacesDev();
if (!('images' in facesDev)) console.warn(`skipping estimate-versus-usage checks on faces-dev: ${facesDev.missing}`);

describe.skipIf(!('images' in facesDev))('estimates agree with the usage a provider reports, on real faces-dev crops', () => {
  let openai: FakeServer & { url: string };
  let anthropic: FakeServer & { url: string };
  let google: FakeServer & { url: string };
  beforeAll(async () => {
    openai = await startFakeOpenAiServer();
    anthropic = await startFakeAnthropicServer();
    google = await startFakeGoogleServer();
  });
  afterAll(async () => {
    await Promise.all([openai.close(), anthropic.close(), google.close()]);
  });

  const cases = [
    { id: 'openai:gpt-4o-mini', server: () => openai, env: { OPENAI_API_KEY: 'sk-estimate' }, detail: 'low' as const },
    { id: 'openai:gpt-4o-mini', server: () => openai, env: { OPENAI_API_KEY: 'sk-estimate' }, detail: 'high' as const },
    { id: 'anthropic:claude-haiku-4-5', server: () => anthropic, env: { ANTHROPIC_API_KEY: 'sk-ant-estimate' }, detail: undefined },
    { id: 'google:gemini-2.5-flash', server: () => google, env: { GEMINI_API_KEY: 'gk-estimate' }, detail: undefined },
    { id: 'google:gemini-2.5-flash', server: () => google, env: { GEMINI_API_KEY: 'gk-estimate' }, detail: 'low' as const },
    { id: 'google:gemini-3.1-flash-lite', server: () => google, env: { GEMINI_API_KEY: 'gk-estimate' }, detail: undefined },
    { id: 'google:gemini-3.1-flash-lite', server: () => google, env: { GEMINI_API_KEY: 'gk-estimate' }, detail: 'low' as const },
    { id: 'google:gemini-3.1-flash-lite', server: () => google, env: { GEMINI_API_KEY: 'gk-estimate' }, detail: 'high' as const },
    { id: 'openai:gpt-5.4-mini', server: () => openai, env: { OPENAI_API_KEY: 'sk-estimate' }, detail: 'low' as const },
    { id: 'anthropic:claude-sonnet-4-6', server: () => anthropic, env: { ANTHROPIC_API_KEY: 'sk-ant-estimate' }, detail: undefined },
  ];
  for (const { id, server, env, detail } of cases) {
    it(`${id}${detail ? ` detail ${detail}` : ''}: 4 faces in one request, estimate within 10% of reported input tokens`, async () => {
      if (!('images' in facesDev)) return;
      const faces = await Promise.all(facesDev.images.slice(0, 4).map(({ path }) => decodeImage(readFileSync(path), path)));
      const annotator = createAnnotator(id, { baseUrl: server().url, env, detail });
      const annotation = await annotator.annotate({ images: faces, taxonomy: basic7 });
      const estimate = estimateRequestCost({
        price: findModelPrice(loadPriceTable(), id), prompt: loadPrompt('direct'), taxonomy: basic7,
        images: faces, imageSize: 512, detail: detail ?? 'auto',
      });
      const reported = annotation.usage?.inputTokens ?? 0;
      expect(Math.abs(estimate.inputTokens - reported) / reported).toBeLessThan(0.1);
      expect(estimate.costUsd).toBeGreaterThan(0);
    });
  }
});

describe('estimates before sending (budget and dry run)', () => {
  it('--dry-run with the local model counts its requests at zero tokens and zero dollars, and never runs the model', async () => {
    const estimate = await estimateRun([demoFace(1), demoFace(2)], { model: 'local', faces: 'none', taxonomy: basic7 });
    expect(estimate.total).toEqual({ requests: 2, images: 2, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(estimate.warnings).toEqual([expect.stringMatching(/local:face-api is free: no tokens, no cost/)]);
  });

  it('an LLM annotator prices a request before it is sent; an unpriced model has an unknown cost, not $0', async () => {
    const face = { data: Buffer.alloc(300 * 300 * 3), width: 300, height: 300 };
    const estimate = createAnnotator('openai:gpt-4o-mini', { detail: 'low' }).estimate?.({ images: [face, face, face, face], taxonomy: basic7 });
    // Four images at low detail: 4 x 2,833 tokens at $0.15 per million, plus the prompt and answer.
    expect(estimate?.costUsd).toBeGreaterThan((4 * 2833 * 0.15) / 1e6);
    expect(estimate?.costUsd).toBeLessThan((4 * 2833 * 0.15) / 1e6 + 0.0003);
    expect(createAnnotator('local').estimate).toBeUndefined();
    expect(createAnnotator('openai:my-fine-tune').estimate?.({ images: [face], taxonomy: basic7 }).costUsd).toBeUndefined();
  });

  it('a priced model without an image rule, or an OpenAI-compatible server without a price, estimates an unknown cost, not $0', () => {
    const face = { data: Buffer.alloc(300 * 300 * 3), width: 300, height: 300 };
    const price = findModelPrice(loadPriceTable(), 'openai:gpt-5.5');
    expect(price?.inputPerMillion).toBeGreaterThan(0);
    const request = { price, prompt: loadPrompt('direct'), taxonomy: basic7, images: [face], imageSize: 512 };
    expect(estimateRequestCost(request).costUsd).toBeUndefined();
    // Text alone needs no image rule.
    expect(estimateRequestCost({ ...request, images: [] }).costUsd).toBeGreaterThan(0);
    expect(createAnnotator('openai:gpt-5.5').estimate?.({ images: [face], taxonomy: basic7 }).costUsd).toBeUndefined();
    expect(createAnnotator('openai-compatible:qwen2.5vl:7b', { baseUrl: 'http://127.0.0.1:9/v1' }).estimate?.({ images: [face], taxonomy: basic7 }).costUsd).toBeUndefined();
  });

  it('prices a request at the batch rate when asked: half of the normal estimate', () => {
    const request = { price: findModelPrice(loadPriceTable(), 'anthropic:claude-haiku-4-5'), prompt: loadPrompt('direct'), taxonomy: basic7, images: [{ width: 200, height: 200 }], imageSize: 512 };
    expect(estimateRequestCost({ ...request, batch: true }).costUsd).toBeCloseTo(estimateRequestCost(request).costUsd! / 2, 12);
  });
});
