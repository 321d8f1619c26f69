import { readFileSync } from 'node:fs';
import builtInTable from './price-table.json' with { type: 'json' };
import type { TokenPrices } from './cost-of-usage.js';
import { genaiModelPrice } from './genai-prices-lookup.js';
import { type ImageTokenRule, parsePriceTableFile, type PriceTableEntry, type PriceTableFile } from './price-table-schema.js';
import { EmolabelError } from '../../errors.js';

export { costOfUsage, hasTokenPrices, type CostOptions, type TokenPrices, type TokenPriceTier } from './cost-of-usage.js';
export type { ImageTokenRule, PriceTableEntry } from './price-table-schema.js';

/** The price table: the bundled `price-table.json`, optionally overlaid with the user's own. */
export interface PriceTable extends PriceTableFile {
  /** The user's file whose entries overlay the bundled ones, when one was loaded. */
  readonly userFile?: string;
}

/**
 * Where a model's token prices come from: the user's table (`--price-table`), the
 * `@pydantic/genai-prices` data, or the bundled table (models genai-prices does not know).
 */
export type PriceSource = 'user' | 'genai-prices' | 'bundled';

/**
 * One model as emolabel prices it: token prices (US dollars per million tokens) from the best
 * source, with the image rule and limits of the table entry that matched. Any field may be
 * unknown; an unknown price makes an unknown cost, never $0.
 */
export interface ModelPrice extends TokenPrices, Omit<PriceTableEntry, keyof TokenPrices> {
  /** Where the token prices come from; undefined when no source has them. */
  readonly source?: PriceSource;
  /** The date of the token prices (the genai-prices release, or the table's `checked`). */
  readonly checked?: string;
  /** The day the price in force started, when the data dates it. */
  readonly effectiveFrom?: string;
  /** The next day the data says the price changes. */
  readonly changesOn?: string;
  /** Where the image rule comes from. */
  readonly imageRuleSource?: 'user' | 'bundled';
  /** The table key that matched (`openai:gpt-4o-mini*`), user's or bundled. */
  readonly key?: string;
  /** genai-prices' name of the model, when it priced it. */
  readonly genaiModel?: string;
  /** genai-prices marks the model deprecated. */
  readonly deprecated?: boolean;
}

/** Options of {@link findModelPrice}. */
export interface FindModelPriceOptions {
  /** The day whose prices apply (dated price changes). @default now */
  readonly now?: Date;
}

const bundledTable: PriceTable = parsePriceTableFile(builtInTable, 'price-table.json (bundled)');

/** The bundled table, as shipped. */
export function bundledPriceTable(): PriceTable {
  return bundledTable;
}

/**
 * The bundled price table, with the entries of `overrideFile` (a JSON file of the same shape) on
 * top. Keys of the override replace the bundled ones; other bundled keys stay.
 * @example loadPriceTable('my-prices.json').models['openai:gpt-4o-mini*']
 */
export function loadPriceTable(overrideFile?: string): PriceTable {
  if (overrideFile === undefined || overrideFile === '') return bundledTable;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(overrideFile, 'utf8'));
  } catch (error) {
    throw new EmolabelError('invalid_option', `Cannot read price table ${overrideFile}: ${(error as Error).message.split('\n')[0]}. Pass a JSON file shaped like the bundled price-table.json.`, {
      cause: error,
      path: overrideFile,
    });
  }
  const override = parsePriceTableFile(json, overrideFile);
  return {
    ...bundledTable, ...override, userFile: overrideFile,
    batchMultipliers: { ...bundledTable.batchMultipliers, ...override.batchMultipliers },
    models: { ...bundledTable.models, ...override.models },
  };
}

