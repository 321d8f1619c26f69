import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { isListed } from '../../src/annotators/llm/llm-annotator.js';
import { startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import { startFakeGoogleServer } from '../support/fake-google-server.js';

/** Each provider's list-models endpoint, read (every page) before a run starts: an unknown model is fatal at once. */
describe('model ids checked against the provider\'s own list', () => {
  it('Anthropic: an alias whose dated snapshot is listed (on the second page) passes; a typo fails naming close matches', async () => {
    const server = await startFakeAnthropicServer({ models: ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-haiku-4-5-20251001', 'claude-3-haiku-20240307'] });
    try {
      const settings = { baseUrl: server.url, env: { ANTHROPIC_API_KEY: 'sk-ant-test' } };
      await expect(createAnnotator('anthropic:claude-haiku-4-5', settings).prepare?.()).resolves.toBeUndefined();
      await expect(createAnnotator('anthropic:claude-haiku-4-6', settings).prepare?.()).rejects.toThrow(
        /anthropic:claude-haiku-4-6 is not a model the provider lists for this key; close matches: claude-haiku-4-5-20251001/,
      );
      const paths = server.requests.map((request) => request.path);
      expect(paths.filter((path) => path.startsWith('/v1/models'))).toHaveLength(4);
      expect(paths.some((path) => /after_id=claude-sonnet-4-6/.test(path))).toBe(true);
      expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('Gemini: names come as models/<id>, paged by pageToken; an unlisted model fails', async () => {
    const server = await startFakeGoogleServer({ models: ['gemini-2.5-pro', 'gemini-3-pro-preview', 'gemini-3-flash-preview', 'gemini-flash-latest'] });
    try {
      const settings = { baseUrl: server.url, env: { GEMINI_API_KEY: 'gm-test' } };
      await expect(createAnnotator('google:gemini-flash-latest', settings).prepare?.()).resolves.toBeUndefined();
      await expect(createAnnotator('google:gemini-3-flash', settings).prepare?.()).rejects.toThrow(
        /google:gemini-3-flash is not a model the provider lists for this key; close matches: gemini-3-flash-preview/,
      );
    } finally {
      await server.close();
    }
  });

  it('a provider without the endpoint (404) is not checked: the first request will tell', async () => {
    const server = await startFakeAnthropicServer();
    try {
      await expect(createAnnotator('anthropic:claude-haiku-4-5', { baseUrl: server.url, env: { ANTHROPIC_API_KEY: 'k' } }).prepare?.()).resolves.toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('a snapshot is a dated suffix, not any longer name', () => {
    expect(isListed('gpt-4o', ['gpt-4o-2024-08-06'])).toBe(true);
    expect(isListed('claude-haiku-4-5', ['claude-haiku-4-5-20251001'])).toBe(true);
    expect(isListed('gpt-4o', ['gpt-4o-mini'])).toBe(false);
    expect(isListed('gpt-5', ['gpt-5.1'])).toBe(false);
  });
});
