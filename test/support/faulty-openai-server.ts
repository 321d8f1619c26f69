import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeAnswer, textTokens } from './fake-http-server.js';

/**
 * What the faulty server does with one request:
 * - `ok`: a chat completion that fits the schema;
 * - `rate-limit`: 429 with `Retry-After` (OpenAI's `rate_limit_exceeded` body);
 * - `server-error`: 500;
 * - `hang`: never answers (until the client gives up or the server closes);
 * - `reset`: closes the connection without answering;
 * - `disconnect`: sends the status and half the body, then closes the connection;
 * - `garbage-body`: 200 with a body that is not JSON;
 * - `garbage-answer`: a chat completion whose content is not the schema (the annotator repairs it);
 * - `unauthorized`: 401 `invalid_api_key`;
 * - `insufficient-quota`: 429 `insufficient_quota`, OpenAI's answer when the account has no credit.
 */
export type Fault =
  | 'ok' | 'rate-limit' | 'server-error' | 'hang' | 'reset' | 'disconnect' | 'garbage-body' | 'garbage-answer' | 'unauthorized' | 'insufficient-quota';

/** What the server knows of a request when it picks the fault. */
export interface FaultContext {
  /** Arrival order, from 0. */
  readonly index: number;
  /** sha256 of the first image's data URL (the item, as the client sent it); undefined for text-only requests. */
  readonly imageKey?: string;
  /** How many requests with this `imageKey` came before this one (0 for the first). */
  readonly previousForImage: number;
}

/** One request as the faulty server saw it. */
export interface FaultyRequest extends FaultContext {
  readonly fault: Fault;
  /** `performance.now()` when the body was read; the test runs in the same process, so same clock. */
  readonly arrivedAt: number;
  /** `performance.now()` when the answer (or the close) was sent; undefined for `hang`. */
  answeredAt?: number;
}

export interface FaultyOpenAiOptions {
  /**
   * Picks the fault of each request that carries images. Text-only requests (the annotator's one
   * repair turn after a `garbage-answer`) are always answered `ok`, so each garbage answer costs
   * exactly one extra request. @default every request `ok`
   */
  readonly chooseFault?: (context: FaultContext) => Fault;
  /** `Retry-After` of `rate-limit` answers, in seconds. @default 0.05 */
  readonly retryAfterSeconds?: number;
  /** Milliseconds every answer waits before it is sent, like a real model thinking. @default 0 */
  readonly answerDelayMs?: number;
}

export interface FaultyOpenAiServer {
  /** Base URL to pass as `baseUrl`: `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  readonly requests: readonly FaultyRequest[];
  close(): Promise<void>;
}

/** A number in [0, 1) from a string, stable across runs: the seed of every fault choice. */
export function hashToUnit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 4_294_967_296;
}

/**
 * Chooses faults by seeded shares: each image's n-th request gets the same fault on every run,
 * whatever order concurrent requests arrive in. Shares not given are 0; the rest is `ok`.
 * @example seededFaults('seed-1', { 'rate-limit': 0.15, 'server-error': 0.1 })
 */
export function seededFaults(seed: string, shares: Partial<Record<Fault, number>>): (context: FaultContext) => Fault {
  const entries = Object.entries(shares) as Array<[Fault, number]>;
  return (context) => {
    let draw = hashToUnit(`${seed}|${context.imageKey ?? context.index}|${context.previousForImage}`);
    for (const [fault, share] of entries) {
      if (draw < share) return fault;
      draw -= share;
    }
    return 'ok';
  };
}

/**
 * Makes sure every fault in `faults` is served: the first requests of the first new images get
 * them, one each, in order; every other request is left to `then`.
 */
export function everyFaultFirst(faults: readonly Fault[], then: (context: FaultContext) => Fault): (context: FaultContext) => Fault {
  let newImages = 0;
  return (context) => {
    if (context.previousForImage === 0 && newImages < faults.length) return faults[newImages++] ?? 'ok';
    return then(context);
  };
}

interface ChatBody {
  model?: string;
  messages?: Array<{ content?: string | Array<{ type: string; text?: string; image_url?: { url: string } }> }>;
  response_format?: { json_schema?: { schema?: unknown } };
}

