import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Annotation } from '../../src/annotators/annotator.js';
import { type JsonValue, type LoggedRequest, ResponseStore } from '../../src/store/request-log.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';

const { dir, cleanup } = makeTempDir('emolabel-request-log-');
const store = RunStore.open(join(dir, 'runs.db'));
afterAll(() => {
  store.close();
  cleanup();
});

const happy: Annotation = {
  status: 'ok', label: 'Happy', confidence: 0.82, usage: { inputTokens: 9100, outputTokens: 56 }, costUsd: 0.0012,
  rawText: '{"label":"Happy","confidence":0.82}', promptVersion: 'direct@v1', warnings: [],
};
/** An OpenAI Chat Completions body, as a provider sends it. */
const reply: JsonValue = {
  id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-5-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: '{"label":"Happy","confidence":0.82}', refusal: null }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9100, completion_tokens: 96, completion_tokens_details: { reasoning_tokens: 40 } },
};

function logged(cacheKey: string, annotation: Annotation, extra: Partial<LoggedRequest> = {}): LoggedRequest {
  return {
    runId: 'r1', itemId: 'clip-1', cacheKey, annotation, fromCache: false, startedAt: '2026-01-02T03:04:05.000Z', durationMs: 812,
    request: { model: 'openai:gpt-5-mini', images: [{ sha256: 'ab'.repeat(32), width: 336, height: 297 }], taxonomy: 'basic7', parameters: { prompt: 'direct@v1' } },
    ...extra,
  };
}

describe('ResponseStore', () => {
  const responses = new ResponseStore(store.database);

  it('keeps the provider\'s raw reply beside the cached annotation, and the reasoning tokens in the log', () => {
    responses.record(logged('with-reply', happy, { response: reply, reasoningTokens: 40 }));
    expect(responses.cachedEntry('with-reply')).toEqual({ annotation: happy, response: reply });
    expect(responses.cached('with-reply')).toEqual(happy);
    expect(responses.listRequests('r1')).toEqual([{
      id: 1, runId: 'r1', itemId: 'clip-1', cacheKey: 'with-reply', model: 'openai:gpt-5-mini', fromCache: false, status: 'ok',
      request: logged('with-reply', happy).request, response: happy.rawText, inputTokens: 9100, outputTokens: 56, reasoningTokens: 40,
      costUsd: 0.0012, startedAt: '2026-01-02T03:04:05.000Z', durationMs: 812,
    }]);
  });

  it('caches the annotation alone when no reply is given, and logs no reasoning tokens', () => {
    responses.record(logged('without-reply', happy));
    const entry = responses.cachedEntry('without-reply');
    expect(entry).toEqual({ annotation: happy });
    expect(entry && 'response' in entry).toBe(false);
    expect(responses.listRequests('r1').at(-1)).toMatchObject({ cacheKey: 'without-reply', reasoningTokens: 0 });
  });

  it('logs an error without caching it, and a cache hit at no cost', () => {
    responses.record(logged('failed', { status: 'error', error: 'HTTP 503' }, { response: { error: { message: 'overloaded' } } }));
    expect(responses.cachedEntry('failed')).toBeUndefined();
    responses.record(logged('with-reply', happy, { fromCache: true, reasoningTokens: 40, durationMs: 0 }));
    expect(responses.cachedEntry('with-reply')).toEqual({ annotation: happy, response: reply });
    const [error, hit] = responses.listRequests('r1').slice(-2);
    expect(error).toMatchObject({ status: 'error', error: 'HTTP 503', fromCache: false });
    expect(error && 'response' in error).toBe(false);
    expect(hit).toMatchObject({ fromCache: true, inputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0 });
    expect(responses.countRequests('r1')).toEqual({ sent: 3, cached: 1 });
  });
});
