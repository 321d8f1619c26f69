import { elideImages, type FakeMode, type FakeResponse, type ReceivedImage, type RecordedRequest } from './fake-http-server.js';

/** What happens to one line of a batch: answered as online in a mode, failed with an HTTP status, or expired. */
export type FakeBatchLineOutcome = FakeMode | { readonly status: number; readonly message?: string; readonly param?: string } | 'expired';

/** How the fake Batch API behaves. */
export interface FakeOpenAiBatchOptions {
  /** Polls (`GET /v1/batches/{id}`) a batch answers `in_progress` before it completes. @default 1 */
  readonly pollsUntilDone?: number;
  /** What happens to each line (0-based across the batch's file); unset: answered `ok`. */
  readonly lineOutcome?: (line: { readonly index: number; readonly customId: string; readonly batch: number }) => FakeBatchLineOutcome;
  /** Batches (0-based, in creation order) that fail validation as a whole (`status: failed`, `errors.data`). */
  readonly failValidation?: (batch: number) => boolean;
}

/** A batch the fake holds. */
export interface FakeOpenAiBatch {
  readonly id: string;
  status: string;
  readonly inputFileId: string;
  readonly metadata: Record<string, string>;
  readonly lines: ReadonlyArray<{ custom_id: string; method: string; url: string; body: Record<string, unknown> }>;
  polls: number;
  outputFileId?: string;
  errorFileId?: string;
  counts: { total: number; completed: number; failed: number };
  readonly createdAt: number;
  /** The headers of the create call: each line is answered as if sent with them (its key). */
  readonly headers: Readonly<Record<string, string>>;
}

/** The fake's Batch API state, for tests to look at. */
export interface FakeOpenAiBatches {
  readonly batches: FakeOpenAiBatch[];
  readonly files: Map<string, { purpose: string; filename: string; text: string }>;
  /** Answers the Files and Batches paths; undefined for any other path. */
  handle(request: RecordedRequest): Promise<FakeResponse | undefined>;
}

