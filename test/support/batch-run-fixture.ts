import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { demoFace } from './demo-faces.js';
import { makeTempDir } from './make-clips.js';
import { type RunOutcome, runAnnotation, type RunSession } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';

/**
 * For a `describe` of batch runs against one provider's stand-in: six demo faces in a temporary
 * folder, and `runWith(server, database, session)`, the same `multi` run of `model` (two images per
 * request) through the server's base URL into its own store.
 */
export function batchRunFixture(model: string, env: NodeJS.ProcessEnv): {
  runWith: (server: { url: string }, database: string, session?: Partial<RunSession>) => Promise<RunOutcome>;
} {
  const { dir, cleanup } = makeTempDir();
  const images = join(dir, 'images');
  beforeAll(() => {
    mkdirSync(images);
    ([1, 2, 3, 4, 5, 6] as const).map(demoFace).forEach((source, index) => copyFileSync(source, join(images, `face-${index}.jpg`)));
  });
  afterAll(cleanup);
  return {
    runWith: async (server, database, session = {}) => {
      const store = RunStore.open(join(dir, database));
      try {
        const spec = runSpecOf([images], { model, strategy: 'multi', frames: 2, annotatorSettings: { baseUrl: server.url } });
        return await runAnnotation(spec, { store, env, concurrency: 2, ...session });
      } finally {
        store.close();
      }
    },
  };
}
