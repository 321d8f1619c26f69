import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

describe('a run that fails before its first item', () => {
  const { dir, cleanup } = makeTempDir('emolabel-failed-run-');
  afterAll(cleanup);

  it('leaves no empty "running" run behind: the newest run is still the last real one', async () => {
    const store = RunStore.open(join(dir, 'runs.db'));
    try {
      mkdirSync(join(dir, 'faces'));
      copyFileSync(demoFace(1), join(dir, 'faces', 'face-1.jpg'));
      const good = await runAnnotation(runSpecOf([join(dir, 'faces')], { model: 'mock:scripted', faces: 'none' }), {
        store, annotator: new MockAnnotator([{ status: 'ok', label: 'Happy', confidence: 0.9, costUsd: 0.001 }]),
      });
      mkdirSync(join(dir, 'empty'));
      await expect(runAnnotation(runSpecOf([join(dir, 'empty')], { model: 'mock:scripted' }), { store, annotator: new MockAnnotator([]) }))
        .rejects.toThrow(/No images, videos or frame folders found/);
      expect(store.listRuns().map((run) => run.id)).toEqual([good.run.id]);
      expect(store.latestRun()?.id).toBe(good.run.id);
    } finally {
      store.close();
    }
  });
});
