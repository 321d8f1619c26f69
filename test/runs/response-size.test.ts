import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnnotationRequest } from '../../src/annotators/annotator.js';
import { wrapAnnotator } from '../../src/annotators/annotator-middleware.js';
import { MAX_STORED_ANSWER_CHARS } from '../../src/runs/response-log-middleware.js';
import { runMiddleware } from '../../src/runs/run-middleware.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { RunStore } from '../../src/store/run-store.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const request: AnnotationRequest = { images: [{ data: Buffer.alloc(48, 128), width: 4, height: 4 }], taxonomy: basic7 };

describe('an absurdly large answer', () => {
  it('fails the item with a clear message and is neither stored whole nor cached', async () => {
    const { dir, cleanup } = makeTempDir('emolabel-size-');
    const store = RunStore.open(join(dir, 'runs.db'));
    try {
      const responses = new ResponseStore(store.database);
      const huge = 'x'.repeat(MAX_STORED_ANSWER_CHARS + 1);
      const inner = new MockAnnotator([]);
      inner.annotate = async () => ({ status: 'ok', label: 'Happy', confidence: 0.9, rationale: huge, rawText: huge, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: 0.001, providerResponse: { text: huge } });
      const annotator = wrapAnnotator({ annotator: inner, middleware: runMiddleware({ responseLog: { runId: 'r1', responses } }) });
      const answer = await annotator.annotate(request);
      expect(answer.status).toBe('error');
      expect(answer.error).toMatch(/answered with 1\.0 MB, more than the 1\.0 MB an answer may have; not stored/);
      expect(answer.rationale).toBeUndefined();
      const [row] = responses.listRequests('r1');
      expect((row?.response ?? '').length).toBeLessThan(10_000);
      expect(row?.costUsd).toBe(0.001);
      const again = await annotator.annotate(request);
      expect(again.cached).toBeUndefined();
    } finally {
      store.close();
      cleanup();
    }
  });
});
