import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type AnnotatorMiddleware, wrapAnnotator } from '../../../src/annotators/annotator-middleware.js';
import { createFaceApiExpressionAnnotator } from '../../../src/annotators/local/face-api-expression-annotator.js';
import { annotateItem, type ItemContext } from '../../../src/pipeline/annotate-item.js';
import { createItemWorkerPool } from '../../../src/pipeline/workers/item-worker-pool.js';
import { planItemWorkers, type ItemWorkersRequest } from '../../../src/pipeline/workers/plan-item-workers.js';
import type { ItemWorkerSettings } from '../../../src/pipeline/workers/worker-protocol.js';
import { frameVoteStrategy } from '../../../src/strategies/frame-vote-strategy.js';
import { basic7 } from '../../../src/taxonomy/taxonomy.js';
import { demoFace } from '../../support/demo-faces.js';
import { MockAnnotator } from '../../support/mock-annotator.js';

const settings: ItemWorkerSettings = { mode: 'annotate', frameCount: 4, faceMode: 'largest', taxonomy: basic7,
  annotator: createFaceApiExpressionAnnotator().capabilities.worker!, strategy: frameVoteStrategy.worker! };
const photo = (number: 1 | 2 | 3 | 4 | 5 | 6) => ({ id: `photo-${number}`, path: demoFace(number), kind: 'image' as const });
const crashingWorker = new URL('../../support/crashing-item-worker.ts', import.meta.url);

describe('planItemWorkers', () => {
  const local: ItemWorkersRequest = {
    concurrency: 2, annotator: createFaceApiExpressionAnnotator(), strategy: frameVoteStrategy, taxonomy: basic7, customDetector: false, frameCount: 8, faceMode: 'largest',
  };

  it('runs whole items of the bundled local model on one worker per core, at most one per item in flight', () => {
    expect(planItemWorkers(local)).toEqual(availableParallelism() > 1 ? { size: Math.min(2, availableParallelism()), mode: 'annotate' } : undefined);
    expect(planItemWorkers({ ...local, concurrency: 1 })).toBeUndefined();
    expect(planItemWorkers({ ...local, workers: 3 })).toEqual({ size: 3, mode: 'annotate' });
    expect(planItemWorkers({ ...local, workers: 1 })).toBeUndefined();
  });

  it('keeps other annotators, wrapped local ones and custom strategies on the main thread, with frames and crops on workers only when asked', () => {
    const mock = new MockAnnotator([{ status: 'ok', label: 'Happy' }]);
    expect(planItemWorkers({ ...local, annotator: mock })).toBeUndefined();
    expect(planItemWorkers({ ...local, annotator: mock, workers: 2 })).toEqual({ size: 2, mode: 'extract' });
    expect(planItemWorkers({ ...local, annotator: mock, workers: 2, faceMode: 'none' })).toBeUndefined();
    const passThrough = { specificationVersion: 'v1', name: 'pass-through', wrapAnnotate: ({ request, next }) => next(request) } satisfies AnnotatorMiddleware;
    const wrapped = wrapAnnotator({ annotator: createFaceApiExpressionAnnotator(), middleware: passThrough });
    expect(wrapped.capabilities.worker).toBeUndefined();
    expect(planItemWorkers({ ...local, annotator: wrapped, workers: 2 })).toEqual({ size: 2, mode: 'extract' });
    const { worker: _builtIn, ...custom } = { ...frameVoteStrategy, name: 'custom' };
    expect(planItemWorkers({ ...local, strategy: custom, workers: 2 })).toEqual({ size: 2, mode: 'extract' });
  });

  it('refuses worker counts that make no sense and workers with a custom detector', () => {
    expect(() => planItemWorkers({ ...local, workers: 1.5 })).toThrow('Expected `workers` to be a whole number from 1 and up, got `1.5` (number).');
    expect(() => planItemWorkers({ ...local, customDetector: true, workers: 2 })).toThrow(/custom `detector` runs on the main thread/);
    expect(planItemWorkers({ ...local, customDetector: true })).toBeUndefined();
  });
});

describe('createItemWorkerPool', () => {
  it('starts workers as items come, never more than its size, and has none left after close', async () => {
    const pool = createItemWorkerPool(settings, { size: 2 });
    expect(pool.size).toBe(0);
    expect(pool.itemsInFlight).toBe(4);
    expect(createItemWorkerPool({ mode: 'extract', frameCount: 4, faceMode: 'largest' }, { size: 2 }).itemsInFlight).toBeUndefined();
    const labelling = [1, 2, 3].map((number) => pool.annotateItem?.(photo(number as 1 | 2 | 3)));
    expect(pool.size).toBe(2);
    const results = await Promise.all(labelling);
    expect(results.map((rows) => rows?.[0]?.status)).toEqual(['ok', 'ok', 'ok']);
    await pool.close();
    expect(pool.size).toBe(0);
    await expect(pool.annotateItem?.(photo(1))).rejects.toThrow(/worker pool is closed/);
  });

  it('fails only the item whose worker died, names it, and labels the next items on a new worker', async () => {
    const pool = createItemWorkerPool(settings, { size: 1, entry: crashingWorker });
    try {
      await expect(pool.annotateItem?.(photo(2))).resolves.toMatchObject([{ status: 'ok' }]);
      await expect(pool.annotateItem?.({ id: 'crash', path: '/data/crash.jpg', kind: 'image' })).rejects.toThrow(
        '/data/crash.jpg: the worker thread labelling it stopped (exit code 7); a new worker takes the next items.',
      );
      await expect(pool.annotateItem?.(photo(3))).resolves.toMatchObject([{ status: 'ok' }]);
      expect(pool.size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('turns a dead worker into an error row naming the item, through annotateItem', async () => {
    const pool = createItemWorkerPool(settings, { size: 1, entry: crashingWorker });
    const context: ItemContext = {
      annotator: createFaceApiExpressionAnnotator(), strategy: frameVoteStrategy, taxonomy: basic7, frameCount: 4, faceMode: 'largest', workers: pool,
    };
    try {
      const rows = await annotateItem({ id: 'crash', path: '/data/crash.jpg', kind: 'image', label: 'happy' }, context);
      expect(rows).toMatchObject([{ id: 'crash', status: 'error', truth: 'Happy', model: 'local:face-api', error: expect.stringMatching(/^\/data\/crash\.jpg: the worker thread/) }]);
    } finally {
      await pool.close();
    }
  });

  it('lets the process exit when a run never closes its workers', () => {
    const script = [
      "import { annotateItems, prepareAnnotation } from './src/pipeline/annotate.ts';",
      `const prepared = await prepareAnnotation([${JSON.stringify(demoFace(1))}, ${JSON.stringify(demoFace(3))}], { workers: 2 });`,
      'const results = await annotateItems(prepared.context, prepared.items);',
      "console.log('labelled', results.flat().filter((result) => result?.status === 'ok').length, 'workers', prepared.context.workers?.size);",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 50_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('labelled 2 workers 2');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
  });
});
