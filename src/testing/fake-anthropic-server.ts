import { createFakeAnthropicBatches, type FakeAnthropicBatches, type FakeAnthropicBatchOptions } from './fake-anthropic-batch.js';
import { fakeAnswer, type FakeMode, type FakeResponse, type FakeServer, type RecordedRequest, startFakeHttpServer, textTokens } from './fake-http-server.js';

interface MessagesBody {
  model?: string;
  system?: string;
  messages?: Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
  tools?: Array<{ name: string; input_schema?: unknown }>;
}

export type { FakeAnthropicBatch, FakeAnthropicBatches, FakeAnthropicBatchOptions } from './fake-anthropic-batch.js';

/** The tool-use system prompt Anthropic adds when `tool_choice` forces a tool (its documented count). */
const TOOL_CHOICE_SYSTEM_TOKENS = 346;

/**
 * Input tokens as Claude bills them: text, tool definitions plus the tool-use system prompt, and
 * images by the published rule, width x height / 750 (for images within 1568 px).
 */
function inputTokens(request: RecordedRequest): number {
  const body = request.body as MessagesBody;
  let text = (body.system ?? '') + (body.tools ? JSON.stringify(body.tools) : '');
  for (const message of body.messages ?? []) {
    if (typeof message.content === 'string') text += message.content;
    else for (const block of message.content) if (block.type === 'text') text += block.text ?? '';
  }
  const toolPrompt = body.tools ? TOOL_CHOICE_SYSTEM_TOKENS : 0;
  return textTokens(text) + toolPrompt + request.images.reduce((sum, image) => sum + Math.ceil((image.width * image.height) / 750), 0);
}

/**
 * `anthropic-ratelimit-*` as the Messages API sends them on every answer (resets as RFC 3339
 * times); `tokens-limit` is the input and output limits together, as a recorded real answer sends it.
 */
function rateLimitHeaders(limits: FakeAnthropicOptions['rateLimits']): Record<string, string> {
  if (limits === undefined) return {};
  const reset = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const combined = limits.inputTokensPerMinute + limits.outputTokensPerMinute;
  return {
    'anthropic-ratelimit-requests-limit': String(limits.requestsPerMinute), 'anthropic-ratelimit-requests-remaining': String(limits.requestsPerMinute - 1), 'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-input-tokens-limit': String(limits.inputTokensPerMinute), 'anthropic-ratelimit-input-tokens-remaining': String(limits.inputTokensPerMinute), 'anthropic-ratelimit-input-tokens-reset': reset,
    'anthropic-ratelimit-output-tokens-limit': String(limits.outputTokensPerMinute), 'anthropic-ratelimit-output-tokens-remaining': String(limits.outputTokensPerMinute), 'anthropic-ratelimit-output-tokens-reset': reset,
    'anthropic-ratelimit-tokens-limit': String(combined), 'anthropic-ratelimit-tokens-remaining': String(combined), 'anthropic-ratelimit-tokens-reset': reset,
  };
}

function message(request: RecordedRequest, content: unknown[], stopReason: string, outputText: string, stopDetails: unknown = null, limits?: FakeAnthropicOptions['rateLimits']): FakeResponse {
  const body = request.body as MessagesBody;
  return {
    status: 200,
    headers: { 'request-id': 'req_fake01', ...rateLimitHeaders(limits) },
    body: {
      id: 'msg_01FakeFakeFake', type: 'message', role: 'assistant', model: body.model ?? 'unknown', content,
      stop_reason: stopReason, stop_sequence: null, stop_details: stopDetails,
      usage: { input_tokens: inputTokens(request), output_tokens: textTokens(outputText), cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
    },
  };
}

function error(status: number, type: string, text: string, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'request-id': 'req_fake02', ...headers }, body: { type: 'error', error: { type, message: text }, request_id: 'req_fake02' } };
}

/** Options of the fake server: the key it accepts and the label it answers. */
export interface FakeAnthropicOptions {
  /** The key the server accepts as `x-api-key` or a Bearer token. */
  readonly apiKey?: string;
  readonly label?: string;
  /** How its Message Batches API behaves: see fake-anthropic-batch.ts. */
  readonly batch?: FakeAnthropicBatchOptions;
  /** The models `GET /v1/models` lists, two per page (`after_id` pages on); left out, that path is 404. */
  readonly models?: readonly string[];
  /** The account's limits, sent as `anthropic-ratelimit-*` headers on every message (the real API always sends them). */
  readonly rateLimits?: { readonly requestsPerMinute: number; readonly inputTokensPerMinute: number; readonly outputTokensPerMinute: number };
}

