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
 * folder (real photos in which the detector finds a face, so every row can be `ok`), and
 * `runWith(server, database, session)`, the same run of `model` (`multi` unless told, two images per
 * request) through the server's base URL into its own store, which `storePath` names.
 */
export function batchRunFixture(model: string, env: NodeJS.ProcessEnv): {
  runWith: (server: { url: string }, database: string, session?: Partial<RunSession>, strategy?: string, settings?: Record<string, string>) => Promise<RunOutcome>;
  storePath: (database: string) => string;
} {
  const { dir, cleanup } = makeTempDir();
  const images = join(dir, 'images');
  beforeAll(() => {
    mkdirSync(images);
    ([1, 2, 3, 4, 5, 6] as const).map(demoFace).forEach((source, index) => copyFileSync(source, join(images, `face-${index}.jpg`)));
  });
  afterAll(cleanup);
  return {
    storePath: (database) => join(dir, database),
    runWith: async (server, database, session = {}, strategy = 'multi', settings = {}) => {
      const store = RunStore.open(join(dir, database));
      try {
        const spec = runSpecOf([images], { model, strategy, frames: 2, annotatorSettings: { baseUrl: server.url, ...settings } });
        return await runAnnotation(spec, { store, env, concurrency: 2, ...session });
      } finally {
        store.close();
      }
    },
  };
}