function patternMatches(pattern: string, id: string): boolean {
  const expression = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${expression}$`).test(id);
}

/** The exact key, else the matching pattern with the most literal characters. */
function bestEntry(entries: ReadonlyArray<readonly [string, PriceTableEntry]>, id: string): { key: string; entry: PriceTableEntry } | undefined {
  const exact = entries.find(([key]) => key === id);
  if (exact) return { key: exact[0], entry: exact[1] };
  let best: { key: string; entry: PriceTableEntry; specificity: number } | undefined;
  for (const [key, entry] of entries) {
    if (!key.includes('*') || !patternMatches(key, id)) continue;
    const specificity = key.replaceAll('*', '').length;
    if (best === undefined || specificity > best.specificity) best = { key, entry, specificity };
  }
  return best && { key: best.key, entry: best.entry };
}

const TOKEN_PRICE_FIELDS = ['inputPerMillion', 'outputPerMillion', 'cachedInputPerMillion', 'cacheWritePerMillion', 'longContext'] as const;

function tokenPricesOf(entry: PriceTableEntry | undefined): TokenPrices | undefined {
  if (entry?.inputPerMillion === undefined && entry?.outputPerMillion === undefined) return undefined;
  const { inputPerMillion, outputPerMillion, cachedInputPerMillion, cacheWritePerMillion } = entry;
  return { inputPerMillion, outputPerMillion, cachedInputPerMillion, cacheWritePerMillion };
}

function withoutTokenPrices(entry: PriceTableEntry | undefined): Omit<PriceTableEntry, keyof TokenPrices> {
  const rest: Record<string, unknown> = { ...entry };
  for (const field of [...TOKEN_PRICE_FIELDS, 'batchMultiplier', 'checked']) delete rest[field];
  return rest;
}

/** Undefined fields left out, so a spread never hides a value from an earlier source. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/**
 * How emolabel prices `provider:model`. Token prices come from the user's table entry when it has
 * any, else from `@pydantic/genai-prices` when it knows the model, else from the bundled entry.
 * The image rule and other fields come from the user's entry, then the bundled one. A table entry
 * is an exact key, else the matching pattern with the most literal characters (so
 * `openai:gpt-4o-mini*` beats `openai:gpt-4o*` for `gpt-4o-mini-2024-07-18`). Undefined when no
 * source knows the model at all.
 * @example costOfUsage(findModelPrice(loadPriceTable(), 'openai:gpt-4o-mini')!, { inputTokens: 3000, outputTokens: 70 })
 */
export function findModelPrice(table: PriceTable, id: string, options: FindModelPriceOptions = {}): ModelPrice | undefined {
  const separator = id.indexOf(':');
  const provider = separator < 0 ? id : id.slice(0, separator);
  const modelId = separator < 0 ? '' : id.slice(separator + 1);
  const entries = Object.entries(table.models);
  const user = bestEntry(entries.filter(([key, entry]) => bundledTable.models[key] !== entry), id);
  // The bundled entry under a key the user replaced still gives what the user's entry leaves out.
  const bundled = bestEntry(entries.flatMap(([key]) => {
    const entry = bundledTable.models[key];
    return entry === undefined ? [] : [[key, entry] as const];
  }), id);
  const fromUser = tokenPricesOf(user?.entry);
  const fromGenai = fromUser ? undefined : genaiModelPrice(provider, modelId, options.now);
  const fromBundled = tokenPricesOf(bundled?.entry);
  if (!user && !bundled && !fromGenai) return undefined;

  const source: PriceSource | undefined = fromUser ? 'user' : fromGenai ? 'genai-prices' : fromBundled ? 'bundled' : undefined;
  const userChecked = user?.entry.checked ?? (table.checked !== bundledTable.checked ? table.checked : undefined);
  const checked = source === 'user' ? userChecked : source === 'genai-prices' ? fromGenai?.checked : source === 'bundled' ? (bundled?.entry.checked ?? bundledTable.checked) : undefined;
  const { modelName, deprecated, dataVersion: _version, checked: _checked, ...genaiPrices } = fromGenai ?? { modelName: undefined, deprecated: false };
  const batchMultiplier = user?.entry.batchMultiplier ?? bundled?.entry.batchMultiplier ?? table.batchMultipliers?.[provider] ?? bundledTable.batchMultipliers?.[provider];
  const imageTokens: ImageTokenRule | undefined = user?.entry.imageTokens ?? bundled?.entry.imageTokens;
  return {
    ...defined(withoutTokenPrices(bundled?.entry)),
    ...defined(withoutTokenPrices(user?.entry)),
    ...defined(fromUser ?? (fromGenai ? genaiPrices : fromBundled) ?? {}),
    ...defined({
      batchMultiplier, source, checked,
      imageRuleSource: imageTokens === undefined ? undefined : user?.entry.imageTokens ? ('user' as const) : ('bundled' as const),
      key: user?.key ?? bundled?.key,
      genaiModel: modelName,
      retired: user?.entry.retired ?? bundled?.entry.retired,
      deprecated: deprecated || undefined,
    }),
  };
}
