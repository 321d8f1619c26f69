import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/annotators/annotator-registry.js';
import { mapPath, parsePathMapping } from '../../src/queue/path-map.js';
import { EMOLABEL_VERSION, jobIdOf, QUEUE_NAME, type QueueJob } from '../../src/queue/queue-job.js';
import { type QueueWorker, startQueueWorker } from '../../src/queue/queue-worker.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
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

describe.skipIf(redisServer.missing !== undefined)('emolabel worker refuses jobs it must not label, with the reason', () => {
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
      expect(io.err()).toMatch(/stopped after 0\/1 items: The job of \S+demo1?\S* failed: worker \S+ refused the job of run \S+: .*OPENAI_API_KEY/);
      expect(io.err()).toMatch(/resume with: emolabel annotate --resume/);
      const again = captureIo(dir, {});
      expect(await runCli(args, again)).toBe(1);
      expect(again.err()).toMatch(/resuming \S+: 1 items, 0 already done/);
    } finally {
      cleanup();
    }
  }, 60_000);
});
