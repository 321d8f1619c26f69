import type { Annotation, AnnotationRequest, Annotator } from '../annotators/annotator.js';
import { wrapAnnotator } from '../annotators/wrap-annotator.js';
import { EmolabelError } from '../errors.js';

export interface BudgetOptions {
  /** Dollars the run may spend in all, across resumes. */
  readonly maxCostUsd: number;
  /** Dollars already spent by earlier sessions of the run. @default 0 */
  readonly spentUsd?: number;
  /** Images sent by the requests behind `spentUsd`: a resumed run estimates from their mean cost. @default 0 */
  readonly spentImages?: number;
  /** A price-table estimate of a request's cost, when one can be made before sending it. */
  readonly estimateCostUsd?: (request: AnnotationRequest) => number | undefined;
}

/** What the guard knows, for the stop message and the progress line. */
export interface BudgetState {
  readonly spentUsd: number;
  readonly reservedUsd: number;
  readonly maxCostUsd: number;
}

/**
 * Wraps an annotator so no request is sent that could take the run past `maxCostUsd`: each request
 * reserves its estimated cost first (the price table's estimate, else the mean actual cost per image
 * so far), and actual usage replaces the estimate when the answer comes. When the next request
 * would not fit, it throws `budget_exceeded`, which stops the run; it can be resumed with a higher budget.
 */
export function createBudgetGuard(inner: Annotator, options: BudgetOptions): Annotator & { budget(): BudgetState } {
  let spentUsd = options.spentUsd ?? 0;
  let reservedUsd = 0;
  let paidImages = options.spentImages ?? 0;
  let paidUsd = paidImages > 0 ? spentUsd : 0;
  const estimate = (request: AnnotationRequest): number => {
    const fromPrices = options.estimateCostUsd?.(request);
    if (fromPrices !== undefined) return fromPrices;
    return paidImages === 0 ? 0 : (paidUsd / paidImages) * request.images.length;
  };
  const guarded = wrapAnnotator(inner, async (request: AnnotationRequest): Promise<Annotation> => {
    const expected = estimate(request);
    // A budget already used up stops even an estimate of $0; a $0 budget still lets free requests through.
    if (spentUsd + reservedUsd + expected > options.maxCostUsd || (spentUsd >= options.maxCostUsd && options.maxCostUsd > 0)) {
      throw new EmolabelError(
        'budget_exceeded',
        `Budget reached: $${spentUsd.toFixed(4)} spent${reservedUsd > 0 ? ` (and about $${reservedUsd.toFixed(4)} more in requests still answering)` : ''} of --max-cost $${options.maxCostUsd.toFixed(4)}, and the next request ` +
          `(about $${expected.toFixed(4)}) would pass it. Resume with a higher --max-cost to finish the run.`,
      );
    }
    reservedUsd += expected;
    try {
      const annotation = await inner.annotate(request);
      const actual = annotation.costUsd ?? expected;
      spentUsd += actual;
      paidUsd += actual;
      paidImages += request.images.length;
      return annotation;
    } finally {
      reservedUsd -= expected;
    }
  });
  return Object.assign(guarded, { budget: (): BudgetState => ({ spentUsd, reservedUsd, maxCostUsd: options.maxCostUsd }) });
}
