import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { type FakeAnthropicBatchOptions, startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import { batchRunFixture } from '../support/batch-run-fixture.js';
import { withLostBatchCreate } from '../support/lost-batch-create.js';

const ITEMS = 6;
const env = { ANTHROPIC_API_KEY: 'sk-ant-test-batch' };
const noWait = async () => {};

describe('batch mode against a stand-in Anthropic Message Batches API', { timeout: 60_000 }, () => {
  const { runWith } = batchRunFixture('anthropic:claude-haiku-4-5', env);
  const start = (batch: FakeAnthropicBatchOptions = {}) => startFakeAnthropicServer({ apiKey: env.ANTHROPIC_API_KEY, batch });
  const online = (server: { requests: Array<{ path: string }> }) => server.requests.filter((request) => request.path === '/v1/messages');

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

  it('expired and overloaded requests go in a follow-up batch; an invalid one is its item\'s error', async () => {
    const outcomes = ['expired', { status: 529 }, { status: 400, message: 'messages.0.content.0.image: invalid base64' }] as const;
    const server = await start({ lineOutcome: ({ index, batch }) => (batch === 0 ? (outcomes[index] ?? 'ok') : 'ok') });
    try {
      const outcome = await runWith(server, 'retries.db', { batch: { sleep: noWait } });
      expect(server.batches.batches.map((batch) => batch.requests.length)).toEqual([ITEMS, 2]);
      const errors = outcome.results.filter((result) => result.status === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.error).toMatch(/HTTP 400: messages\.0\.content\.0\.image: invalid base64/);
      expect(outcome.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS - 1);
      expect(online(server)).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('a create whose answer was lost is found by its time and size (Anthropic batches have no name)', async () => {
    const server = await start();
    try {
      const real = createAnnotator('anthropic:claude-haiku-4-5', { baseUrl: server.url, env });
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
