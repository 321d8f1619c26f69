import { describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest } from '../../src/annotators/annotator.js';
import { join } from 'node:path';
import { wrapAnnotator } from '../../src/annotators/annotator-middleware.js';
import { createBudgetGuard } from '../../src/runs/budget-middleware.js';
import { runMiddleware } from '../../src/runs/run-middleware.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const image = { data: Buffer.alloc(3 * 4 * 4, 128), width: 4, height: 4 };
const request: AnnotationRequest = { images: [image], taxonomy: basic7 };

describe('createBudgetGuard', () => {
  it('waits for requests in flight before refusing one that does not fit only because of their reservations', async () => {
    let answer: ((annotation: Annotation) => void) | undefined;
    const inner = new MockAnnotator([]);
    inner.annotate = () => new Promise<Annotation>((resolve) => (answer = resolve));
    const guard = createBudgetGuard(inner, { maxCostUsd: 0.015, estimateCostUsd: () => 0.01 });
    const first = guard.annotate(request);
    let settled = false;
    const second = guard.annotate(request).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    answer?.({ status: 'ok', label: 'Happy', confidence: 0.9, costUsd: 0.012 });
    await first;
    await expect(second).rejects.toThrow(/^Budget reached: \$0\.0120 spent of `maxCostUsd`/);
    expect(guard.budget()).toEqual({ spentUsd: 0.012, reservedUsd: 0, maxCostUsd: 0.015 });
  });

  it('sends the waiting request when the answers in flight cost less than reserved', async () => {
    const answers: Array<(annotation: Annotation) => void> = [];
    const inner = new MockAnnotator([]);
    inner.annotate = () => new Promise<Annotation>((resolve) => answers.push(resolve));
    const guard = createBudgetGuard(inner, { maxCostUsd: 0.015, estimateCostUsd: () => 0.01 });
    const first = guard.annotate(request);
    const second = guard.annotate(request);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(answers).toHaveLength(1);
    answers[0]?.({ status: 'ok', label: 'Happy', confidence: 0.9, costUsd: 0.002 });
    await first;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(answers).toHaveLength(2);
    answers[1]?.({ status: 'ok', label: 'Sad', confidence: 0.8, costUsd: 0.002 });
    await expect(second).resolves.toMatchObject({ label: 'Sad' });
    expect(guard.budget().spentUsd).toBeCloseTo(0.004, 10);
  });

  it('still refuses at once a request that would not fit even with nothing in flight', async () => {
    const inner = new MockAnnotator([]);
    inner.annotate = () => new Promise<Annotation>(() => undefined);
    const guard = createBudgetGuard(inner, { maxCostUsd: 0.005, estimateCostUsd: () => 0.01 });
    await expect(guard.annotate(request)).rejects.toThrow(/would pass|Budget/);
  });
});

describe('budget: estimates that are wrong, usage that is impossible', () => {
  const answering = (annotation: Partial<Annotation> & Record<string, unknown>) => {
    const inner = new MockAnnotator([]);
    inner.annotate = async () => ({ status: 'ok', label: 'Happy', confidence: 0.9, ...annotation }) as Annotation;
    return inner;
  };

  it('reserves the observed cost per image when the price table underestimates it, so the run never passes the budget', async () => {
    const guard = createBudgetGuard(answering({ usage: { inputTokens: 1000, outputTokens: 20 }, costUsd: 0.02 }), { maxCostUsd: 0.05, estimateCostUsd: () => 0.01 });
    await guard.annotate(request);
    await guard.annotate(request);
    await expect(guard.annotate(request)).rejects.toThrow(/Budget reached/);
    expect(guard.budget().spentUsd).toBeCloseTo(0.04, 10);
  });

  it.each([
    ['negative', -50],
    ['NaN', Number.NaN],
    ['non-numeric', 'a lot'],
  ])('charges the estimate for a %s cost, and says so on the answer', async (_kind, costUsd) => {
    const guard = createBudgetGuard(answering({ usage: { inputTokens: 1000, outputTokens: 20 }, costUsd: costUsd as number }), { maxCostUsd: 0.025, estimateCostUsd: () => 0.01 });
    const answer = await guard.annotate(request);
    expect(answer.costUsd).toBe(0.01);
    expect(answer.warnings?.join(' ')).toMatch(/reported an impossible cost .*; counted the estimate \$0\.0100/);
    await guard.annotate(request);
    await expect(guard.annotate(request)).rejects.toThrow(/Budget reached|would pass/);
    expect(guard.budget().spentUsd).toBeCloseTo(0.02, 10);
  });

  it('charges the estimate for an answer that reports no usage with a priced model (counted $0 before)', async () => {
    const guard = createBudgetGuard(answering({ usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 }), { maxCostUsd: 0.015, estimateCostUsd: () => 0.01 });
    const answer = await guard.annotate(request);
    expect(answer.costUsd).toBe(0.01);
    expect(answer.warnings?.join(' ')).toMatch(/reported no usage; counted the estimate/);
    await expect(guard.annotate(request)).rejects.toThrow();
  });

  it('charges nothing for a request that failed without an answer', async () => {
    const guard = createBudgetGuard(answering({ status: 'error', error: 'HTTP 500', label: undefined, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 }), { maxCostUsd: 0.015, estimateCostUsd: () => 0.01 });
    await guard.annotate(request);
    expect(guard.budget().spentUsd).toBe(0);
  });
});

describe('response log: impossible usage is logged and cached, not a SQL error', () => {
  it.each([['with', { maxCostUsd: 1 }], ['without', undefined]])('logs and caches an answer with non-numeric usage and a negative cost, charging the estimate (%s a budget)', async (_with, budget) => {
    const { dir, cleanup } = makeTempDir('emolabel-usage-');
    const store = RunStore.open(join(dir, 'runs.db'));
    try {
      const responses = new ResponseStore(store.database);
      const inner = new MockAnnotator([]);
      inner.estimate = () => ({ usage: { inputTokens: 100, outputTokens: 20 }, costUsd: 0.01 });
      inner.annotate = async () => ({ status: 'ok', label: 'Happy', confidence: 0.9, usage: { inputTokens: Number.NaN, outputTokens: 'lots' as unknown as number }, costUsd: -50 });
      const annotator = wrapAnnotator({ annotator: inner, middleware: runMiddleware({ responseLog: { runId: 'r1', responses }, budget }) });
      const answer = await annotator.annotate(request);
      expect(answer).toMatchObject({ status: 'ok', label: 'Happy', costUsd: 0.01, usage: { inputTokens: 0, outputTokens: 0 } });
      const [row] = responses.listRequests('r1');
      expect(row).toMatchObject({ status: 'ok', costUsd: 0.01, inputTokens: 0, outputTokens: 0 });
      const again = await annotator.annotate(request);
      expect(again.cached).toBe(true);
    } finally {
      store.close();
      cleanup();
    }
  });
});
