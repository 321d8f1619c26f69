import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, describe, expect, it } from 'vitest';
import { listProviders } from '../../src/annotators/annotator-registry.js';
import { GENAI_PRICES_RELEASE, genaiPricesData } from '../../src/annotators/cost/genai-prices-lookup.js';
import { costOfUsage, findModelPrice, hasTokenPrices, loadPriceTable } from '../../src/annotators/cost/price-table.js';

const table = loadPriceTable();
const DAY = new Date('2026-12-01T12:00:00Z');

describe('token prices from @pydantic/genai-prices, where it knows the model', () => {
  const cases = [
    { id: 'openai:gpt-4o-mini-2024-07-18', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', input: 0.15, output: 0.6 },
    { id: 'openai:gpt-5.4-mini', provider: 'openai', model: 'gpt-5.4-mini', input: 0.75, output: 4.5 },
    { id: 'anthropic:claude-sonnet-4-6', provider: 'anthropic', model: 'claude-sonnet-4-6', input: 3, output: 15 },
    { id: 'anthropic:claude-haiku-4-5-20251001', provider: 'anthropic', model: 'claude-haiku-4-5-20251001', input: 1, output: 5 },
    { id: 'google:gemini-3.1-flash-lite', provider: 'google', model: 'gemini-3.1-flash-lite', input: 0.25, output: 1.5 },
  ];
  for (const { id, provider, model, input, output } of cases) {
    it(`${id}: $${input} / $${output} per million, and the same dollars as genai-prices' own calcPrice`, () => {
      const price = findModelPrice(table, id, { now: DAY });
      expect(price).toMatchObject({ source: 'genai-prices', inputPerMillion: input, outputPerMillion: output });
      const usage = { inputTokens: 12_345, outputTokens: 678, cachedInputTokens: 2_000 };
      const theirs = calcPrice({ input_tokens: 12_345, output_tokens: 678, cache_read_tokens: 2_000 }, model, { providerId: provider, timestamp: DAY });
      expect(costOfUsage(price!, usage)).toBeCloseTo(theirs!.total_price, 10);
    });
  }

  it('long prompts pay the long-context rate, as genai-prices bills them', () => {
    const price = findModelPrice(table, 'openai:gpt-5.4', { now: DAY })!;
    const theirs = calcPrice({ input_tokens: 300_000, output_tokens: 1_000 }, 'gpt-5.4', { providerId: 'openai', timestamp: DAY });
    expect(costOfUsage(price, { inputTokens: 300_000, outputTokens: 1_000 })).toBeCloseTo(theirs!.total_price, 10);
    expect(costOfUsage(price, { inputTokens: 1_000_000, outputTokens: 0 })).toBeGreaterThan(costOfUsage(price, { inputTokens: 200_000, outputTokens: 0 })! * 5);
  });

  it('dates each price: the release of the data, and dated changes the data announces', () => {
    expect(findModelPrice(table, 'openai:gpt-4o-mini', { now: DAY })?.checked).toBe(GENAI_PRICES_RELEASE.published);
    expect(findModelPrice(table, 'openai:o3', { now: DAY })).toMatchObject({ inputPerMillion: 2, effectiveFrom: '2025-06-10' });
    expect(findModelPrice(table, 'google:gemini-3.6-flash', { now: DAY })).toMatchObject({ inputPerMillion: 0.75, changesOn: '2027-01-01' });
    expect(findModelPrice(table, 'google:gemini-3.6-flash', { now: new Date('2027-02-01') })).toMatchObject({ inputPerMillion: 1.5 });
  });

  it('the installed genai-prices is the reviewed release (bump GENAI_PRICES_RELEASE with the package)', () => {
    const manifest = createRequire(import.meta.url)('../../package.json') as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@pydantic/genai-prices']).toContain(GENAI_PRICES_RELEASE.version);
    expect(genaiPricesData()).toEqual({ version: GENAI_PRICES_RELEASE.version, published: GENAI_PRICES_RELEASE.published });
  });

  it("takes only the provider's own models: google:claude-… is not Vertex AI's Claude", () => {
    expect(findModelPrice(table, 'google:claude-sonnet-4-6')).toBeUndefined();
  });
});

describe('the default models', () => {
  it('are current, and each has a token price, a cached and a batch rate, and an image rule', () => {
    const defaults = listProviders().filter((provider) => provider.name !== 'local' && provider.defaultModel !== undefined).map((provider) => `${provider.name}:${provider.defaultModel}`);
    expect(defaults).toEqual(['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'google:gemini-3.1-flash-lite']);
    for (const id of defaults) {
      const price = findModelPrice(table, id, { now: DAY });
      expect(hasTokenPrices(price), id).toBe(true);
      expect(price, id).toMatchObject({ source: 'genai-prices', batchMultiplier: 0.5, cachedInputPerMillion: expect.any(Number), imageTokens: expect.any(Object) });
      expect(price?.retired, id).toBeUndefined();
      expect(price?.deprecated, id).toBeUndefined();
    }
  });
});

describe('the bundled table: image rules, and prices genai-prices lacks', () => {
  it('prices claude-haiku-5-5 and gemini-3-flash from the bundled table, with its date', () => {
    expect(findModelPrice(table, 'anthropic:claude-haiku-5-5')).toMatchObject({ source: 'bundled', inputPerMillion: 0.1, outputPerMillion: 0.5, checked: '2026-10', textTokenMultiplier: 1.3 });
    expect(findModelPrice(table, 'google:gemini-3-flash')).toMatchObject({ source: 'bundled', inputPerMillion: 0.5, outputPerMillion: 3, checked: table.checked });
  });

  it('gpt-5.1 and later are not priced or counted as gpt-5: their own prices, no borrowed tile rule', () => {
    const gpt5 = findModelPrice(table, 'openai:gpt-5')!;
    const gpt55 = findModelPrice(table, 'openai:gpt-5.5')!;
    expect(gpt5.imageTokens).toEqual({ rule: 'openai-tiles', baseTokens: 70, tileTokens: 140 });
    expect(gpt55).toMatchObject({ inputPerMillion: 5, outputPerMillion: 30, supportsTemperature: false });
    expect(gpt55.imageTokens).toBeUndefined();
    expect(findModelPrice(table, 'openai:gpt-5.4-nano')?.imageTokens).toMatchObject({ rule: 'patches', multiplier: 1.2 });
  });

  it('marks retired models and keeps pricing them (old runs are still priced)', () => {
    expect(findModelPrice(table, 'anthropic:claude-sonnet-4-5')).toMatchObject({ retired: '2026-11-30', inputPerMillion: 3 });
    expect(findModelPrice(table, 'anthropic:claude-opus-4-1-20250805')).toMatchObject({ retired: '2026-08-05' });
    expect(findModelPrice(table, 'google:gemini-2.0-flash')?.retired).toBe('2026-06-01');
    expect(findModelPrice(table, 'google:gemini-3.1-flash-lite')?.retired).toBeUndefined();
  });
});

describe('cached, batch and reasoning tokens', () => {
  const price = { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, batchMultiplier: 0.5 };
  it('bills cached input at the cached rate, the rest of the input at the input rate', () => {
    expect(costOfUsage(price, { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 600_000 })).toBeCloseTo(0.4 * 3 + 0.6 * 0.3, 10);
    // Without a cached rate, cached tokens cost what input costs: an upper bound, not a guess of $0.
    expect(costOfUsage({ inputPerMillion: 3, outputPerMillion: 15 }, { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 600_000 })).toBeCloseTo(3, 10);
  });

  it('bills reasoning as output: it is part of outputTokens, never added twice', () => {
    const withReasoning = { inputTokens: 1_000, outputTokens: 1_500, reasoningTokens: 1_400 };
    expect(costOfUsage(price, withReasoning)).toBeCloseTo((1_000 * 3 + 1_500 * 15) / 1e6, 12);
  });

  it('prices at the batch rate with { batch: true }: half price on all three providers', () => {
    const usage = { inputTokens: 10_000, outputTokens: 100, cachedInputTokens: 1_000 };
    expect(costOfUsage(price, usage, { batch: true })).toBeCloseTo(costOfUsage(price, usage)! / 2, 12);
    for (const id of ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'google:gemini-3.1-flash-lite']) expect(findModelPrice(table, id)?.batchMultiplier).toBe(0.5);
    expect(costOfUsage({ inputPerMillion: 1, outputPerMillion: 1 }, usage, { batch: true })).toBeUndefined();
  });
});

describe("unknown is unknown, and the user's table wins", () => {
  const directory = mkdtempSync(join(tmpdir(), 'emolabel-price-sources-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('an unknown model has no price; an OpenAI-compatible server has an image rule but no price', () => {
    expect(findModelPrice(table, 'openai:my-fine-tune')).toBeUndefined();
    const compatible = findModelPrice(table, 'openai-compatible:qwen2.5vl:7b')!;
    expect(compatible.imageTokens).toEqual({ rule: 'flat', tokens: 576 });
    expect(hasTokenPrices(compatible)).toBe(false);
    expect(costOfUsage(compatible, { inputTokens: 1_000, outputTokens: 10 })).toBeUndefined();
  });

  it("a user's entry wins over genai-prices and the bundled table; what it leaves out comes from the bundled entry", () => {
    const file = join(directory, 'prices.json');
    writeFileSync(file, JSON.stringify({
      checked: '2026-11-20',
      models: {
        'openai:gpt-4o-mini': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
        'google:gemini-3.1-flash-lite*': { imageTokens: { rule: 'flat', tokens: 300 } },
        'openai-compatible:*': { inputPerMillion: 0, outputPerMillion: 0, imageTokens: { rule: 'flat', tokens: 500 } },
      },
    }));
    const mine = loadPriceTable(file);
    expect(findModelPrice(mine, 'openai:gpt-4o-mini')).toMatchObject({
      source: 'user', checked: '2026-11-20', inputPerMillion: 0.1, outputPerMillion: 0.4, imageTokens: { rule: 'openai-tiles', baseTokens: 2833 }, imageRuleSource: 'bundled',
    });
    expect(findModelPrice(mine, 'openai:gpt-4o-mini')?.cachedInputPerMillion).toBeUndefined();
    expect(findModelPrice(mine, 'google:gemini-3.1-flash-lite')).toMatchObject({ source: 'genai-prices', inputPerMillion: 0.25, imageTokens: { rule: 'flat', tokens: 300 }, imageRuleSource: 'user' });
    // A local server declared free by the user costs $0: the user said so.
    expect(costOfUsage(findModelPrice(mine, 'openai-compatible:llava:7b')!, { inputTokens: 1_000, outputTokens: 10 })).toBe(0);
    expect(findModelPrice(mine, 'openai-compatible:llava:7b')?.maxImagesPerRequest).toBe(1);
  });
});
