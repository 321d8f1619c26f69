import { describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest } from '../../src/annotators/annotator.js';
import { createBudgetGuard } from '../../src/runs/budget-middleware.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const image = { data: Buffer.alloc(3 * 4 * 4, 128), width: 4, height: 4 };
const request: AnnotationRequest = { images: [image], taxonomy: basic7 };

describe('createBudgetGuard', () => {
  it('refuses a request that would pass the budget, counting what requests in flight reserved, and says so', async () => {
    let answer: ((annotation: Annotation) => void) | undefined;
    const inner = new MockAnnotator([]);
    inner.annotate = () => new Promise<Annotation>((resolve) => (answer = resolve));
    const guard = createBudgetGuard(inner, { maxCostUsd: 0.015, estimateCostUsd: () => 0.01 });
    const first = guard.annotate(request);
    await expect(guard.annotate(request)).rejects.toThrow(/\$0\.0000 spent \(and about \$0\.0100 more in requests still answering\) of `maxCostUsd` \$0\.0150/);
    answer?.({ status: 'ok', label: 'Happy', confidence: 0.9, costUsd: 0.012 });
    await first;
    expect(guard.budget()).toEqual({ spentUsd: 0.012, reservedUsd: 0, maxCostUsd: 0.015 });
    await expect(guard.annotate(request)).rejects.toThrow(/^Budget reached: \$0\.0120 spent of `maxCostUsd`/);
  });
});
