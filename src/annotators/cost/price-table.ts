import { readFileSync } from 'node:fs';
import { z } from 'zod';
import builtInTable from './price-table.json' with { type: 'json' };
import { EmolabelError } from '../../errors.js';

const imageTokenRuleSchema = z.discriminatedUnion('rule', [
  z.object({ rule: z.literal('openai-tiles'), baseTokens: z.number().min(0), tileTokens: z.number().min(0) }),
  z.object({
    rule: z.literal('patches'), patchSize: z.number().positive(), maxPatches: z.number().positive(), multiplier: z.number().positive(),
  }),
  z.object({
    rule: z.literal('anthropic-pixels'), pixelsPerToken: z.number().positive(), maxLongSide: z.number().positive(), maxPixels: z.number().positive(),
  }),
  z.object({
    rule: z.literal('gemini-tiles'), tokensPerTile: z.number().min(0), smallSide: z.number().positive(), tileSize: z.number().positive(),
    lowDetailTokens: z.number().min(0).optional(), highDetailTokens: z.number().min(0).optional(),
  }),
  z.object({ rule: z.literal('flat'), tokens: z.number().min(0) }),
]);

const modelPriceSchema = z.object({
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
  maxImagesPerRequest: z.number().int().positive().optional(),
  supportsTemperature: z.boolean().optional(),
  /** Input tokens the provider adds to every request (Anthropic's tool-use system prompt). */
  requestOverheadTokens: z.number().int().min(0).optional(),
  imageTokens: imageTokenRuleSchema,
});

const priceTableSchema = z.object({
  about: z.string().optional(),
  checked: z.string().optional(),
  sources: z.record(z.string(), z.string()).optional(),
  models: z.record(z.string(), modelPriceSchema),
});

/**
 * How a model counts the tokens of one image:
 * - `openai-tiles`: low detail is `baseTokens`; high detail fits the image in 2048 px, scales the short
 *   side to 768 px, then charges `baseTokens` plus `tileTokens` per 512 px tile.
 * - `patches`: one token per `patchSize` px patch times `multiplier`, the image shrunk to `maxPatches`.
 * - `anthropic-pixels`: width x height / `pixelsPerToken`, after fitting `maxLongSide` and `maxPixels`.
 * - `gemini-tiles`: `tokensPerTile` for an image within `smallSide` px, else per `tileSize` px tile;
 *   with detail low or high (Gemini `mediaResolution`), `lowDetailTokens` / `highDetailTokens` when given.
 * - `flat`: the same count for every image (a guess for local models).
 */
export type ImageTokenRule = z.infer<typeof imageTokenRuleSchema>;

/** One model's prices (US dollars per million tokens) and image-token rule. */
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** The price table: the bundled `price-table.json`, optionally overlaid with the user's own. */
export type PriceTable = z.infer<typeof priceTableSchema>;

function parseTable(value: unknown, source: string): PriceTable {
  const parsed = priceTableSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EmolabelError(
    'invalid_option',
    `Price table ${source} is not valid: ${issue?.path.join('.') || '(root)'}: ${issue?.message}. ` +
      'Expected {"models": {"provider:model": {"inputPerMillion", "outputPerMillion", "imageTokens": {"rule", ...}}}}; see the bundled price-table.json.',
    { path: source },
  );
}

const bundledTable = parseTable(builtInTable, 'price-table.json (bundled)');

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
  const override = parseTable(json, overrideFile);
  return { ...bundledTable, ...override, models: { ...bundledTable.models, ...override.models } };
}

function patternMatches(pattern: string, id: string): boolean {
  const expression = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${expression}$`).test(id);
}

/**
 * The entry for `provider:model`: an exact key, else the matching pattern with the most literal
 * characters (so `openai:gpt-4o-mini*` beats `openai:gpt-4o*` for `gpt-4o-mini-2024-07-18`).
 */
export function findModelPrice(table: PriceTable, id: string): ModelPrice | undefined {
  const exact = table.models[id];
  if (exact !== undefined) return exact;
  let best: { price: ModelPrice; specificity: number } | undefined;
  for (const [pattern, price] of Object.entries(table.models)) {
    if (!pattern.includes('*') || !patternMatches(pattern, id)) continue;
    const specificity = pattern.replaceAll('*', '').length;
    if (best === undefined || specificity > best.specificity) best = { price, specificity };
  }
  return best?.price;
}

/** Dollars for the tokens a request used. */
export function costOfUsage(price: Pick<ModelPrice, 'inputPerMillion' | 'outputPerMillion'>, usage: { inputTokens: number; outputTokens: number }): number {
  return (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000;
}
