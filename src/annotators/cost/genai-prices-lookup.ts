import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as GenaiPrices from '@pydantic/genai-prices';
import type { TokenPrices, TokenPriceTier } from './cost-of-usage.js';

/**
 * The release of `@pydantic/genai-prices` whose data was reviewed for emolabel, and the day npm
 * published it: the date of its prices. Another installed version is used too, but listed without a date.
 */
export const GENAI_PRICES_RELEASE = { version: '0.1.8', published: '2026-09-23' } as const;

/** emolabel providers whose model ids genai-prices knows under the same provider id. */
const GENAI_PROVIDERS = ['openai', 'anthropic', 'google'] as const;

/** Token prices of one model from genai-prices, with what it says about them. */
export interface GenaiModelPrice extends TokenPrices {
  /** genai-prices' id of the model that matched (`gpt-4o-mini` for `gpt-4o-mini-2024-07-18`). */
  readonly modelName: string;
  /** genai-prices marks the model deprecated. */
  readonly deprecated: boolean;
  /** The installed data's version, `0.1.8`. */
  readonly dataVersion: string;
  /** The data's publication date, when the installed version is the reviewed one. */
  readonly checked?: string;
  /** The start date of the price in force, when the model's price changed on a date. */
  readonly effectiveFrom?: string;
  /** The next date the data says the price changes. */
  readonly changesOn?: string;
}

type Library = typeof GenaiPrices;
let loaded: { library: Library; version: string } | undefined;

/** genai-prices is 800 kB of data: loaded on the first price looked up, not when emolabel is imported. */
function genaiPrices(): { library: Library; version: string } {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const library: Library = require('@pydantic/genai-prices');
  const manifest: unknown = JSON.parse(readFileSync(join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json'), 'utf8'));
  const version = typeof manifest === 'object' && manifest !== null && 'version' in manifest ? String(manifest.version) : 'unknown';
  loaded = { library, version };
  return loaded;
}

/** The installed genai-prices data's version and, when it is the reviewed release, its date. */
export function genaiPricesData(): { version: string; published?: string } {
  const { version } = genaiPrices();
  return version === GENAI_PRICES_RELEASE.version ? { version, published: GENAI_PRICES_RELEASE.published } : { version };
}

function isGenaiProvider(provider: string): provider is (typeof GENAI_PROVIDERS)[number] {
  return (GENAI_PROVIDERS as readonly string[]).includes(provider);
}

/** genai-prices' match logic, for a provider's `model_match` (case-insensitive, as genai-prices matches). */
function matches(logic: GenaiPrices.MatchLogic, id: string): boolean {
  const text = id.toLowerCase();
  if ('or' in logic) return logic.or.some((each) => matches(each, id));
  if ('and' in logic) return logic.and.every((each) => matches(each, id));
  if ('equals' in logic) return text === logic.equals.toLowerCase();
  if ('starts_with' in logic) return text.startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return text.endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return text.includes(logic.contains.toLowerCase());
  return new RegExp(logic.regex).test(id);
}

type PriceValue = GenaiPrices.ModelPrice[string];

function base(value: PriceValue): number | undefined {
  return typeof value === 'number' ? value : value?.base;
}

function priceAbove(value: PriceValue, threshold: number): number | undefined {
  if (typeof value !== 'object') return value;
  let price = value.base;
  for (const tier of value.tiers) if (threshold >= tier.start) price = tier.price;
  return price;
}

/** genai-prices' keys as emolabel's, its tiered prices as long-context tiers. */
function tokenPrices(prices: GenaiPrices.ModelPrice): TokenPrices {
  const keys = { inputPerMillion: 'input_mtok', outputPerMillion: 'output_mtok', cachedInputPerMillion: 'cache_read_mtok', cacheWritePerMillion: 'cache_write_mtok' } as const;
  const starts = [...new Set(Object.values(keys).flatMap((key) => { const value = prices[key]; return typeof value === 'object' ? value.tiers.map((tier) => tier.start) : []; }))].sort((a, b) => a - b);
  const longContext: TokenPriceTier[] = starts.map((start) => ({
    aboveInputTokens: start,
    inputPerMillion: priceAbove(prices[keys.inputPerMillion], start),
    outputPerMillion: priceAbove(prices[keys.outputPerMillion], start),
    cachedInputPerMillion: priceAbove(prices[keys.cachedInputPerMillion], start),
  }));
  const result: Record<string, number> = {};
  for (const [ours, theirs] of Object.entries(keys)) {
    const value = base(prices[theirs]);
    if (value !== undefined) result[ours] = value;
  }
  return { ...result, ...(longContext.length > 0 ? { longContext } : {}) };
}

/** The start date of the price in force at `now`, and the next scheduled change, from dated prices. */
function priceDates(model: GenaiPrices.ModelInfo, now: Date): { effectiveFrom?: string; changesOn?: string } {
  if (!Array.isArray(model.prices)) return {};
  const dates = model.prices.flatMap((price) => (price.constraint?.type === 'start_date' ? [price.constraint.start_date] : []));
  const past = dates.filter((date) => new Date(date) <= now).sort();
  const future = dates.filter((date) => new Date(date) > now).sort();
  return { ...(past.length > 0 ? { effectiveFrom: past.at(-1) } : {}), ...(future.length > 0 ? { changesOn: future[0] } : {}) };
}

/**
 * What genai-prices knows of `provider:modelId` at `now`: its token rates (dated prices resolved for
 * that day), or undefined when it does not know the model. Only the provider's own models count
 * (its `model_match`): Google's entry also prices Claude on Vertex AI, which the Gemini API does not serve.
 * @example genaiModelPrice('openai', 'gpt-4o-mini-2024-07-18')?.inputPerMillion // 0.15
 */
export function genaiModelPrice(provider: string, modelId: string, now: Date = new Date()): GenaiModelPrice | undefined {
  if (!isGenaiProvider(provider) || modelId === '') return undefined;
  const { library } = genaiPrices();
  const result = library.calcPrice({ input_tokens: 0, output_tokens: 0 }, modelId, { providerId: provider, timestamp: now });
  if (result === null || result.provider.id !== provider || !result.provider.models.includes(result.model)) return undefined;
  if (result.provider.model_match && !matches(result.provider.model_match, result.model.id)) return undefined;
  const data = genaiPricesData();
  return {
    ...tokenPrices(result.model_price),
    modelName: result.model.id,
    deprecated: result.model.deprecated === true,
    dataVersion: data.version,
    ...(data.published ? { checked: data.published } : {}),
    ...priceDates(result.model, now),
  };
}

/** The ids of the provider's own models that genai-prices prices (none for providers it does not cover). */
export function genaiModelIds(provider: string): string[] {
  if (!isGenaiProvider(provider)) return [];
  const entry = genaiPrices().library.findProvider({ providerId: provider });
  const own = entry?.models.filter((model) => !entry.model_match || matches(entry.model_match, model.id)) ?? [];
  return own.map((model) => model.id);
}

/** The providers genai-prices covers for emolabel. */
export function genaiProviders(): readonly string[] {
  return GENAI_PROVIDERS;
}
