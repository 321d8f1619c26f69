import type { Usage } from '../annotator.js';

/** Rates that replace the base ones once a request's input passes `aboveInputTokens` (long-context pricing). */
export interface TokenPriceTier {
  readonly aboveInputTokens: number;
  readonly inputPerMillion?: number;
  readonly outputPerMillion?: number;
  readonly cachedInputPerMillion?: number;
}

/** A model's token prices in US dollars per million tokens; any may be unknown. */
export interface TokenPrices {
  readonly inputPerMillion?: number;
  readonly outputPerMillion?: number;
  /** Cached input (OpenAI `cached_tokens`, Gemini `cachedContentTokenCount`, Anthropic cache reads). */
  readonly cachedInputPerMillion?: number;
  /** Anthropic cache writes; listed only, as `Usage` has no count of them. */
  readonly cacheWritePerMillion?: number;
  /** The batch API's price as a share of the normal one (0.5 on OpenAI, Anthropic and Gemini). */
  readonly batchMultiplier?: number;
  /** Long-context rates, by threshold, lowest first. */
  readonly longContext?: readonly TokenPriceTier[];
}

/** Options of {@link costOfUsage}. */
export interface CostOptions {
  /** Price at the batch API's rate (`batchMultiplier` x the normal one). @default false */
  readonly batch?: boolean;
}

/** Whether `price` has both an input and an output rate, so usage can be priced. */
export function hasTokenPrices(price: TokenPrices | undefined): boolean {
  return price?.inputPerMillion !== undefined && price.outputPerMillion !== undefined;
}

type Rates = Omit<TokenPriceTier, 'aboveInputTokens'>;

function ratesFor(price: TokenPrices, inputTokens: number): Rates {
  let rates: Rates = price;
  for (const tier of price.longContext ?? []) {
    if (inputTokens <= tier.aboveInputTokens) continue;
    rates = {
      inputPerMillion: tier.inputPerMillion ?? rates.inputPerMillion,
      outputPerMillion: tier.outputPerMillion ?? rates.outputPerMillion,
      cachedInputPerMillion: tier.cachedInputPerMillion ?? rates.cachedInputPerMillion,
    };
  }
  return rates;
}

/**
 * Dollars for the tokens a request used, or undefined when a rate it needs is unknown (never a
 * guessed $0). `cachedInputTokens` (part of `inputTokens`) are billed at the cached rate, or at the
 * input rate when the model has none (an upper bound); `reasoningTokens` are part of `outputTokens`
 * and billed as output, as every provider does. With `batch`, the batch multiplier applies to all.
 * @example costOfUsage({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, { inputTokens: 1_000_000, outputTokens: 500_000 }) // 0.45
 */
export function costOfUsage(price: TokenPrices, usage: Pick<Usage, 'inputTokens' | 'outputTokens' | 'cachedInputTokens'>, options: CostOptions = {}): number | undefined {
  const multiplier = options.batch ? price.batchMultiplier : 1;
  if (multiplier === undefined) return undefined;
  const rates = ratesFor(price, usage.inputTokens);
  if (rates.inputPerMillion === undefined || rates.outputPerMillion === undefined) return undefined;
  const cached = Math.min(Math.max(usage.cachedInputTokens ?? 0, 0), usage.inputTokens);
  const cachedRate = rates.cachedInputPerMillion ?? rates.inputPerMillion;
  const dollars = (usage.inputTokens - cached) * rates.inputPerMillion + cached * cachedRate + usage.outputTokens * rates.outputPerMillion;
  return (multiplier * dollars) / 1_000_000;
}
