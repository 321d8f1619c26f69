import { hasTokenPrices } from './cost-of-usage.js';
import { describeImageRule } from './describe-image-rule.js';
import { genaiModelIds, genaiProviders } from './genai-prices-lookup.js';
import { findModelPrice, type ModelPrice, type PriceTable } from './price-table.js';

/** One model `emolabel models` lists. */
export interface ModelPriceListing {
  /** `openai:gpt-4o-mini`. */
  readonly id: string;
  readonly provider: string;
  readonly price: ModelPrice;
  /** The image rule in words (`patches 32 px × 1.2, max 1536`). */
  readonly imageRule: string;
  /** `current`, `retired 2026-06-15`, `retires 2027-01-15` or `deprecated`. */
  readonly status: string;
}

/** Options of {@link listModelPrices}. */
export interface ListModelPricesOptions {
  /** Only this provider's models. */
  readonly provider?: string;
  /** Also retired and deprecated models, and models that take no images (embeddings, speech …). @default false */
  readonly all?: boolean;
  /** @default now */
  readonly now?: Date;
}

/** Model kinds that label no images: left out unless `all`. */
const NOT_FOR_LABELLING = /embedding|tts|transcribe|whisper|audio|realtime|image|moderation|search|live|omni|deep-research|computer-use|codex|^ft:|\.ft-|:extended|-$/;

function statusOf(price: ModelPrice, today: string): string {
  if (price.retired !== undefined) return price.retired <= today.slice(0, price.retired.length) ? `retired ${price.retired}` : `retires ${price.retired}`;
  return price.deprecated ? 'deprecated' : 'current';
}

/**
 * The model id a table key names: the key itself, or a trailing-`*` key without its star, unless
 * that is only a prefix (`openai:gpt-5-2025*`, `openai-compatible:*`).
 */
function idOfKey(key: string): string | undefined {
  if (!key.endsWith('*')) return key.includes('*') ? undefined : key;
  const stem = key.slice(0, -1);
  return stem.includes('*') || /[:-]$|-\d{4}$/.test(stem) ? undefined : stem;
}

/**
 * The models emolabel can price, from genai-prices and the price table (the user's entries
 * included), each resolved the way a run prices it ({@link findModelPrice}), sorted by id. Models
 * without a token price are left out; retired and deprecated ones too unless `all`.
 * @example listModelPrices(loadPriceTable(), { provider: 'google' }).map((model) => model.id)
 */
export function listModelPrices(table: PriceTable, options: ListModelPricesOptions = {}): ModelPriceListing[] {
  const now = options.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const ids = new Set<string>();
  for (const provider of genaiProviders()) for (const model of genaiModelIds(provider)) ids.add(`${provider}:${model}`);
  for (const key of Object.keys(table.models)) {
    const id = idOfKey(key);
    if (id !== undefined) ids.add(id);
  }
  const listings: ModelPriceListing[] = [];
  for (const id of [...ids].sort()) {
    const provider = id.slice(0, id.indexOf(':'));
    if (options.provider !== undefined && provider !== options.provider) continue;
    const price = findModelPrice(table, id, { now });
    if (price === undefined || !hasTokenPrices(price)) continue;
    const status = statusOf(price, today);
    const model = id.slice(provider.length + 1);
    if (!options.all && (status.startsWith('retired') || status === 'deprecated' || NOT_FOR_LABELLING.test(model))) continue;
    listings.push({ id, provider, price, imageRule: describeImageRule(price.imageTokens), status });
  }
  return listings;
}
