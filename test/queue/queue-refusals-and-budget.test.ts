import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { mapPath, parsePathMapping } from '../../src/queue/path-map.js';
import { EMOLABEL_VERSION, jobIdOf, QUEUE_NAME, type QueueJob } from '../../src/queue/queue-job.js';
import { type QueueWorker, startQueueWorker } from '../../src/queue/queue-worker.js';
import { createRedisRateLimiter } from '../../src/queue/redis-rate-limiter.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { RunStore } from '../../src/store/run-store.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { startFaultyOpenAiServer } from '../support/faulty-openai-server.js';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { findRedisServer, startTestRedis, type TestRedis } from '../support/redis-server.js';

const redisServer = findRedisServer();
if (redisServer.missing) console.warn(`Skipping the queue worker refusal tests: ${redisServer.missing}`);

describe('--path-map', () => {
  it('maps a path under FROM to the same path under TO, and leaves others alone', () => {
    const mappings = [parsePathMapping('/data/=/mnt/data')];
    expect(mapPath('/data/clips/a.mp4', mappings)).toBe('/mnt/data/clips/a.mp4');
    expect(mapPath('/data', mappings)).toBe('/mnt/data');
    expect(mapPath('/database/a.mp4', mappings)).toBe('/database/a.mp4');
    expect(() => parsePathMapping('data=/mnt')).toThrow(/FROM=TO with two absolute paths/);
  });
});

describe('job ids', () => {
  it('are the same for the same run and item, and carry no colon (BullMQ refuses those)', () => {
    expect(jobIdOf('r1', 'clips/a')).toBe(jobIdOf('r1', 'clips/a'));
    expect(jobIdOf('r1', 'clips/a')).not.toBe(jobIdOf('r1', 'clips/b'));
    expect(jobIdOf('r1', 'a:b')).not.toContain(':');
  });
});