/** The file part of a `multipart/form-data` body, and its other fields. */
function parseMultipart(request: RecordedRequest): { fields: Record<string, string>; file?: { filename: string; text: string } } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(request.headers['content-type'] ?? '');
  const marker = boundary?.[1] ?? boundary?.[2];
  const fields: Record<string, string> = {};
  let file: { filename: string; text: string } | undefined;
  if (!marker) return { fields };
  for (const part of request.rawBody.split(`--${marker}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (name === 'file') file = { filename: filename ?? 'file', text: value };
    else if (name) fields[name] = value;
  }
  return { fields, ...(file ? { file } : {}) };
}

const notFound = (what: string): FakeResponse => ({ status: 404, body: { error: { message: `No such ${what}`, type: 'invalid_request_error', param: null, code: null } } });

function batchObject(batch: FakeOpenAiBatch) {
  return {
    id: batch.id, object: 'batch', endpoint: '/v1/chat/completions', errors: batch.status === 'failed' ? { object: 'list', data: [{ code: 'invalid_json_line', line: 1, message: 'This line is not parseable as valid JSON.', param: null }] } : null,
    input_file_id: batch.inputFileId, completion_window: '24h', status: batch.status, output_file_id: batch.outputFileId ?? null, error_file_id: batch.errorFileId ?? null,
    created_at: batch.createdAt, in_progress_at: null, expires_at: batch.createdAt + 86_400, completed_at: null, failed_at: null, expired_at: null, cancelled_at: null,
    request_counts: batch.counts, metadata: batch.metadata,
  };
}

/**
 * OpenAI's Files and Batch API as documented: `POST /v1/files` (multipart, `purpose=batch`),
 * `GET /v1/files/{id}/content`, `POST /v1/batches`, `GET /v1/batches[/{id}]`, `POST
 * /v1/batches/{id}/cancel`. A batch validates, runs for `pollsUntilDone` polls, then answers every
 * line through `answer` (the fake's Chat Completions handler) and writes the output file in another
 * order than the input, failed lines (and expired ones, `batch_expired`) to the error file.
 */
export function createFakeOpenAiBatches(answer: (request: RecordedRequest, mode: FakeMode) => FakeResponse, options: FakeOpenAiBatchOptions = {}): FakeOpenAiBatches {
  const batches: FakeOpenAiBatch[] = [];
  const files = new Map<string, { purpose: string; filename: string; text: string }>();
  let fileCount = 0;
  const addFile = (purpose: string, filename: string, text: string) => {
    const id = `file-fake${(fileCount += 1)}`;
    files.set(id, { purpose, filename, text });
    return id;
  };

  async function runLines(batch: FakeOpenAiBatch, number: number): Promise<void> {
    const output: string[] = [];
    const errors: string[] = [];
    for (const [index, line] of batch.lines.entries()) {
      const outcome = options.lineOutcome?.({ index, customId: line.custom_id, batch: number }) ?? 'ok';
      const id = `batch_req_${number}_${index}`;
      if (outcome === 'expired') {
        errors.push(JSON.stringify({ id, custom_id: line.custom_id, response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } }));
        continue;
      }
      if (typeof outcome === 'object') {
        const body = { error: { message: outcome.message ?? `Request failed with status ${outcome.status}.`, type: 'invalid_request_error', param: outcome.param ?? null, code: null } };
        errors.push(JSON.stringify({ id, custom_id: line.custom_id, response: { status_code: outcome.status, request_id: `req_${id}`, body }, error: null }));
        continue;
      }
      const images: ReceivedImage[] = [];
      const elided = await elideImages(line.body, images);
      const response = answer({ method: 'POST', path: line.url, headers: batch.headers, rawBody: JSON.stringify(line.body), body: elided, images }, outcome);
      const text = JSON.stringify({ id, custom_id: line.custom_id, response: { status_code: response.status, request_id: `req_${id}`, body: response.body }, error: null });
      (response.status === 200 ? output : errors).push(text);
    }
    // Results come in any order: the output file is written back to front.
    output.reverse();
    batch.counts = { total: batch.lines.length, completed: output.length, failed: errors.length };
    if (output.length > 0) batch.outputFileId = addFile('batch_output', `${batch.id}_output.jsonl`, `${output.join('\n')}\n`);
    if (errors.length > 0) batch.errorFileId = addFile('batch_output', `${batch.id}_error.jsonl`, `${errors.join('\n')}\n`);
    batch.status = errors.some((line) => line.includes('batch_expired')) ? 'expired' : 'completed';
  }

  async function handle(request: RecordedRequest): Promise<FakeResponse | undefined> {
    const path = request.path.split('?')[0] ?? '';
    if (request.method === 'POST' && path === '/v1/files') {
      const { fields, file } = parseMultipart(request);
      if (!file || fields.purpose !== 'batch') return { status: 400, body: { error: { message: "Invalid file or purpose: expected purpose 'batch'.", type: 'invalid_request_error', param: 'purpose', code: null } } };
      const id = addFile(fields.purpose, file.filename, file.text);
      return { status: 200, body: { id, object: 'file', bytes: Buffer.byteLength(file.text), created_at: 1_763_000_000, filename: file.filename, purpose: 'batch', status: 'processed' } };
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (request.method === 'GET' && content) {
      const file = files.get(content[1] ?? '');
      return file ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: file.text } : notFound('file');
    }
    if (request.method === 'POST' && path === '/v1/batches') {
      const body = request.body as { input_file_id?: string; endpoint?: string; metadata?: Record<string, string> };
      const file = files.get(body.input_file_id ?? '');
      if (!file) return notFound(`file: ${body.input_file_id}`);
      const lines = file.text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as FakeOpenAiBatch['lines'][number]);
      const number = batches.length;
      const batch: FakeOpenAiBatch = {
        id: `batch_fake${number + 1}`, status: 'validating', inputFileId: body.input_file_id ?? '', metadata: body.metadata ?? {}, lines, polls: 0,
        counts: { total: lines.length, completed: 0, failed: 0 }, createdAt: 1_763_000_000 + number, headers: request.headers,
      };
      if (options.failValidation?.(number)) batch.status = 'failed';
      batches.push(batch);
      return { status: 200, body: batchObject(batch) };
    }
    if (request.method === 'GET' && path === '/v1/batches') {
      return { status: 200, body: { object: 'list', data: [...batches].reverse().map(batchObject), first_id: null, last_id: null, has_more: false } };
    }
    const one = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (one) {
      const batch = batches.find((each) => each.id === one[1]);
      if (!batch) return notFound(`batch: ${one[1]}`);
      if (one[2] && request.method === 'POST') {
        if (batch.status === 'validating' || batch.status === 'in_progress') batch.status = 'cancelled';
        return { status: 200, body: batchObject(batch) };
      }
      if (request.method !== 'GET') return undefined;
      if (batch.status === 'validating') batch.status = 'in_progress';
      else if (batch.status === 'in_progress' && (batch.polls += 1) >= (options.pollsUntilDone ?? 1)) await runLines(batch, batches.indexOf(batch));
      return { status: 200, body: batchObject(batch) };
    }
    return undefined;
  }
  return { batches, files, handle };
}
