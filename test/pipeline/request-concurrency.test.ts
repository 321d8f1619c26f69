import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { demoFace } from '../support/demo-faces.js';
import { type FaultyRequest, startFaultyOpenAiServer } from '../support/faulty-openai-server.js';
import { makeFrameFolder, makeTempDir } from '../support/make-clips.js';

/** The most requests the server was answering at one moment. */
function mostInFlight(requests: readonly FaultyRequest[]): number {
  const events = requests.flatMap((request) => [{ at: request.arrivedAt, step: 1 }, { at: request.answeredAt ?? Infinity, step: -1 }]);
  events.sort((a, b) => a.at - b.at || a.step - b.step);
  let inFlight = 0;
  let most = 0;
  for (const event of events) most = Math.max(most, (inFlight += event.step));
  return most;
}

describe('--concurrency counts requests in flight, not items', () => {
  const { dir, cleanup } = makeTempDir('emolabel-request-concurrency-');
  afterAll(cleanup);
  const clips = join(dir, 'clips');
  // Two clips of six different frames each: one request per frame with `frame`.
  makeFrameFolder(demoFace(1), join(clips, 'clip-a'), 6);
  makeFrameFolder(demoFace(2), join(clips, 'clip-b'), 6);

  it('a clip\'s frames go out side by side, up to the limit and never past it', async () => {
    const server = await startFaultyOpenAiServer({ answerDelayMs: 150 });
    const store = RunStore.open(join(dir, 'runs.db'));
    try {
      const spec = runSpecOf([clips], { model: 'openai-compatible:any', strategy: 'frame', faces: 'none', frames: 6, clipFolders: true, annotatorSettings: { baseUrl: server.url } });
      const outcome = await runAnnotation(spec, { store, env: {}, concurrency: 5, cache: false });
      expect(outcome.results.map((result) => result.status)).toEqual(['ok', 'ok']);
      expect(server.requests).toHaveLength(12);
      // Two items at a time would have kept two requests in flight; five requests go out at once.
      expect(mostInFlight(server.requests)).toBe(5);
      // Each request logged under the item it belongs to, though the queue starts it from another's answer.
      const { ResponseStore } = await import('../../src/store/request-log.js');
      const logged = new ResponseStore(store.database).listRequests(outcome.run.id);
      expect(logged.filter((request) => request.itemId === 'clip-a')).toHaveLength(6);
      expect(logged.filter((request) => request.itemId === 'clip-b')).toHaveLength(6);
    } finally {
      store.close();
      await server.close();
    }
  });
});
