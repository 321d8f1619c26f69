import type { Annotation, AnnotationRequest, Annotator } from '../annotators/annotator.js';
import { type AnnotatorMiddleware, isMetered, wrapAnnotator } from '../annotators/annotator-middleware.js';
import { BudgetExceededError } from '../errors.js';
import { checkedUsage } from './checked-usage.js';

export interface BudgetOptions {
  /** Dollars the run may spend in all, across resumes. */
  readonly maxCostUsd: number;
  /** Dollars already spent by earlier sessions of the run. @default 0 */
  readonly spentUsd?: number;
  /** Images sent by the requests behind `spentUsd`: a resumed run estimates from their mean cost. @default 0 */
  readonly spentImages?: number;
  /** Replaces the annotator's own `estimate` of a request's dollars. */
  readonly estimateCostUsd?: (request: AnnotationRequest) => number | undefined;
}

/** What the budget knows, for the stop message and the progress line. */
export interface BudgetState {
  readonly spentUsd: number;
  readonly reservedUsd: number;
  readonly maxCostUsd: number;
}

/** A budget middleware, with what it has counted so far. */
export interface BudgetMiddleware extends AnnotatorMiddleware {
  budget(): BudgetState;
}

/**
 * No request is sent that could take the run past `maxCostUsd`: each request reserves its
 * estimated cost first (the larger of the annotator's `estimate` and the mean actual cost per image
 * so far), and actual usage replaces the estimate when the answer comes; an answer whose cost is
 * impossible or missing is charged the estimate. When the next request would not
 * fit only because of what requests in flight reserved, it waits for one of them to settle and
 * decides again; when it would not fit, it throws a {@link BudgetExceededError}, which stops the run; it can be resumed with a
 * higher budget. Applies to metered annotators only.
 */
export function budgetMiddleware(options: BudgetOptions): BudgetMiddleware {
  let spentUsd = options.spentUsd ?? 0;
  let reservedUsd = 0;
  let paidImages = options.spentImages ?? 0;
  let paidUsd = paidImages > 0 ? spentUsd : 0;
  /** Requests waiting for one in flight to settle. */
  const settled: Array<() => void> = [];
  const estimate = (annotator: Annotator, request: AnnotationRequest): number => {
    const fromPrices = options.estimateCostUsd ? options.estimateCostUsd(request) : annotator.estimate?.(request).costUsd;
    const observed = paidImages === 0 ? 0 : (paidUsd / paidImages) * request.images.length;
    // A price table that underestimates (images priced too low) is corrected by what answers cost so far.
    return Math.max(fromPrices !== undefined && Number.isFinite(fromPrices) && fromPrices > 0 ? fromPrices : 0, observed);
  };
  return {
    specificationVersion: 'v1',
    name: 'budget',
    appliesTo: isMetered,
    budget: () => ({ spentUsd, reservedUsd, maxCostUsd: options.maxCostUsd }),
    async wrapAnnotate({ request, next, annotator }): Promise<Annotation> {
      // In batch mode the batch rounds hold the budget when they submit (runs/batch/); an answer read
      // from a batch was paid for then, so it is only counted here.
      if (request.batch) {
        const annotation = await next(request);
        spentUsd += annotation.costUsd ?? 0;
        return annotation;
      }
      let expected = estimate(annotator, request);
      for (;;) {
        // A budget already used up stops even an estimate of $0; a $0 budget still lets free requests through.
        const usedUp = spentUsd >= options.maxCostUsd && options.maxCostUsd > 0;
        if (!usedUp && spentUsd + reservedUsd + expected <= options.maxCostUsd) break;
        // It would fit but for what requests in flight reserved: their answers decide (they often cost less).
        if (!usedUp && reservedUsd > 0 && spentUsd + expected <= options.maxCostUsd) {
          await new Promise<void>((resolve) => settled.push(resolve));
          expected = estimate(annotator, request);
          continue;
        }
        throw new BudgetExceededError({ spentUsd, reservedUsd, maxCostUsd: options.maxCostUsd, nextUsd: expected });
      }
      reservedUsd += expected;
      try {
        // An impossible or missing cost (negative, not a number, no usage) is charged the reservation.
        const annotation = checkedUsage(await next(request), request, () => expected);
        const actual = annotation.costUsd ?? expected;
        spentUsd += actual;
        paidUsd += actual;
        paidImages += request.images.length;
        return annotation;
      } finally {
        reservedUsd -= expected;
        for (const wake of settled.splice(0)) wake();
      }
    },
  };
}

/** `inner` behind a {@link budgetMiddleware}, with its state on `budget()`. */
export function createBudgetGuard(inner: Annotator, options: BudgetOptions): Annotator & { budget(): BudgetState } {
  const middleware = budgetMiddleware(options);
  return Object.assign(wrapAnnotator({ annotator: inner, middleware }), { budget: middleware.budget });
}
