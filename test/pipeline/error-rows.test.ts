import { describe, expect, it } from 'vitest';
import { annotate } from '../../src/pipeline/annotate.js';
import { demoFace } from '../support/demo-faces.js';
import { MockAnnotator } from '../support/mock-annotator.js';

describe('error rows of an LLM run say which prompt version the run used', () => {
  it('for an item whose request failed and for an input that could not be read', async () => {
    const annotator = Object.assign(new MockAnnotator([{ status: 'error', error: 'HTTP 400: bad request' }]), { settingsIdentity: { prompt: 'direct@v1' } });
    const { results } = await annotate([demoFace(1), '/nonexistent/emolabel-missing.jpg'], { annotator, faces: 'none' });
    expect(results.map((result) => [result.status, result.promptVersion])).toEqual([
      ['error', 'direct@v1'],
      ['error', 'direct@v1'],
    ]);
  });
});
