import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { type FakeGoogleBatchOptions, startFakeGoogleServer } from '../support/fake-google-server.js';
import { batchRunFixture } from '../support/batch-run-fixture.js';
import { withLostBatchCreate } from '../support/lost-batch-create.js';

const ITEMS = 6;
const env = { GEMINI_API_KEY: 'gemini-test-batch' };
const noWait = async () => {};

describe('batch mode against a stand-in Gemini batch mode (inline requests)', { timeout: 60_000 }, () => {
  const { runWith } = batchRunFixture('google:gemini-3-flash', env);
  const start = (batch: FakeGoogleBatchOptions = {}) => startFakeGoogleServer({ apiKey: env.GEMINI_API_KEY, batch });
  const online = (server: { requests: Array<{ path: string }> }) => server.requests.filter((request) => request.path.endsWith(':generateContent'));

  it('one batch, every row ok, no online request, half the online cost', async () => {
    const server = await start();
    try {
      const batch = await runWith(server, 'batch.db', { batch: { sleep: noWait } });
      expect(server.batches.batches).toHaveLength(1);
      expect(server.batches.batches[0]?.requests).toHaveLength(ITEMS);
      expect(online(server)).toHaveLength(0);
      expect(batch.results.map((result) => result.error ?? result.status)).toEqual(Array(ITEMS).fill('ok'));
      const paid = await runWith(server, 'online.db');
      expect(online(server)).toHaveLength(ITEMS);
      expect(paid.summary.costUsd).toBeGreaterThan(0);
      expect([batch.summary.inputTokens, batch.summary.outputTokens]).toEqual([paid.summary.inputTokens, paid.summary.outputTokens]);
      expect(batch.summary.costUsd).toBeCloseTo(paid.summary.costUsd / 2, 12);
    } finally {
      await server.close();
    }
  });

  it('requests without a response and unavailable ones go in a follow-up batch; an invalid one is its item\'s error', async () => {
    const outcomes = ['expired', { status: 503 }, { status: 400, message: 'Unable to process input image.' }] as const;
    const server = await start({ lineOutcome: ({ index, batch }) => (batch === 0 ? (outcomes[index] ?? 'ok') : 'ok') });
    try {
      const outcome = await runWith(server, 'retries.db', { batch: { sleep: noWait } });
      expect(server.batches.batches.map((batch) => batch.requests.length)).toEqual([ITEMS, 2]);
      const errors = outcome.results.filter((result) => result.status === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.error).toMatch(/HTTP 400: Unable to process input image/);
      expect(outcome.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS - 1);
      expect(online(server)).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('a create whose answer was lost is found by its display name (Gemini\'s create is not idempotent)', async () => {
    const server = await start();
    try {
      const real = createAnnotator('google:gemini-3-flash', { baseUrl: server.url, env });
      const losing = withLostBatchCreate(real);
      await expect(runWith(server, 'lost.db', { annotator: losing, batch: { sleep: noWait } })).rejects.toThrow(/socket hang up/);
      const outcome = await runWith(server, 'lost.db', { batch: { sleep: noWait } });
      expect(server.batches.batches).toHaveLength(1);
      expect(outcome.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS);
    } finally {
      await server.close();
    }
  });
});
