import { elideImages, type FakeMode, type FakeResponse, type ReceivedImage, type RecordedRequest } from './fake-http-server.js';
import type { FakeBatchLineOutcome } from './fake-openai-batch.js';

/** How the fake Gemini batch mode behaves. */
export interface FakeGoogleBatchOptions {
  /** Polls (`GET /v1beta/batches/{id}`) a batch answers RUNNING before it succeeds. @default 1 */
  readonly pollsUntilDone?: number;
  /** What happens to each inline request (0-based); a status becomes a google.rpc error of the matching code. */
  readonly lineOutcome?: (line: { readonly index: number; readonly key: string; readonly batch: number }) => FakeBatchLineOutcome;
}

/** A batch the fake holds. */
export interface FakeGoogleBatch {
  readonly name: string;
  readonly model: string;
  readonly displayName: string;
  state: string;
  readonly requests: ReadonlyArray<{ request: Record<string, unknown>; metadata?: { key?: string } }>;
  polls: number;
  responses?: unknown[];
  readonly createTime: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FakeGoogleBatches {
  readonly batches: FakeGoogleBatch[];
  handle(request: RecordedRequest): Promise<FakeResponse | undefined>;
}

const RPC_OF_STATUS: Readonly<Record<number, { code: number; status: string }>> = {
  400: { code: 3, status: 'INVALID_ARGUMENT' }, 429: { code: 8, status: 'RESOURCE_EXHAUSTED' }, 500: { code: 13, status: 'INTERNAL' }, 503: { code: 14, status: 'UNAVAILABLE' },
};

/**
 * Gemini's batch mode with inline requests, as the Gemini API speaks it: `POST
 * /v1beta/models/{model}:batchGenerateContent {batch: {displayName, inputConfig: {requests: {requests:
 * [{request, metadata}]}}}}` answers a long-running operation named `batches/…` whose `metadata` is
 * the batch (`state` BATCH_STATE_PENDING … SUCCEEDED, `output.inlinedResponses`); `GET
 * /v1beta/batches[/{id}]`, `POST /v1beta/batches/{id}:cancel`. Creating is not idempotent: every
 * call makes a new batch.
 */
export function createFakeGoogleBatches(answer: (request: RecordedRequest, mode: FakeMode) => FakeResponse, options: FakeGoogleBatchOptions = {}): FakeGoogleBatches {
  const batches: FakeGoogleBatch[] = [];
  const operation = (batch: FakeGoogleBatch) => ({
    name: batch.name,
    metadata: {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch', name: batch.name, model: batch.model, displayName: batch.displayName,
      state: batch.state, createTime: batch.createTime, updateTime: batch.createTime,
      batchStats: { requestCount: String(batch.requests.length), ...(batch.responses ? { successfulRequestCount: String(batch.responses.length) } : { pendingRequestCount: String(batch.requests.length) }) },
      ...(batch.responses ? { output: { inlinedResponses: { inlinedResponses: batch.responses } }, endTime: batch.createTime } : {}),
    },
    done: batch.responses !== undefined,
  });

  async function run(batch: FakeGoogleBatch, number: number): Promise<void> {
    const responses: unknown[] = [];
    for (const [index, { request, metadata }] of batch.requests.entries()) {
      const outcome = options.lineOutcome?.({ index, key: metadata?.key ?? '', batch: number }) ?? 'ok';
      if (outcome === 'expired') continue;
      if (typeof outcome === 'object') {
        const rpc = RPC_OF_STATUS[outcome.status] ?? { code: 13, status: 'INTERNAL' };
        responses.push({ error: { code: rpc.code, message: outcome.message ?? rpc.status, details: [] }, ...(metadata ? { metadata } : {}) });
        continue;
      }
      const images: ReceivedImage[] = [];
      const body = await elideImages(request, images);
      const response = answer({ method: 'POST', path: `/v1beta/${batch.model}:generateContent`, headers: batch.headers, rawBody: JSON.stringify(request), body, images }, outcome);
      responses.push(response.status === 200 ? { response: response.body, ...(metadata ? { metadata } : {}) } : { error: (response.body as { error?: unknown }).error, ...(metadata ? { metadata } : {}) });
    }
    batch.responses = responses;
    batch.state = 'BATCH_STATE_SUCCEEDED';
  }

  async function handle(request: RecordedRequest): Promise<FakeResponse | undefined> {
    const path = request.path.split('?')[0] ?? '';
    const create = /^\/v1beta\/(models\/[^/:]+):batchGenerateContent$/.exec(path);
    if (create && request.method === 'POST') {
      // The raw body: the recorded one has its images replaced by descriptions.
      const body = JSON.parse(request.rawBody) as { batch?: { displayName?: string; inputConfig?: { requests?: { requests?: FakeGoogleBatch['requests'] } } } };
      const requests = body.batch?.inputConfig?.requests?.requests ?? [];
      if (!body.batch?.displayName) return { status: 400, body: { error: { code: 400, message: 'batch.display_name is required', status: 'INVALID_ARGUMENT' } } };
      const batch: FakeGoogleBatch = {
        name: `batches/fake${batches.length + 1}`, model: create[1] ?? '', displayName: body.batch.displayName, state: 'BATCH_STATE_PENDING', requests, polls: 0,
        createTime: new Date().toISOString(), headers: request.headers,
      };
      batches.push(batch);
      return { status: 200, body: operation(batch) };
    }
    if (request.method === 'GET' && path === '/v1beta/batches') return { status: 200, body: { operations: [...batches].reverse().map(operation) } };
    const one = /^\/v1beta\/(batches\/[^/:]+)(:cancel)?$/.exec(path);
    if (!one) return undefined;
    const batch = batches.find((each) => each.name === one[1]);
    if (!batch) return { status: 404, body: { error: { code: 404, message: `Batch ${one[1]} not found.`, status: 'NOT_FOUND' } } };
    if (one[2] && request.method === 'POST') {
      if (!batch.responses) {
        batch.state = 'BATCH_STATE_CANCELLED';
        batch.responses = [];
      }
      return { status: 200, body: {} };
    }
    if (batch.state === 'BATCH_STATE_PENDING') batch.state = 'BATCH_STATE_RUNNING';
    else if (batch.state === 'BATCH_STATE_RUNNING' && (batch.polls += 1) >= (options.pollsUntilDone ?? 1)) await run(batch, batches.indexOf(batch));
    return { status: 200, body: operation(batch) };
  }
  return { batches, handle };
}