describe.skipIf(redisServer.missing !== undefined)('emolabel worker refuses jobs it must not label, with the reason; the coordinator holds the budget; Redis holds the rate limit', () => {
  let redis: TestRedis;
  let worker: QueueWorker;
  let queue: Queue<QueueJob>;
  let events: QueueEvents;

  beforeAll(async () => {
    redis = await startTestRedis(redisServer.binary as string);
    worker = await startQueueWorker({ url: redis.url, concurrency: 1, env: {} });
    queue = new Queue(QUEUE_NAME, { connection: { url: redis.url } });
    events = new QueueEvents(QUEUE_NAME, { connection: { url: redis.url } });
    await events.waitUntilReady();
  }, 60_000);
  afterAll(async () => {
    await events?.close();
    await queue?.close();
    await worker?.close();
    await redis?.stop();
  });

  /** A job as `annotate --queue` makes it, for one demo photo, with `change` applied. */
  function jobOf(runId: string, change: (job: QueueJob) => QueueJob): QueueJob {
    const spec = runSpecOf([join(demoFace(1), '..')], { model: 'openai-compatible:any', annotatorSettings: { baseUrl: 'http://127.0.0.1:9/v1' } });
    const annotator = createAnnotator(spec.model, spec.annotatorSettings);
    return change({
      emolabelVersion: EMOLABEL_VERSION, runId, fingerprint: 'f', spec: { ...spec, inputs: [] }, annotatorSettings: spec.annotatorSettings ?? {},
      settingsIdentity: { ...annotator.settingsIdentity }, item: { id: 'demo-1', path: demoFace(1), kind: 'image' }, limits: { cache: true },
    });
  }

  async function failureOf(data: QueueJob): Promise<string> {
    const job = await queue.add('item', data, { jobId: jobIdOf(data.runId, data.item.id) });
    return job.waitUntilFinished(events, 30_000).then(() => 'completed', (error: Error) => error.message);
  }

  it('a job queued by another emolabel version', async () => {
    const reason = await failureOf(jobOf('run-version', (job) => ({ ...job, emolabelVersion: '0.0.1-older' })));
    expect(reason).toMatch(new RegExp(`refused the job of run run-version: it runs emolabel ${EMOLABEL_VERSION.replaceAll('.', '\\.')}, the run was queued by emolabel 0\\.0\\.1-older`));
    expect(reason).toMatch(/same emolabel version/);
  });

  it('a job whose annotator this machine makes with other settings (another prompt file, another parser)', async () => {
    const reason = await failureOf(jobOf('run-settings', (job) => ({ ...job, settingsIdentity: { ...job.settingsIdentity, parser: 'v0' } })));
    expect(reason).toMatch(/refused the job of run run-settings: it makes openai-compatible:any with other settings than the coordinator \(`parser` is "v2" here and "v0" on the coordinator\)/);
  });

  it('a job whose spec this emolabel cannot read', async () => {
    const reason = await failureOf(jobOf('run-spec', (job) => ({ ...job, spec: { ...job.spec, strategy: 7 } })));
    expect(reason).toMatch(/refused the job of run run-spec: The spec of run run-spec is not a valid run spec \(`strategy`/);
  });

  it('a worker without the key refuses, and the coordinator (which needs none) stops the run with its reason; a resume queues the job again', async () => {
    const { dir, cleanup } = makeTempDir('emolabel-queue-refusal-');
    try {
      const args = ['annotate', demoFace(1), '--model', 'openai:gpt-4o-mini', '--queue', redis.url, '--db', join(dir, 'runs.db')];
      const io = captureIo(dir, {});
      expect(await runCli(args, io)).toBe(1);
      expect(io.err()).toMatch(/stopped after 0\/1 items?: The job of \S+demo1?\S* failed: worker \S+ refused the job of run \S+: .*OPENAI_API_KEY/);
      expect(io.err()).toMatch(/resume with: emolabel annotate --resume/);
      const again = captureIo(dir, {});
      expect(await runCli(args, again)).toBe(1);
      expect(again.err()).toMatch(/resuming \S+: 1 items?, 0 already done/);
    } finally {
      cleanup();
    }
  }, 60_000);

  it('the coordinator releases a job only while the budget holds it at the estimate of an item, and stops when the next would not fit', async () => {
    const { dir, cleanup } = makeTempDir('emolabel-queue-budget-');
    const server = await startFaultyOpenAiServer();
    try {
      writeFileSync(join(dir, 'prices.json'), JSON.stringify({
        models: { 'openai-compatible:any': { inputPerMillion: 0.5, outputPerMillion: 1.5, maxImagesPerRequest: 16, imageTokens: { rule: 'flat', tokens: 500 } } },
      }));
      const demo = [1, 2, 3, 4, 5, 6].map((number) => join(import.meta.dirname, `../../node_modules/@vladmandic/face-api/demo/sample${number}.jpg`));
      const annotator = createAnnotator('openai-compatible:any', { baseUrl: server.url, priceTable: join(dir, 'prices.json') });
      const perRequest = annotator.estimate?.({ images: [{ data: Buffer.alloc(64 * 64 * 3, 128), width: 64, height: 64 }], taxonomy: basic7 }).costUsd ?? 0;
      // Before any item has come back an item is reckoned at eight requests (the frames a clip would have):
      // half of that is less than one item, so nothing may be released.
      const args = (maxCost: number, db: string) => [
        'annotate', ...demo, '--model', 'openai-compatible:any', '--base-url', server.url, '--price-table', 'prices.json', '--queue', redis.url, '--db', db, '--max-cost', String(maxCost),
      ];
      const io = captureIo(dir, {});
      expect(await runCli(args(perRequest * 4, 'small.db'), io)).toBe(4);
      expect(io.err()).toMatch(/Budget reached/);
      expect(server.requests).toHaveLength(0);
      // A budget of a little over one item: one job is out; once it is paid, paid + one more item would pass it.
      const maxCost = perRequest * 8 * 1.02;
      expect(await runCli(args(maxCost, 'larger.db'), captureIo(dir, {}))).toBe(4);
      const store = RunStore.open(join(dir, 'larger.db'));
      try {
        const run = store.listRuns()[0];
        const paid = new ResponseStore(store.database).paidSoFar(run?.id ?? '');
        expect(run?.done).toBe(1);
        expect(paid.usd).toBeGreaterThan(0);
        expect(paid.usd).toBeLessThanOrEqual(maxCost);
        expect(server.requests).toHaveLength(1);
      } finally {
        store.close();
      }
    } finally {
      await server.close();
      cleanup();
    }
  }, 60_000);

  it('two workers share one provider\'s rate limit in Redis: a burst of 10 s of 60 rpm is 10 requests between them, then the next waits about a second', async () => {
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    try {
      const [first, second] = clients.map((client) => createRedisRateLimiter({ redis: client, key: 'emolabel:rate:test-provider', requestsPerMinute: 60, burstSeconds: 10 }));
      const waits: number[] = [];
      for (let index = 0; index < 10; index += 1) waits.push(await (index % 2 === 0 ? first : second)?.tryAcquire(0) ?? -1);
      expect(waits).toEqual(Array(10).fill(0));
      const next = (await second?.tryAcquire(0)) ?? 0;
      expect(next).toBeGreaterThan(900);
      expect(next).toBeLessThanOrEqual(1000);
      // A 429's Retry-After on one worker holds the other too.
      first?.pause(30_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await second?.tryAcquire(0)).toBeGreaterThan(29_000);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });
});
