import { describe, expect, it } from 'vitest';
import { loadApiKey } from '../../../src/annotators/llm/api-key.js';
import { connectionError, httpFailureError } from '../../../src/annotators/llm/provider-error.js';
import { EmolabelError, isRunStoppingError, TimeoutError } from '../../../src/errors.js';
import { classifyFailure, isQuotaExhausted } from '../../../src/runs/resilience/classify-failure.js';
import { FatalRunError } from '../../../src/runs/resilience/fatal-run-error.js';

const http = (status: number, message: string, extra: { retryAfterMs?: number; cause?: unknown } = {}) =>
  httpFailureError({ modelId: 'openai:gpt-4o-mini', status, message, keyVariable: 'OPENAI_API_KEY', ...extra });

/** What the OpenAI SDK throws for a 429 insufficient_quota: the code sits in the parsed body, not the message. */
function openAiQuotaError(): Error {
  const error = new Error('429 You exceeded your current quota, please check your plan and billing details.');
  return Object.assign(error, { status: 429, code: 'insufficient_quota', type: 'insufficient_quota', error: { code: 'insufficient_quota', type: 'insufficient_quota' } });
}

describe('classifyFailure', () => {
  it('keeps the HTTP status on provider errors', () => {
    expect(http(503, 'overloaded').httpStatus).toBe(503);
  });

  it.each([
    [401, 'rejected_api_key'],
    [403, 'forbidden'],
    [404, 'unknown_model'],
    [402, 'quota_exhausted'],
  ] as const)('HTTP %i is fatal (%s)', (status, reason) => {
    expect(classifyFailure(http(status, 'no'))).toMatchObject({ kind: 'fatal', fatalReason: reason, httpStatus: status, summary: `HTTP ${status}` });
  });

  it('a 429 rate limit is retryable and keeps its Retry-After', () => {
    expect(classifyFailure(http(429, 'Rate limit reached for requests', { retryAfterMs: 1_500 }))).toMatchObject({
      kind: 'retryable', rateLimited: true, retryAfterMs: 1_500, summary: 'HTTP 429',
    });
    expect(classifyFailure(http(429, 'Too many requests'))).toMatchObject({ kind: 'retryable', rateLimited: true });
  });

  it('OpenAI insufficient_quota is fatal, found in the SDK error kept as cause', () => {
    const error = http(429, 'You exceeded your current quota, please check your plan and billing details.', { cause: openAiQuotaError(), retryAfterMs: 2_000 });
    expect(classifyFailure(error)).toMatchObject({ kind: 'fatal', fatalReason: 'quota_exhausted' });
    expect(classifyFailure(http(429, 'insufficient_quota: no credit'))).toMatchObject({ kind: 'fatal', fatalReason: 'quota_exhausted' });
  });

  it('"exceeded your current quota" is fatal without a retry hint, a per-minute quota with one', () => {
    expect(isQuotaExhausted(http(429, 'You exceeded your current quota, please check your plan and billing details.'))).toBe(true);
    // Gemini's free-tier per-minute quota says the same, with a RetryInfo delay.
    const perMinute = http(429, 'You exceeded your current quota. Quota exceeded for metric: generate_content_free_tier_requests', { retryAfterMs: 22_000 });
    expect(isQuotaExhausted(perMinute)).toBe(false);
    expect(classifyFailure(perMinute)).toMatchObject({ kind: 'retryable', rateLimited: true });
  });

  it("Gemini's rejected key (HTTP 400, API_KEY_INVALID) is fatal as a rejected key, with advice about the key", () => {
    const gemini = http(400, 'API key not valid. Please pass a valid API key. [{"reason":"API_KEY_INVALID"}]');
    expect(classifyFailure(gemini)).toMatchObject({ kind: 'fatal', fatalReason: 'rejected_api_key' });
    expect(gemini.message).toMatch(/rejected the API key; check OPENAI_API_KEY/);
    expect(classifyFailure(http(400, 'Invalid value for response_format'))).toMatchObject({ kind: 'item' });
  });

  it('advice matches the failure: 403 is about permissions, an exhausted quota about credit', () => {
    expect(http(403, 'Project does not have access to model').message).toMatch(/may not use this model or endpoint/);
    expect(http(403, 'Project does not have access to model').message).not.toMatch(/rejected the API key/);
    const quota = http(429, 'You exceeded your current quota, please check your plan and billing details.');
    expect(quota.message).toMatch(/out of quota or credit/);
    expect(quota.message).not.toMatch(/lower --concurrency/);
    expect(http(429, 'Rate limit reached for requests', { retryAfterMs: 2000 }).message).toMatch(/rate limit reached \(it asked to wait 2\.0 s\)/);
  });

  it("Anthropic's low credit balance (HTTP 400) is fatal", () => {
    const error = http(400, 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.');
    expect(classifyFailure(error)).toMatchObject({ kind: 'fatal', fatalReason: 'quota_exhausted' });
  });

  it('5xx, 408, 409 and connection failures are retryable', () => {
    for (const status of [500, 502, 503, 529, 408, 409]) expect(classifyFailure(http(status, 'try later')).kind).toBe('retryable');
    expect(classifyFailure(http(500, 'x')).rateLimited).toBe(false);
    const refused = connectionError('openai:gpt-4o-mini', 'http://127.0.0.1:1/v1', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(classifyFailure(refused)).toMatchObject({ kind: 'retryable', summary: 'connection refused', refused: true });
  });

  it('a body cut off mid-answer is retryable even when wrapped as a non-retryable error', () => {
    const cutOff = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    const wrapped = new EmolabelError('provider_error', 'The request to openai:x failed: terminated', { cause: cutOff });
    expect(classifyFailure(wrapped)).toMatchObject({ kind: 'retryable', summary: 'connection failed' });
  });

  it('timeouts are retryable and counted as timeouts', () => {
    expect(classifyFailure(new TimeoutError('openai:x', 300))).toMatchObject({ kind: 'retryable', timedOut: true, summary: 'timeout' });
    // A timeout is a field, not words: a message that says "timed out" is not one.
    const worded = new EmolabelError('provider_error', 'openai:x timed out, it says', { isRetryable: true });
    expect(classifyFailure(worded)).toMatchObject({ kind: 'retryable', timedOut: false });
  });

  it('a missing key, a bad setting or an unknown model are fatal', () => {
    let missing: unknown;
    try {
      loadApiKey({ provider: 'openai', variables: ['OPENAI_API_KEY'], required: true }, {});
    } catch (error) {
      missing = error;
    }
    expect(classifyFailure(missing)).toMatchObject({ kind: 'fatal', fatalReason: 'missing_api_key' });
    expect(classifyFailure(new EmolabelError('invalid_option', 'needs --base-url'))).toMatchObject({ kind: 'fatal', fatalReason: 'misconfigured' });
    expect(classifyFailure(new EmolabelError('unknown_model', 'Unknown model'))).toMatchObject({ kind: 'fatal', fatalReason: 'unknown_model' });
  });

  it('aborts and a reached budget pass through as stop', () => {
    expect(classifyFailure(new EmolabelError('aborted', 'aborted')).kind).toBe('stop');
    expect(classifyFailure(new EmolabelError('budget_exceeded', 'budget')).kind).toBe('stop');
  });

  it('other failures fail only the item', () => {
    expect(classifyFailure(http(400, 'image too large'))).toMatchObject({ kind: 'item', summary: 'HTTP 400' });
    expect(classifyFailure(http(422, 'bad schema')).kind).toBe('item');
    expect(classifyFailure(new Error('something odd'))).toMatchObject({ kind: 'item', summary: 'error' });
  });
});

describe('FatalRunError', () => {
  it.each([
    ['rejected_api_key', 401, /valid key/],
    ['forbidden', 403, /permissions/],
    ['unknown_model', 404, /model id/],
    ['quota_exhausted', 429, /Add credit/],
  ] as const)('%s: leads with what to do, keeps the provider words and status, stops the run', (reason, status, advice) => {
    const cause = http(status, 'provider says no');
    const error = new FatalRunError(reason, 'openai:gpt-4o-mini', cause);
    expect(error.message).toMatch(/^Run stopped: openai:gpt-4o-mini cannot work as configured\./);
    expect(error.message).toMatch(advice);
    expect(error.message).toContain('provider says no');
    expect(error).toMatchObject({ code: 'fatal_provider_error', reason, httpStatus: status, cause });
    expect(isRunStoppingError(error)).toBe(true);
    expect(classifyFailure(error)).toMatchObject({ kind: 'fatal', fatalReason: reason });
  });
});
