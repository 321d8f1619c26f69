import { elideImages, type FakeMode, type FakeResponse, type ReceivedImage, type RecordedRequest } from './fake-http-server.js';
import type { FakeBatchLineOutcome } from './fake-openai-batch.js';

/** How the fake Message Batches API behaves. */
export interface FakeAnthropicBatchOptions {
  /** Polls (`GET /v1/messages/batches/{id}`) a batch answers `in_progress` before it ends. @default 1 */
  readonly pollsUntilDone?: number;
  /** What happens to each request (0-based in the batch); unset: answered `ok`. A status becomes an `errored` result of the matching error type. */
  readonly lineOutcome?: (line: { readonly index: number; readonly customId: string; readonly batch: number }) => FakeBatchLineOutcome;
}

/** A batch the fake holds. */
export interface FakeAnthropicBatch {
  readonly id: string;
  status: 'in_progress' | 'canceling' | 'ended';
  readonly requests: ReadonlyArray<{ custom_id: string; params: Record<string, unknown> }>;
  polls: number;
  results?: string;
  counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
  readonly createdAt: string;
  readonly headers: Readonly<Record<string, string>>;
  canceled: boolean;
}

export interface FakeAnthropicBatches {
  readonly batches: FakeAnthropicBatch[];
  handle(request: RecordedRequest): Promise<FakeResponse | undefined>;
}

const ERROR_TYPE_OF_STATUS: Readonly<Record<number, string>> = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

function error(status: number, type: string, message: string): FakeResponse {
  return { status, body: { type: 'error', error: { type, message }, request_id: 'req_fakebatch' } };
}

/**
 * Anthropic's Message Batches API as documented: `POST /v1/messages/batches {requests:[{custom_id,
 * params}]}` (custom ids checked), `GET /v1/messages/batches[/{id}]`, `POST …/{id}/cancel`, and
 * JSONL results at `results_url`, written back to front (any order). Params are checked only when
 * the batch ends, as Anthropic does: a failing line is an `errored` result.
 */
export function createFakeAnthropicBatches(answer: (request: RecordedRequest, mode: FakeMode) => FakeResponse, options: FakeAnthropicBatchOptions = {}): FakeAnthropicBatches {
  const batches: FakeAnthropicBatch[] = [];
  const object = (batch: FakeAnthropicBatch, origin: string) => ({
    id: batch.id, type: 'message_batch', processing_status: batch.status, request_counts: batch.counts,
    ended_at: batch.status === 'ended' ? batch.createdAt : null, created_at: batch.createdAt, expires_at: batch.createdAt, archived_at: null,
    cancel_initiated_at: batch.canceled ? batch.createdAt : null, results_url: batch.status === 'ended' ? `${origin}/v1/messages/batches/${batch.id}/results` : null,
  });

  async function end(batch: FakeAnthropicBatch, number: number): Promise<void> {
    const lines: string[] = [];
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    for (const [index, request] of batch.requests.entries()) {
      const outcome = batch.canceled ? 'canceled' : (options.lineOutcome?.({ index, customId: request.custom_id, batch: number }) ?? 'ok');
      let result: unknown;
      if (outcome === 'canceled' || outcome === 'expired') {
        result = { type: outcome };
        counts[outcome] += 1;
      } else if (typeof outcome === 'object') {
        result = { type: 'errored', error: { type: 'error', error: { type: ERROR_TYPE_OF_STATUS[outcome.status] ?? 'api_error', message: outcome.message ?? `failed with ${outcome.status}` }, request_id: null } };
        counts.errored += 1;
      } else {
        const images: ReceivedImage[] = [];
        const body = await elideImages(request.params, images);
        const response = answer({ method: 'POST', path: '/v1/messages', headers: batch.headers, rawBody: JSON.stringify(request.params), body, images }, outcome);
        const failed = (response.body as { error?: unknown }).error;
        result = response.status === 200 ? { type: 'succeeded', message: response.body } : { type: 'errored', error: failed ? response.body : { type: 'error', error: { type: 'api_error', message: 'failed' } } };
        counts[response.status === 200 ? 'succeeded' : 'errored'] += 1;
      }
      lines.push(JSON.stringify({ custom_id: request.custom_id, result }));
    }
    batch.results = `${lines.reverse().join('\n')}\n`;
    batch.counts = counts;
    batch.status = 'ended';
  }

  async function handle(request: RecordedRequest): Promise<FakeResponse | undefined> {
    const path = request.path.split('?')[0] ?? '';
    if (!path.startsWith('/v1/messages/batches')) return undefined;
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    if (request.method === 'POST' && path === '/v1/messages/batches') {
      // The raw body: the recorded one has its images replaced by descriptions.
      const requests = (JSON.parse(request.rawBody) as { requests?: FakeAnthropicBatch['requests'] }).requests ?? [];
      const bad = requests.find((each) => !CUSTOM_ID.test(each.custom_id));
      if (requests.length === 0) return error(400, 'invalid_request_error', 'requests: List should have at least 1 item');
      if (bad) return error(400, 'invalid_request_error', `requests.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$' (got ${bad.custom_id})`);
      const batch: FakeAnthropicBatch = {
        id: `msgbatch_fake${batches.length + 1}`, status: 'in_progress', requests, polls: 0, canceled: false, headers: request.headers,
        counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 }, createdAt: new Date().toISOString(),
      };
      batches.push(batch);
      return { status: 200, body: object(batch, origin) };
    }
    if (request.method === 'GET' && path === '/v1/messages/batches') {
      const data = [...batches].reverse().map((batch) => object(batch, origin));
      return { status: 200, body: { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null } };
    }
    const one = /^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/.exec(path);
    const batch = batches.find((each) => each.id === one?.[1]);
    if (!one || !batch) return error(404, 'not_found_error', `No batch at ${path}`);
    if (one[2] === '/results') return batch.results ? { status: 200, headers: { 'content-type': 'application/binary' }, body: batch.results } : error(404, 'not_found_error', 'results not ready');
    if (one[2] === '/cancel' && request.method === 'POST') {
      if (batch.status === 'in_progress') {
        batch.canceled = true;
        batch.status = 'canceling';
      }
      return { status: 200, body: object(batch, origin) };
    }
    if ((batch.status === 'in_progress' && (batch.polls += 1) >= (options.pollsUntilDone ?? 1)) || batch.status === 'canceling') await end(batch, batches.indexOf(batch));
    return { status: 200, body: object(batch, origin) };
  }
  return { batches, handle };
}
