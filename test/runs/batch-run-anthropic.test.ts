import { describe } from 'vitest';
import { startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import { runBatchProviderScenarios } from '../support/batch-provider-scenarios.js';

const env = { ANTHROPIC_API_KEY: 'sk-ant-test-batch' };

describe('batch mode against a stand-in Anthropic Message Batches API', { timeout: 60_000 }, () => {
  runBatchProviderScenarios({
    model: 'anthropic:claude-haiku-4-5', env,
    start: (batch = {}) => startFakeAnthropicServer({ apiKey: env.ANTHROPIC_API_KEY, batch }),
    isOnline: (path) => path === '/v1/messages',
    // 529: overloaded, Anthropic's own transient status.
    transientStatus: 529,
    invalidMessage: 'messages.0.content.0.image: invalid base64',
    lostCreateFoundBy: 'its time and size (Anthropic batches have no name)',
  });
});
