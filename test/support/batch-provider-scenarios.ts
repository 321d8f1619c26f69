import { expect, it } from 'vitest';
import { batchRunFixture } from './batch-run-fixture.js';
import { withLostBatchCreate } from './lost-batch-create.js';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import type { FakeBatchLineOutcome } from '../../src/testing/fake-openai-batch.js';

const ITEMS = 6;
const noWait = async () => {};

/** A provider's stand-in with a batch API, as the scenarios drive it. */
interface BatchServer {
  readonly url: string;
  readonly requests: Array<{ path: string }>;
  readonly batches: { batches: Array<{ requests: readonly unknown[] }> };
  close(): Promise<void>;
}

/** The batch options every stand-in takes: how each line of each batch is answered. */
interface LineOutcomes {
  readonly lineOutcome?: (line: { readonly index: number; readonly batch: number }) => FakeBatchLineOutcome;
}

/** What differs between providers in the same batch scenarios. */
export interface BatchProviderCase {
  readonly model: string;
  readonly env: NodeJS.ProcessEnv;
  /** Starts the provider's stand-in with these batch options. */
  start(batch?: LineOutcomes): Promise<BatchServer>;
  /** Whether a recorded request was an online one (not part of the batch API). */
  isOnline(path: string): boolean;
  /** The provider's transient status for a batch line (Anthropic 529 overloaded, Gemini 503 unavailable). */
  readonly transientStatus: number;
  readonly invalidMessage: string;
  /** How a lost create is found again, for the test's name. */
  readonly lostCreateFoundBy: string;
}

/**
 * The batch scenarios every provider with a batch API must pass, through its stand-in: one batch at
 * half the online cost, failed lines in a follow-up batch, a lost create found instead of made twice.
 */
export function runBatchProviderScenarios(provider: BatchProviderCase): void {
  const { runWith } = batchRunFixture(provider.model, provider.env);
  const online = (server: BatchServer) => server.requests.filter((request) => provider.isOnline(request.path));

  it('one batch, every row ok, no online request, half the online cost', async () => {
    const server = await provider.start();
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

  it(`expired and HTTP ${provider.transientStatus} lines go in a follow-up batch; an invalid one is its item's error`, async () => {
    // The first batch answers its first three lines expired (Gemini: no response), transient, invalid.
    const outcomes: FakeBatchLineOutcome[] = ['expired', { status: provider.transientStatus }, { status: 400, message: provider.invalidMessage }];
    const server = await provider.start({ lineOutcome: ({ index, batch }) => (batch === 0 ? (outcomes[index] ?? 'ok') : 'ok') });
    try {
      const outcome = await runWith(server, 'retries.db', { batch: { sleep: noWait } });
      expect(server.batches.batches.map((batch) => batch.requests.length)).toEqual([ITEMS, 2]);
      const errors = outcome.results.filter((result) => result.status === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.error).toContain(`HTTP 400: ${provider.invalidMessage}`);
      expect(outcome.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS - 1);
      expect(online(server)).toHaveLength(0);
    } finally {
      await server.close();
    }
  });

  it(`a create whose answer was lost is found by ${provider.lostCreateFoundBy}, not made twice`, async () => {
    const server = await provider.start();
    try {
      const losing = withLostBatchCreate(createAnnotator(provider.model, { baseUrl: server.url, env: provider.env }));
      await expect(runWith(server, 'lost.db', { annotator: losing, batch: { sleep: noWait } })).rejects.toThrow(/socket hang up/);
      const outcome = await runWith(server, 'lost.db', { batch: { sleep: noWait } });
      expect(server.batches.batches).toHaveLength(1);
      expect(outcome.results.filter((result) => result.status === 'ok')).toHaveLength(ITEMS);
    } finally {
      await server.close();
    }
  });
}
