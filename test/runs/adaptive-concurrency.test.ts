import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { createResilienceStats } from '../../src/runs/resilience/resilience-stats.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeAnthropicServer } from '../support/fake-anthropic-server.js';
import { type FakeProviderLimits, startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeFrameFolder, makeTempDir } from '../support/make-clips.js';

describe('--concurrency auto against a provider that pushes back', () => {
  const { dir, cleanup } = makeTempDir('emolabel-adaptive-concurrency-');
  afterAll(cleanup);
  const clips = join(dir, 'clips');
  // 12 clips of 8 frames of a real face, one request per frame with `frame`: 96 requests. The faces
  // are made small, so decoding them is quick and the provider, not the input, holds the rate.
  beforeAll(async () => {
    const stills = await Promise.all(([1, 2, 3] as const).map(async (number) => {
      const still = join(dir, `face-${number}.jpg`);
      await sharp(demoFace(number)).resize(96, 96, { fit: 'cover' }).jpeg().toFile(still);
      return still;
    }));
    for (let clip = 1; clip <= 12; clip += 1) makeFrameFolder(stills[clip % 3] as string, join(clips, `clip-${clip}`), 8);
  });

  async function run(limits: FakeProviderLimits, concurrency: number | 'auto', burstSeconds?: number, inputs: readonly string[] = [clips]) {
    const server = await startFakeOpenAiServer({ limits });
    const store = RunStore.open(join(dir, `${Math.random().toString(36).slice(2)}.db`));
    const stats = createResilienceStats();
    try {
      const spec = runSpecOf(inputs, { model: 'openai-compatible:any', strategy: 'frame', faces: 'none', frames: 8, clipFolders: true, annotatorSettings: { baseUrl: server.url } });
      const outcome = await runAnnotation(spec, {
        store, env: {}, concurrency, cache: false,
        resilience: { stats, retry: { maxAttempts: 12, baseDelayMs: 10 }, ...(burstSeconds === undefined ? {} : { burstSeconds }) },
      });
      return { outcome, stats, server: server.limitStats };
    } finally {
      store.close();
      await server.close();
    }
  }

  it('grows past its start, cuts on 429s, and turns far fewer requests away than a fixed high limit', async () => {
    const cap: FakeProviderLimits = { latencyMs: 60, maxInFlight: 6 };
    const adaptive = await run(cap, 'auto');
    expect(adaptive.outcome.results.map((result) => result.status)).toEqual(Array(12).fill('ok'));
    const report = adaptive.outcome.requestLimit;
    expect(report).toMatchObject({ mode: 'adaptive', initial: 4, max: 64 });
    expect(report?.peak).toBeGreaterThan(6);
    expect(report?.decreases).toBeGreaterThanOrEqual(1);
    expect(report?.pushBacks).toBe(adaptive.server.rejected);
    expect(adaptive.server.answered).toBe(96);

    const fixed = await run(cap, 24);
    expect(fixed.outcome.results.map((result) => result.status)).toEqual(Array(12).fill('ok'));
    expect(fixed.outcome.requestLimit).toMatchObject({ mode: 'fixed', final: 24, decreases: 0 });
    // 24 at once against a cap of 6 sends 18 too many in every wave; the adaptive limit hovers at the cap.
    expect(adaptive.server.rejected).toBeLessThan(fixed.server.rejected / 2);
  });

  it('grows on photos too, where each item is one request', async () => {
    const photos = join(dir, 'photos');
    makeFrameFolder(join(dir, 'face-1.jpg'), photos, 60);
    const server = await startFakeOpenAiServer({ limits: { latencyMs: 60, maxInFlight: 10 } });
    const store = RunStore.open(join(dir, 'photos.db'));
    try {
      const spec = runSpecOf([photos], { model: 'openai-compatible:any', faces: 'none', annotatorSettings: { baseUrl: server.url } });
      const outcome = await runAnnotation(spec, { store, env: {}, cache: false, resilience: { retry: { maxAttempts: 12, baseDelayMs: 10 } } });
      expect(outcome.summary.ok).toBe(60);
      expect(outcome.requestLimit?.peak).toBeGreaterThan(4);
    } finally {
      store.close();
      await server.close();
    }
  });

  it('stops growing against a server that queues instead of answering 429 (Ollama, vLLM)', async () => {
    // Two requests worked on at once, 50 ms each; the rest wait their turn at the server.
    const queueing = await run({ latencyMs: 50, parallel: 2 }, 'auto');
    expect(queueing.outcome.results.map((result) => result.status)).toEqual(Array(12).fill('ok'));
    expect(queueing.server.rejected).toBe(0);
    // Without the latency guard every answer of a full window added a slot: 50 of 64 by the end here.
    expect(queueing.outcome.requestLimit?.peak).toBeLessThanOrEqual(32);
    expect(queueing.outcome.requestLimit?.latencyHolds).toBeGreaterThan(0);
  });

  it("follows the provider's stated rate (x-ratelimit headers) instead of probing it with 429s", async () => {
    // 600 requests a minute (10 a second) with 1 s of it at once; each answer states the limit.
    const account: FakeProviderLimits = { latencyMs: 20, requestsPerMinute: 600, burstSeconds: 1 };
    const sixClips = Array.from({ length: 6 }, (_, index) => join(clips, `clip-${index + 1}`));
    const following = await run(account, 'auto', 0.5, sixClips);
    expect(following.outcome.results.map((result) => result.status)).toEqual(Array(6).fill('ok'));
    expect(following.stats.providerLimits).toEqual({ requestsPerMinute: 600 });
    expect(following.server.rejected).toBe(0);
    expect(following.outcome.requestLimit?.limitedMs.provider).toBeGreaterThan(0);

    // The same account without the headers: the limit grows until the provider turns requests away.
    const blind = await run({ ...account, headers: false }, 'auto', 0.5, sixClips);
    expect(blind.outcome.results.map((result) => result.status)).toEqual(Array(6).fill('ok'));
    expect(blind.stats.providerLimits).toBeUndefined();
    expect(blind.server.rejected).toBeGreaterThan(0);
  });

  it('a limit given with --rpm wins over the stated one', async () => {
    const given = await runWithRpm();
    expect(given.stats.providerLimits).toBeUndefined();
    async function runWithRpm() {
      const server = await startFakeOpenAiServer({ limits: { requestsPerMinute: 6_000 } });
      const store = RunStore.open(join(dir, 'rpm.db'));
      const stats = createResilienceStats();
      try {
        const spec = runSpecOf([join(clips, 'clip-1')], { model: 'openai-compatible:any', strategy: 'frame', faces: 'none', frames: 8, clipFolders: true, annotatorSettings: { baseUrl: server.url } });
        await runAnnotation(spec, { store, env: {}, cache: false, resilience: { stats, rpm: 600 } });
        return { stats };
      } finally {
        store.close();
        await server.close();
      }
    }
  });

  it('the CLI summary says the rate reached, what the limit became and what held the rate', async () => {
    const server = await startFakeOpenAiServer({ limits: { latencyMs: 30, maxInFlight: 5 } });
    try {
      const io = captureIo(dir);
      const code = await runCli(['annotate', clips, '--clip-folders', '--faces', 'none', '--model', 'openai-compatible:any', '--base-url', server.url, '--db', 'cli.db', '--out', 'cli.csv', '--no-cache', '--retries', '10'], io);
      expect(code).toBe(0);
      expect(io.err()).toMatch(/requests: \d+\.\d answered\/s; concurrency auto 4 → \d+(?: \(peak \d+\))?, max 64(?:, cut \d+× after \d+ rate-limited answers?)?; held by the (provider|concurrency limit|input)[^\n]*\d+%/);
    } finally {
      await server.close();
    }
  });

  it("follows Anthropic's anthropic-ratelimit-* headers through the Messages API client", async () => {
    const server = await startFakeAnthropicServer({ apiKey: 'sk-ant-test', rateLimits: { requestsPerMinute: 50, inputTokensPerMinute: 40_000, outputTokensPerMinute: 8_000 } });
    const store = RunStore.open(join(dir, 'anthropic.db'));
    const stats = createResilienceStats();
    try {
      const spec = runSpecOf([join(clips, 'clip-1')], { model: 'anthropic:claude-haiku-4-5', strategy: 'frame', faces: 'none', frames: 8, clipFolders: true, annotatorSettings: { baseUrl: server.url } });
      const outcome = await runAnnotation(spec, { store, env: { ANTHROPIC_API_KEY: 'sk-ant-test' }, cache: false, resilience: { stats } });
      expect(outcome.results.map((result) => result.status)).toEqual(['ok']);
      // Its input tokens limit, not `tokens-limit` (48,000 here: input and output added, though output binds at 8,000).
      expect(stats.providerLimits).toEqual({ requestsPerMinute: 50, tokensPerMinute: 40_000 });
    } finally {
      store.close();
      await server.close();
    }
  });
});
