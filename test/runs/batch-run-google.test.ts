import { describe } from 'vitest';
import { startFakeGoogleServer } from '../support/fake-google-server.js';
import { runBatchProviderScenarios } from '../support/batch-provider-scenarios.js';

const env = { GEMINI_API_KEY: 'gemini-test-batch' };

describe('batch mode against a stand-in Gemini batch mode (inline requests)', { timeout: 60_000 }, () => {
  runBatchProviderScenarios({
    model: 'google:gemini-3-flash', env,
    start: (batch = {}) => startFakeGoogleServer({ apiKey: env.GEMINI_API_KEY, batch }),
    isOnline: (path) => path.endsWith(':generateContent'),
    transientStatus: 503,
    invalidMessage: 'Unable to process input image.',
    lostCreateFoundBy: "its display name (Gemini's create is not idempotent)",
  });
});
