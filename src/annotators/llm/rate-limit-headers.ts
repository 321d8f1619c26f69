import type { ProviderRateLimits } from '../annotator.js';

/** Reads headers as `fetch`'s `Headers` and the SDKs' responses do. */
interface HeaderSource {
  get(name: string): string | null | undefined;
}

function count(headers: HeaderSource, name: string): number | undefined {
  const text = headers.get(name)?.trim();
  if (!text) return undefined;
  const value = Number(text);
  // Some gateways send -1 or 0 for "no limit" (Azure OpenAI on the Responses API): not a limit to follow.
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function defined(limits: Record<string, number | undefined>): ProviderRateLimits | undefined {
  const entries = Object.entries(limits).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as ProviderRateLimits);
}

/**
 * The account's limits as a provider states them on every answer, per minute:
 * - OpenAI (and servers that copy it, e.g. OpenRouter, Groq): `x-ratelimit-limit-requests`,
 *   `x-ratelimit-limit-tokens`, with `x-ratelimit-remaining-*`;
 * - Anthropic: `anthropic-ratelimit-requests-limit`, `anthropic-ratelimit-tokens-limit` (the
 *   tighter of its input and output limits), else `anthropic-ratelimit-input-tokens-limit`.
 * Gemini and local servers send none: undefined.
 */
export function readRateLimitHeaders(headers: HeaderSource | undefined): ProviderRateLimits | undefined {
  if (headers === undefined) return undefined;
  if (headers.get('anthropic-ratelimit-requests-limit') != null || headers.get('anthropic-ratelimit-tokens-limit') != null) {
    return defined({
      requestsPerMinute: count(headers, 'anthropic-ratelimit-requests-limit'),
      tokensPerMinute: count(headers, 'anthropic-ratelimit-tokens-limit') ?? count(headers, 'anthropic-ratelimit-input-tokens-limit'),
      remainingRequests: count(headers, 'anthropic-ratelimit-requests-remaining'),
      remainingTokens: count(headers, 'anthropic-ratelimit-tokens-remaining') ?? count(headers, 'anthropic-ratelimit-input-tokens-remaining'),
    });
  }
  return defined({
    requestsPerMinute: count(headers, 'x-ratelimit-limit-requests'),
    tokensPerMinute: count(headers, 'x-ratelimit-limit-tokens'),
    remainingRequests: count(headers, 'x-ratelimit-remaining-requests'),
    remainingTokens: count(headers, 'x-ratelimit-remaining-tokens'),
  });
}