/** One page of `GET /v1/models` as Anthropic answers it: `data`, `has_more`, `first_id`, `last_id`. */
function modelsPage(models: readonly string[], query: URLSearchParams): FakeResponse {
  const after = query.get('after_id');
  const start = after === null ? 0 : models.indexOf(after) + 1;
  const page = models.slice(start, start + 2);
  return {
    status: 200,
    body: {
      data: page.map((id) => ({ id, type: 'model', display_name: id, created_at: '2025-10-01T00:00:00Z' })),
      has_more: start + 2 < models.length, first_id: page[0] ?? null, last_id: page.at(-1) ?? null,
    },
  };
}

/**
 * A fake Anthropic Messages server (`POST /v1/messages`) speaking the real wire format: a forced
 * tool call with `usage`, `stop_reason: "refusal"`, and typed error bodies (429 with Retry-After,
 * 529 overloaded). `url` is the base URL to pass.
 */
export async function startFakeAnthropicServer(options: FakeAnthropicOptions = {}): Promise<FakeServer & { url: string; batches: FakeAnthropicBatches }> {
  // The SDK sends the key as `Authorization: Bearer …`; older clients as `x-api-key`.
  const keyRejected = (request: RecordedRequest) => options.apiKey !== undefined && (request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer /, '')) !== options.apiKey;
  const messages = (request: RecordedRequest, mode: FakeMode): FakeResponse => {
    if (request.method !== 'POST' || request.path !== '/v1/messages') return error(404, 'not_found_error', `Not found: ${request.path}`);
    if (keyRejected(request)) return error(401, 'authentication_error', 'invalid x-api-key');
    const tool = (request.body as MessagesBody).tools?.[0];
    const toolUse = (input: unknown) => [{ type: 'tool_use', id: 'toolu_01FakeFake', name: tool?.name ?? 'record_emotion', input }];
    switch (mode) {
      case 'ok':
      case 'slow': {
        const answer = fakeAnswer(tool?.input_schema, options.label);
        return message(request, toolUse(answer), 'tool_use', JSON.stringify(answer), null, options.rateLimits);
      }
      case 'refusal': {
        const words = 'I can’t help with inferring emotions of real people from their faces.';
        return message(request, [{ type: 'text', text: words }], 'refusal', words, { type: 'refusal', category: null, explanation: 'The request asks to infer emotional states of identifiable people.' });
      }
      case 'sentence': {
        const words = "I'm not able to identify emotions of real people from photographs.";
        return message(request, [{ type: 'text', text: words }], 'end_turn', words);
      }
      case 'cut-off':
        // The output cap reached before the tool call was written.
        return message(request, [{ type: 'text', text: 'Looking at the face, the brows are' }], 'max_tokens', 'x '.repeat(Number((request.body as { max_tokens?: number }).max_tokens ?? 1024)));
      case 'malformed-answer': {
        const answer = { ...fakeAnswer(tool?.input_schema, options.label), label: 'smirking', confidence: 'very' };
        return message(request, toolUse(answer), 'tool_use', JSON.stringify(answer));
      }
      case 'rate-limit':
        return error(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization of 50 requests per minute.', { 'retry-after': '7' });
      case 'server-error':
        return error(529, 'overloaded_error', 'Overloaded');
      case 'malformed-body':
        return { status: 200, body: '{"id": "msg_01FakeFakeFake", "type": "message", "content": [{"type": "tool_u' };
    }
  };
  const batches = createFakeAnthropicBatches(messages, options.batch);
  const server = await startFakeHttpServer(async (request, mode) => {
    const url = new URL(request.path, 'http://fake');
    if (request.method === 'GET' && url.pathname === '/v1/models' && options.models) return modelsPage(options.models, url.searchParams);
    if (request.path.startsWith('/v1/messages/batches') && keyRejected(request)) return error(401, 'authentication_error', 'invalid x-api-key');
    return (await batches.handle(request)) ?? messages(request, mode);
  });
  return Object.assign(server, { url: server.origin, batches });
}