function firstImageUrl(body: ChatBody): string | undefined {
  for (const message of body.messages ?? []) {
    if (typeof message.content === 'string' || message.content === undefined) continue;
    const part = message.content.find((candidate) => candidate.type === 'image_url');
    if (part?.image_url?.url) return part.image_url.url;
  }
  return undefined;
}

function completion(body: ChatBody, content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-faulty', object: 'chat.completion', created: 1_763_000_000, model: body.model ?? 'unknown',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 900, completion_tokens: textTokens(content), total_tokens: 900 + textTokens(content) },
  });
}

function sendJson(outgoing: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  outgoing.writeHead(status, { 'content-type': 'application/json', ...headers });
  outgoing.end(body);
}

function answer(outgoing: ServerResponse, fault: Fault, body: ChatBody, retryAfterSeconds: number): void {
  const schema = body.response_format?.json_schema?.schema;
  const error = (message: string, type: string, code: string | null) => JSON.stringify({ error: { message, type, param: null, code } });
  switch (fault) {
    case 'ok':
      return sendJson(outgoing, 200, completion(body, JSON.stringify(fakeAnswer(schema))));
    case 'garbage-answer':
      return sendJson(outgoing, 200, completion(body, 'Looks happy to me!! {"label": '));
    case 'garbage-body':
      return sendJson(outgoing, 200, '<html><body>502 Bad Gateway from some proxy</body></html>');
    case 'rate-limit':
      return sendJson(outgoing, 429, error('Rate limit reached for requests per min (RPM). Please try again shortly.', 'requests', 'rate_limit_exceeded'), {
        'retry-after': String(retryAfterSeconds),
      });
    case 'server-error':
      return sendJson(outgoing, 500, error('The server had an error while processing your request.', 'server_error', null));
    case 'unauthorized':
      return sendJson(outgoing, 401, error('Incorrect API key provided: sk-fa*****ake1.', 'invalid_request_error', 'invalid_api_key'));
    case 'insufficient-quota':
      return sendJson(outgoing, 429, error('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
    case 'reset':
      outgoing.socket?.destroy();
      return;
    case 'disconnect': {
      const full = completion(body, JSON.stringify(fakeAnswer(schema)));
      outgoing.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(full)) });
      outgoing.write(full.slice(0, Math.floor(full.length / 2)));
      // Let the half body leave before cutting the connection.
      setTimeout(() => outgoing.socket?.destroy(), 5);
      return;
    }
    case 'hang':
      return;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A fake OpenAI-compatible server on 127.0.0.1 that answers `POST /v1/chat/completions` with the
 * fault {@link FaultyOpenAiOptions.chooseFault} picks, and logs every request with its fault and
 * times, for fault-injection tests of retries, timeouts and rate limits.
 */
export async function startFaultyOpenAiServer(options: FaultyOpenAiOptions = {}): Promise<FaultyOpenAiServer> {
  const requests: FaultyRequest[] = [];
  const perImage = new Map<string, number>();
  const retryAfterSeconds = options.retryAfterSeconds ?? 0.05;
  const server: Server = createServer(async (incoming, outgoing) => {
    const rawBody = await readBody(incoming);
    let body: ChatBody = {};
    try {
      body = JSON.parse(rawBody) as ChatBody;
    } catch {
      // Not JSON: answered as an ok request would be, with no schema.
    }
    const url = firstImageUrl(body);
    const imageKey = url === undefined ? undefined : createHash('sha256').update(url).digest('hex').slice(0, 16);
    const previousForImage = imageKey === undefined ? 0 : (perImage.get(imageKey) ?? 0);
    if (imageKey !== undefined) perImage.set(imageKey, previousForImage + 1);
    const context: FaultContext = { index: requests.length, imageKey, previousForImage };
    const fault = imageKey === undefined ? 'ok' : (options.chooseFault?.(context) ?? 'ok');
    const logged: FaultyRequest = { ...context, fault, arrivedAt: performance.now() };
    requests.push(logged);
    if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
    // A client that went away while we waited gets no answer (it crashed or gave up).
    if (incoming.socket.destroyed) return;
    if (fault !== 'hang') logged.answeredAt = performance.now();
    answer(outgoing, fault, body, retryAfterSeconds);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
