import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { BatchStore } from '../../src/store/batch-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { type FakeOpenAiBatchOptions, startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { batchRunFixture } from '../support/batch-run-fixture.js';
import { withLostBatchCreate } from '../support/lost-batch-create.js';

const ITEMS = 6;
const env = { OPENAI_API_KEY: 'sk-test-batch' };
const noWait = async () => {};

describe('batch mode against a stand-in OpenAI Batch API', { timeout: 60_000 }, () => {
  const { runWith, storePath } = batchRunFixture('openai:gpt-4o-mini', env);
  const start = async (batch: FakeOpenAiBatchOptions = {}) => startFakeOpenAiServer({ apiKey: env.OPENAI_API_KEY, batch });
  const chatRequests = (server: { requests: Array<{ path: string; rawBody: string }> }) => server.requests.filter((request) => request.path === '/v1/chat/completions');

  it('one batch for a small run: every row ok, no online request, and exactly half the online cost', async () => {
    const server = await start();
    try {
      const batch = await runWith(server, 'batch.db', { batch: { sleep: noWait } });
      expect(server.batches.batches).toHaveLength(1);
      expect(server.batches.batches[0]?.lines).toHaveLength(ITEMS);
      expect(chatRequests(server)).toHaveLength(0);
      expect(batch.run.status).toBe('done');
      expect(batch.results.map((result) => result.error ?? result.status)).toEqual(Array(ITEMS).fill("ok"));
      expect(batch.batches).toEqual({ submitted: ITEMS, open: 0 });

      const online = await runWith(server, 'online.db');
      expect(chatRequests(server)).toHaveLength(ITEMS);
      expect(online.summary.inputTokens).toBe(batch.summary.inputTokens);
      expect(online.summary.costUsd).toBeGreaterThan(0);
      expect(batch.summary.costUsd).toBeCloseTo(online.summary.costUsd / 2, 12);
      // The batch sent exactly the online bodies.
      const sent = chatRequests(server).map((request) => request.rawBody).sort();
      expect(server.batches.batches[0]?.lines.map((line) => JSON.stringify(line.body)).sort()).toEqual(sent);
    } finally {
      await server.close();
    }
  });

  it('the frame strategy puts every frame of every item in the first batch', async () => {
    const server = await start();
    try {
      const outcome = await runWith(server, 'frames.db', { batch: { sleep: noWait } }, 'frame');
      // Photos are one frame each: one request per item, all in one batch.
      expect(server.batches.batches).toHaveLength(1);
      expect(outcome.results.every((result) => result.status === 'ok')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('--no-wait submits and returns; the same run again collects without submitting again', async () => {
    const server = await start({ pollsUntilDone: 2 });
    try {
      const first = await runWith(server, 'nowait.db', { batch: { wait: false, sleep: noWait } });
      expect(first.stopped?.reason).toBe('batch');
      expect(first.run.status).toBe('interrupted');
      expect(first.results).toHaveLength(0);
      expect(server.batches.batches).toHaveLength(1);
      const second = await runWith(server, 'nowait.db', { batch: { sleep: noWait } });
      expect(second.resumed).toBe(true);
      expect(second.run.status).toBe('done');
      expect(server.batches.batches).toHaveLength(1);
      expect(chatRequests(server)).toHaveLength(0);
      expect(second.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS);
    } finally {
      await server.close();
    }
  });

  it('expired lines go in a follow-up batch, a 400 line is that item\'s error, and every item ends with a status', async () => {
    const server = await start({ lineOutcome: ({ index, batch }) => (batch === 0 && index === 0 ? 'expired' : batch === 0 && index === 1 ? { status: 400, message: 'Invalid image.' } : 'ok') });
    try {
      const outcome = await runWith(server, 'retries.db', { batch: { sleep: noWait } });
      expect(server.batches.batches).toHaveLength(2);
      expect(server.batches.batches[1]?.lines).toHaveLength(1);
      expect(outcome.run.status).toBe('done');
      const statuses = outcome.results.map((result) => result.status).sort();
      expect(statuses).toEqual([...Array(ITEMS - 1).fill('ok'), 'error'].sort());
      expect(outcome.results.find((result) => result.status === 'error')?.error).toMatch(/HTTP 400: Invalid image/);
      expect(chatRequests(server)).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('a batch that fails validation is tried once more, then its items end with an error naming it', async () => {
    const server = await start({ failValidation: () => true });
    try {
      const outcome = await runWith(server, 'failed.db', { batch: { sleep: noWait } });
      expect(outcome.run.status).toBe('done');
      expect(outcome.results).toHaveLength(ITEMS);
      expect(outcome.results.every((result) => result.status === 'error' && /batch failed/.test(result.error ?? ''))).toBe(true);
      const store = RunStore.open(storePath('failed.db'));
      expect(new BatchStore(store.database).listBatches().map((batch) => batch.state)).toEqual(['failed', 'failed']);
      store.close();
    } finally {
      await server.close();
    }
  });

  it('a create call whose answer was lost is found by its name on the next run, not submitted again', async () => {
    const server = await start();
    try {
      const real = createAnnotator('openai:gpt-4o-mini', { baseUrl: server.url, env });
      const losing = withLostBatchCreate(real);
      await expect(runWith(server, 'lost.db', { annotator: losing, batch: { sleep: noWait } })).rejects.toThrow(/Could not submit batch emolabel-.*socket hang up/);
      expect(server.batches.batches).toHaveLength(1);
      const outcome = await runWith(server, 'lost.db', { batch: { sleep: noWait } });
      expect(server.batches.batches).toHaveLength(1);
      expect(outcome.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS);
    } finally {
      await server.close();
    }
  });

  it('--max-cost holds for batches: nothing is submitted past it, and the run stops on the budget', async () => {
    const server = await start();
    try {
      const outcome = await runWith(server, 'budget.db', { maxCostUsd: 0.000_001, batch: { sleep: noWait } });
      expect(outcome.stopped?.reason).toBe('budget');
      expect(server.batches.batches).toHaveLength(0);
      expect(chatRequests(server)).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it('--service-tier flex: sent online with service_tier flex, priced at the batch rate', async () => {
    const server = await start();
    try {
      const flex = await runWith(server, 'flex.db', {}, 'multi', { serviceTier: 'flex' });
      const plain = await runWith(server, 'plain.db');
      const bodies = chatRequests(server).map((request) => JSON.parse(request.rawBody) as { service_tier?: string });
      expect(bodies.map((body) => body.service_tier ?? 'none')).toEqual([...Array(ITEMS).fill('flex'), ...Array(ITEMS).fill('none')]);
      expect(flex.results.every((result) => result.status === 'ok')).toBe(true);
      expect(flex.summary.costUsd).toBeCloseTo(plain.summary.costUsd / 2, 12);
    } finally {
      await server.close();
    }
  });

  it('an unreadable batch answer is repaired online by default, or in a next batch with followUps: batch', async () => {
    const unreadableFirst = { lineOutcome: ({ index, batch }: { index: number; batch: number }) => (batch === 0 && index === 0 ? 'malformed-answer' as const : 'ok' as const) };
    const online = await start(unreadableFirst);
    try {
      const outcome = await runWith(online, 'repair-online.db', { batch: { sleep: noWait } });
      expect(online.batches.batches).toHaveLength(1);
      expect(chatRequests(online)).toHaveLength(1);
      expect(outcome.results.every((result) => result.status === 'ok')).toBe(true);
      expect(outcome.results.filter((result) => result.warnings.some((warning) => /repaired with one more request/.test(warning)))).toHaveLength(1);
    } finally {
      await online.close();
    }
    const batched = await start(unreadableFirst);
    try {
      const outcome = await runWith(batched, 'repair-batch.db', { batch: { sleep: noWait, followUps: 'batch' } });
      expect(batched.batches.batches.map((batch) => batch.lines.length)).toEqual([ITEMS, 1]);
      expect(chatRequests(batched)).toHaveLength(0);
      expect(outcome.results.every((result) => result.status === 'ok')).toBe(true);
    } finally {
      await batched.close();
    }
  });
});
