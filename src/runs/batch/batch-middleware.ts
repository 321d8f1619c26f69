import { createHash } from 'node:crypto';
import type { AnnotationRequest, Annotator } from '../../annotators/annotator.js';
import type { AnnotatorMiddleware } from '../../annotators/annotator-middleware.js';
import type { BatchChannel, BatchDecision, BatchLineResult } from '../../annotators/batch-api.js';
import { DeferredRequestError } from '../../errors.js';
import type { BatchStore } from '../../store/batch-store.js';

/** Where a request that a batch did not answer goes: a follow-up batch, or online. */
export type BatchFollowUp = 'batch' | 'online';

export interface BatchMiddlewareOptions {
  readonly runId: string;
  readonly store: BatchStore;
  /**
   * Requests an answer needs beyond its first (the repair of an unreadable answer, a re-ask of a
   * cut-off one): in the next batch, or online at once (few, and a day sooner). @default 'online'
   */
  readonly followUps?: BatchFollowUp;
  /** Lines that expired, were cancelled or failed with a retryable status: in a follow-up batch, or online. @default 'batch' */
  readonly retries?: BatchFollowUp;
  /** Batches a request may go in before its last result is its answer. @default 2 */
  readonly maxAttempts?: number;
}

/** Statuses a line may fail with and succeed on a second try (rate limits, overload, timeouts). */
const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/** Whether a line's result is worth another try: expired, cancelled, or failed for a reason that passes. */
function isRetryable(result: BatchLineResult): boolean {
  if (result.kind === 'expired' || result.kind === 'canceled') return true;
  return result.kind === 'errored' && (result.status === undefined || RETRYABLE_STATUSES.has(result.status));
}

/** A line's custom id: a hash of its batch API, endpoint and body (64 hex characters, what Anthropic allows at most). */
export function batchCustomId(api: string, baseUrl: unknown, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([api, baseUrl ?? null, body])).digest('hex');
}

/**
 * Batch mode, for annotators with `capabilities.batch`: every provider request of an answer is
 * looked up by its custom id. A collected result answers it (through the annotator's own parsing,
 * refusal, repair and status rules); one already in a batch, or new (recorded here, body and
 * estimate, before the item moves on), defers the item to the next round (`DeferredRequestError`).
 * Retries and follow-ups go to the next batch or online, as the options say.
 */
export function batchMiddleware(options: BatchMiddlewareOptions): AnnotatorMiddleware {
  const maxAttempts = options.maxAttempts ?? 2;
  const channelFor = (annotator: Annotator, request: AnnotationRequest): BatchChannel => {
    const capability = annotator.capabilities.batch;
    let asked = 0;
    const estimate = () => (annotator.estimate?.(request).costUsd ?? 0) * (capability?.priceMultiplier ?? 1);
    return {
      async decide(body): Promise<BatchDecision> {
        const followUp = (asked += 1) > 1;
        const customId = batchCustomId(capability?.api ?? annotator.provider, annotator.settingsIdentity.baseUrl, body);
        const stored = options.store.getRequest(options.runId, customId);
        const defer = (): never => {
          throw new DeferredRequestError(`The request ${customId.slice(0, 12)} is waiting for a ${capability?.api ?? ''} batch; the item finishes when it answers.`);
        };
        if (stored === undefined) {
          if (followUp && (options.followUps ?? 'online') === 'online') return { kind: 'online' };
          options.store.putPending(options.runId, customId, body, estimate());
          return defer();
        }
        if (stored.state === 'pending' || stored.state === 'submitting' || stored.state === 'submitted') return defer();
        const result = stored.result ?? { customId, kind: 'canceled' as const };
        if (result.kind === 'succeeded' || !isRetryable(result) || stored.attempts >= maxAttempts) return { kind: 'result', result };
        if ((options.retries ?? 'batch') === 'online') return { kind: 'online' };
        options.store.putPending(options.runId, customId, body, estimate());
        return defer();
      },
    };
  };
  return {
    specificationVersion: 'v1',
    name: 'batch',
    appliesTo: (annotator) => annotator.capabilities.batch !== undefined,
    wrapAnnotate: ({ request, next, annotator }) => next({ ...request, batch: channelFor(annotator, request) }),
  };
}
