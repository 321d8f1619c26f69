import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from '../../../src/annotators/llm/rate-limit-headers.js';

describe("a provider's rate-limit headers", () => {
  it("reads OpenAI's x-ratelimit-* (as a Chat Completions answer sends them)", () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '5000', 'x-ratelimit-limit-tokens': '160000',
      'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-remaining-tokens': '159976',
      'x-ratelimit-reset-requests': '12ms', 'x-ratelimit-reset-tokens': '9ms',
    });
    expect(readRateLimitHeaders(headers)).toEqual({ requestsPerMinute: 5000, tokensPerMinute: 160000, remainingRequests: 4999, remainingTokens: 159976 });
  });

  it("reads Anthropic's anthropic-ratelimit-* (as a recorded answer sent them): its input tokens limit, not tokens-limit (input and output added)", () => {
    const headers = new Headers({
      'anthropic-ratelimit-requests-limit': '1000', 'anthropic-ratelimit-requests-remaining': '999', 'anthropic-ratelimit-requests-reset': '2025-08-21T12:40:59Z',
      'anthropic-ratelimit-input-tokens-limit': '80000', 'anthropic-ratelimit-input-tokens-remaining': '79000', 'anthropic-ratelimit-output-tokens-limit': '16000',
      'anthropic-ratelimit-tokens-limit': '96000', 'anthropic-ratelimit-tokens-remaining': '96000',
    });
    expect(readRateLimitHeaders(headers)).toEqual({ requestsPerMinute: 1000, tokensPerMinute: 80000, remainingRequests: 999, remainingTokens: 79000 });
  });

  it("leaves out OpenAI limits that reset more than a minute away (daily ones)", () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9990', 'x-ratelimit-reset-requests': '2h21m36s',
      'x-ratelimit-limit-tokens': '200000', 'x-ratelimit-remaining-tokens': '199000', 'x-ratelimit-reset-tokens': '300ms',
    });
    expect(readRateLimitHeaders(headers)).toEqual({ tokensPerMinute: 200000, remainingTokens: 199000 });
  });

  it('ignores what is not a limit: none sent (Gemini, local servers), -1 or 0 from a gateway, text', () => {
    expect(readRateLimitHeaders(new Headers({ 'content-type': 'application/json' }))).toBeUndefined();
    expect(readRateLimitHeaders(new Headers({ 'x-ratelimit-limit-tokens': '-1', 'x-ratelimit-remaining-tokens': '-1', 'x-ratelimit-reset-tokens': '0' }))).toBeUndefined();
    expect(readRateLimitHeaders(new Headers({ 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-limit-tokens': '2000000' }))).toEqual({ tokensPerMinute: 2000000 });
    expect(readRateLimitHeaders(undefined)).toBeUndefined();
  });
});
