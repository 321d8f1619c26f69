import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annotate } from '../../src/pipeline/annotate.js';
import { demoFace } from '../support/demo-faces.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';

describe('action units reach the result', () => {
  let server: Awaited<ReturnType<typeof startFakeOpenAiServer>>;
  beforeAll(async () => {
    server = await startFakeOpenAiServer({ label: 'Happy' });
  });
  afterAll(() => server.close());

  it('keeps the action units an au-cot answer reports, with the prompt version', async () => {
    const { results } = await annotate([demoFace(2)], {
      model: 'openai-compatible:any', strategy: 'multi', annotatorSettings: { baseUrl: server.url, prompt: 'au-cot' },
    });
    expect(results[0]).toMatchObject({ status: 'ok', label: 'Happy', promptVersion: 'au-cot@v2' });
    expect(results[0]?.actionUnits?.length).toBeGreaterThan(0);
    expect(results[0]?.actionUnits?.[0]?.unit).toMatch(/^AU\d+$/);
  });
});
