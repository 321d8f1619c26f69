import { z } from 'zod';
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
  z.object({
    rule: z.literal('media-resolution'), lowTokens: z.number().min(0), mediumTokens: z.number().min(0), highTokens: z.number().min(0),
    unsetTokens: z.number().min(0),
  }),
  z.object({ rule: z.literal('flat'), tokens: z.number().min(0) }),
]);

const isoDate = z.string().regex(/^\d{4}(-\d{2}){0,2}$/, 'expected a date like 2026-12-01 (or 2026-12, 2026)');

const modelEntrySchema = z.object({
  inputPerMillion: z.number().min(0).optional(),
  outputPerMillion: z.number().min(0).optional(),
  /** Input tokens read from the provider's prompt cache (Anthropic cache reads, OpenAI/Gemini cached tokens). */
  cachedInputPerMillion: z.number().min(0).optional(),
  /** Anthropic cache writes (listed only: emolabel sets no cache breakpoints, so it makes none). */
  cacheWritePerMillion: z.number().min(0).optional(),
  /** The batch API's price as a share of the normal one (0.5: half price). */
  batchMultiplier: z.number().positive().max(1).optional(),
  maxImagesPerRequest: z.number().int().positive().optional(),
  supportsTemperature: z.boolean().optional(),
  /** Input tokens the provider adds to every request (Anthropic's tool-use system prompt). */
  requestOverheadTokens: z.number().int().min(0).optional(),
  /** How many more text tokens this model's tokenizer makes than the estimate's 4 characters a token. */
  textTokenMultiplier: z.number().positive().optional(),
  imageTokens: imageTokenRuleSchema.optional(),
  /** When the provider shut the model down (or says it will), for listings and warnings. */
  retired: isoDate.optional(),
  /** When these prices were last checked, where the table's `checked` is older. */
  checked: isoDate.optional(),
  note: z.string().optional(),
});

const priceTableSchema = z.object({
  about: z.string().optional(),
  checked: z.string().optional(),
  sources: z.record(z.string(), z.string()).optional(),
  /** The batch multiplier of every model of a provider (`{"openai": 0.5}`), unless its entry says. */
  batchMultipliers: z.record(z.string(), z.number().positive().max(1)).optional(),
  models: z.record(z.string(), modelEntrySchema),
});

/**
 * How a model counts the tokens of one image:
 * - `openai-tiles`: low detail is `baseTokens`; high detail fits the image in 2048 px, scales the short
 *   side to 768 px, then charges `baseTokens` plus `tileTokens` per 512 px tile.
 * - `patches`: one token per `patchSize` px patch times `multiplier`, the image shrunk to `maxPatches`.
 * - `anthropic-pixels`: width x height / `pixelsPerToken`, after fitting `maxLongSide` and `maxPixels`.
 * - `gemini-tiles` (Gemini 2.x): `tokensPerTile` for an image within `smallSide` px, else per `tileSize`
 *   px tile; with detail low or high (`mediaResolution`), `lowDetailTokens` / `highDetailTokens` when given.
 * - `media-resolution` (Gemini 3): a fixed count per image whatever its size: `lowTokens` at detail low,
 *   `highTokens` at high, `unsetTokens` when no resolution is sent (detail auto); `mediumTokens` is listed.
 * - `flat`: the same count for every image (a guess for local models).
 */
export type ImageTokenRule = z.infer<typeof imageTokenRuleSchema>;

/** One entry of a price table file, as written: every field optional, prices in US dollars per million tokens. */
export type PriceTableEntry = z.infer<typeof modelEntrySchema>;

/** A price table file: the bundled `price-table.json` or the user's own, of the same shape. */
export type PriceTableFile = z.infer<typeof priceTableSchema>;

/** Parses a price table file, failing with where it is wrong and the shape expected. */
export function parsePriceTableFile(value: unknown, source: string): PriceTableFile {
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
