/**
 * The batch contract (version `v1`): what an annotator whose provider sells the same requests at a
 * lower price through a batch API (OpenAI Batch, Anthropic Message Batches, Gemini batch mode)
 * declares as `capabilities.batch`, and what a request in batch mode carries down to it
 * (`AnnotationRequest.batch`). The run's batch middleware and rounds (runs/batch/) use only this.
 */

/** One provider request of a batch: its custom id and the provider's own request body (what it would send online). */
export interface BatchLine {
  /** `^[a-zA-Z0-9_-]{1,64}$` (the strictest provider's rule): a hash of the body. */
  readonly customId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** A line's outcome, read back from a finished batch, in any order. */
export type BatchLineResult =
  | { readonly customId: string; readonly kind: 'succeeded'; readonly body: unknown }
  | {
      readonly customId: string;
      readonly kind: 'errored';
      /** The HTTP status the request would have had online, when the provider says. */
      readonly status?: number;
      readonly message: string;
      /** The parameter the provider's error names, when it does. */
      readonly param?: string;
    }
  | { readonly customId: string; readonly kind: 'expired' | 'canceled'; readonly message?: string };

/**
 * Where a batch is, in emolabel's words: still being checked, running, being written out, ended
 * (completed, expired or cancelled: results can be read), or failed as a whole (it never ran, e.g.
 * its file did not validate: no results).
 */
export type BatchPhase = 'validating' | 'in_progress' | 'finalizing' | 'canceling' | 'ended' | 'failed';

/** A batch as its provider reports it. */
export interface BatchStatus {
  /** The provider's id (`batch_abc`, `msgbatch_…`, `batches/…`). */
  readonly id: string;
  readonly phase: BatchPhase;
  /** The provider's own word (`in_progress`, `JOB_STATE_RUNNING` …), for the progress bar and `emolabel batches`. */
  readonly providerState: string;
  readonly counts: { readonly total: number; readonly succeeded: number; readonly errored: number };
  /** Why it failed, when it did. */
  readonly message?: string;
}

/** A batch recorded before its create call, looked for after a crash. */
export interface BatchIntent {
  readonly name: string;
  /** When the intent was recorded (ISO 8601): the batch cannot be older. */
  readonly createdAt: string;
  readonly requestCount: number;
  /** Provider ids the store already knows: never this intent's batch. */
  readonly knownIds: readonly string[];
}

/** A provider's batch API, for one model and endpoint. Every call may throw an `EmolabelError` (HTTP, connection). */
export interface BatchClient {
  /**
   * Submits `lines` as one batch named `name` (kept in the provider's metadata or display name
   * where it has one, so {@link BatchClient.find} can find a batch whose create call was sent but
   * whose answer was lost).
   */
  create(input: { readonly name: string; readonly lines: readonly BatchLine[] }, signal?: AbortSignal): Promise<BatchStatus>;
  /** The batch an intent became, if the provider has it: by its name, or (a provider without names) by when it was made and its size. */
  find(intent: BatchIntent, signal?: AbortSignal): Promise<BatchStatus | undefined>;
  retrieve(id: string, signal?: AbortSignal): Promise<BatchStatus>;
  /** Every line's result of an ended batch; lines it has no result for are left out (the caller counts them as lost). */
  results(id: string, signal?: AbortSignal): Promise<BatchLineResult[]>;
  cancel(id: string, signal?: AbortSignal): Promise<BatchStatus>;
}

/** The limits of one batch: requests and bytes of request bodies. */
export interface BatchLimits {
  readonly maxRequests: number;
  readonly maxBytes: number;
}

/** `capabilities.batch`: the annotator can send its requests through its provider's batch API. */
export interface BatchCapability {
  readonly specificationVersion: 'v1';
  /** The batch API by name (`openai`, `anthropic`, `google`), for messages and the store. */
  readonly api: string;
  readonly limits: BatchLimits;
  /**
   * `api`: batches go to the provider through {@link BatchClient}; `manual`: the provider has no
   * batch API (a vLLM or other OpenAI-compatible server), so the requests wait in the store to be
   * exported as OpenAI batch JSONL (`emolabel export --batch-jsonl`), run elsewhere (`vllm
   * run-batch`) and imported (`emolabel import-batch`). @default 'api'
   */
  readonly submission?: 'api' | 'manual';
  /** The batch API's price as a share of the online one (0.5), when the price data knows it. */
  readonly priceMultiplier?: number;
  /** The client; made on first use, reading the key then. */
  client(): BatchClient;
}

/** What the batch channel decides for one provider request of an answer. */
export type BatchDecision =
  /** A batch answered it: read this as the provider's reply (or its error). */
  | { readonly kind: 'result'; readonly result: BatchLineResult }
  /** Send it online now (a retry the user wanted online). */
  | { readonly kind: 'online' };

/**
 * Set on a request by the batch middleware: the annotator hands each provider request of the answer
 * (first, re-ask, repair) to `decide` instead of sending it. `decide` answers from a collected batch,
 * says to send online, or records the request for the next batch and throws a `DeferredRequestError`
 * (the item is then left unfinished for the next round).
 */
export interface BatchChannel {
  decide(body: Readonly<Record<string, unknown>>): Promise<BatchDecision>;
}
