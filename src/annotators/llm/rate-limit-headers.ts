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

/** OpenAI's reset durations (`12ms`, `1s`, `6m0s`, `1h2m3s`) in ms; undefined when it does not read. */
function durationMs(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, [, value, name]) => sum + Number(value) * unit[name as keyof typeof unit], 0);
}

/** A limit whose window resets more than a minute away is per day (some OpenAI tiers and models), not per minute. */
function perMinute(limit: number | undefined, reset: string | null | undefined): number | undefined {
  const resetMs = durationMs(reset);
  return resetMs !== undefined && resetMs > 60_000 ? undefined : limit;
}

/**
 * The account's limits as a provider states them on every answer, per minute:
 * - OpenAI (and servers that copy it, e.g. OpenRouter, Groq): `x-ratelimit-limit-requests`,
 *   `x-ratelimit-limit-tokens`, with `x-ratelimit-remaining-*`; a limit whose `x-ratelimit-reset-*`
 *   is more than a minute away is a daily one and is left out;
 * - Anthropic: `anthropic-ratelimit-requests-limit` and `anthropic-ratelimit-input-tokens-limit`
 *   (its input tokens per minute, what an image request mostly spends; cached input is not counted
 *   against it). Its `tokens-limit` adds the input and output limits together (96,000 for 80,000 in
 *   and 16,000 out in a recorded answer), while the output limit alone may bind, so it is not followed.
 * Gemini and local servers send none: undefined.
 */
export function readRateLimitHeaders(headers: HeaderSource | undefined): ProviderRateLimits | undefined {
  if (headers === undefined) return undefined;
  if (headers.get('anthropic-ratelimit-requests-limit') != null || headers.get('anthropic-ratelimit-input-tokens-limit') != null) {
    return defined({
      requestsPerMinute: count(headers, 'anthropic-ratelimit-requests-limit'),
      tokensPerMinute: count(headers, 'anthropic-ratelimit-input-tokens-limit'),
      remainingRequests: count(headers, 'anthropic-ratelimit-requests-remaining'),
      remainingTokens: count(headers, 'anthropic-ratelimit-input-tokens-remaining'),
    });
  }
  const requestsPerMinute = perMinute(count(headers, 'x-ratelimit-limit-requests'), headers.get('x-ratelimit-reset-requests'));
  const tokensPerMinute = perMinute(count(headers, 'x-ratelimit-limit-tokens'), headers.get('x-ratelimit-reset-tokens'));
  return defined({
    requestsPerMinute,
    tokensPerMinute,
    remainingRequests: requestsPerMinute === undefined ? undefined : count(headers, 'x-ratelimit-remaining-requests'),
    remainingTokens: tokensPerMinute === undefined ? undefined : count(headers, 'x-ratelimit-remaining-tokens'),
  });
}
