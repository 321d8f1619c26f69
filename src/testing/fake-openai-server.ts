import {
  fakeAnswer, type FakeAnswerOptions, type FakeMode, type FakeResponse, type FakeServer, type ReceivedImage, type RecordedRequest, startFakeHttpServer, textTokens,
} from './fake-http-server.js';
import { createFakeOpenAiBatches, type FakeOpenAiBatches, type FakeOpenAiBatchOptions } from './fake-openai-batch.js';

import { type FakeLimitStats, type FakeProviderLimits, limitFakeProvider } from './fake-provider-limits.js';
export type { FakeLimitStats, FakeProviderLimits } from './fake-provider-limits.js';
export type { FakeBatchLineOutcome, FakeOpenAiBatch, FakeOpenAiBatches, FakeOpenAiBatchOptions } from './fake-openai-batch.js';

interface ChatBody {
  model?: string;
  messages?: Array<{ role: string; content: string | Array<{ type: string; text?: string; image_url?: { url: string; detail?: string } }> }>;
  response_format?: { json_schema?: { schema?: unknown } };
}

/** gpt-4o-mini's published image billing: 2,833 tokens at low detail, plus 5,667 per 512 px tile at high. */
export function gpt4oMiniImageTokens(image: ReceivedImage, detail: string | undefined): number {
  if (detail === 'low') return 2833;
  let { width, height } = image;
  const fit = Math.min(1, 2048 / width, 2048 / height);
  width *= fit;
  height *= fit;
  const shortSide = Math.min(width, height);
  if (shortSide > 768) {
    width = (width * 768) / shortSide;
    height = (height * 768) / shortSide;
  }
  return 2833 + 5667 * Math.ceil(width / 512) * Math.ceil(height / 512);
}

/** Patch-billed models (32 px patches, at most 1,536, times the multiplier their bills show): gpt-5.4-mini … */
const PATCH_MULTIPLIERS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^gpt-5\.4-(mini|nano)/, 1.2], [/^gpt-5-mini/, 1.2], [/^gpt-5-nano/, 1.5], [/^gpt-4\.1-mini/, 1.62], [/^gpt-4\.1-nano/, 2.46],
];

/** 32 px patches, shrunk to 1,536 when over (OpenAI's documented steps), times the model's multiplier. */
export function patchImageTokens(image: ReceivedImage, multiplier: number): number {
  const count = (width: number, height: number) => Math.ceil(width / 32) * Math.ceil(height / 32);
  let patches = count(image.width, image.height);
  if (patches > 1536) {
    const shrink = Math.sqrt((1536 * 32 * 32) / (image.width * image.height));
    const across = (image.width * shrink) / 32;
    const down = (image.height * shrink) / 32;
    const snapped = shrink * Math.min(Math.floor(across) / across, Math.floor(down) / down);
    patches = Math.min(1536, count(image.width * snapped, image.height * snapped));
  }
  return Math.ceil(patches * multiplier);
}

/** The image tokens `model` is billed for one image: patches for patch-billed models, else gpt-4o-mini's tiles. */
function imageTokensFor(model: string | undefined, image: ReceivedImage, detail: string | undefined): number {
  const multiplier = PATCH_MULTIPLIERS.find(([pattern]) => pattern.test(model ?? ''))?.[1];
  return multiplier === undefined ? gpt4oMiniImageTokens(image, detail) : patchImageTokens(image, multiplier);
}

function usageOf(request: RecordedRequest, completionText: string) {
  const body = request.body as ChatBody;
  // A structured-output schema is billed as input, like the prompt.
  let text = body.response_format?.json_schema?.schema ? JSON.stringify(body.response_format.json_schema.schema) : '';
  let images = 0;
  let imageIndex = 0;
  for (const message of body.messages ?? []) {
    if (typeof message.content === 'string') text += message.content;
    else {
      for (const part of message.content) {
        if (part.type === 'text') text += part.text ?? '';
        if (part.type === 'image_url') {
          const image = request.images[imageIndex++];
          if (image) images += imageTokensFor(body.model, image, part.image_url?.detail);
        }
      }
    }
  }
  const prompt = textTokens(text) + images;
  const completion = textTokens(completionText);
  return {
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function completion(request: RecordedRequest, message: { content: string | null; refusal: string | null }, finishReason = 'stop'): FakeResponse {
  const body = request.body as ChatBody;
  return {
    status: 200,
    headers: { 'x-request-id': `req_${request.path.length}${Date.now() % 1000}` },
    body: {
      id: 'chatcmpl-fake123', object: 'chat.completion', created: 1_763_000_000, model: body.model ?? 'unknown', system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message: { role: 'assistant', ...message, annotations: [] }, logprobs: null, finish_reason: finishReason }],
      usage: usageOf(request, message.content ?? message.refusal ?? ''),
      // The tier asked for answers (a real server may fall back to `default`).
      service_tier: (request.body as { service_tier?: string }).service_tier ?? 'default',
    },
  };
}

/** Options of the fake server: the key it accepts, the label it answers, what it rejects and lists. */
export interface FakeOpenAiOptions {
  /** The key the server accepts as `Authorization: Bearer …`; any (or none) when left out, as local servers do. */
  readonly apiKey?: string;
  /** The label answered when the schema allows it. */
  readonly label?: string;
  /**
   * Body parameters this "model" rejects, as OpenAI's reasoning models reject `temperature`:
   * HTTP 400 with `code: "unsupported_value"` and `param` naming it.
   */
  readonly rejectParameters?: readonly string[];
  /** The models `GET /v1/models` lists; left out, that path is unknown (404), as on many local servers. */
  readonly models?: readonly string[];
  /** How to answer one request beyond the label (abstain, hintFollowed), from what it carried; unset: a plain answer. */
  readonly answer?: (request: RecordedRequest) => FakeAnswerOptions | undefined;
  /** How its Batch API (files, batches) behaves: see fake-openai-batch.ts. */
  readonly batch?: FakeOpenAiBatchOptions;
  /** The account's latency, rate and cap on requests at once (429s past them, `x-ratelimit-*` headers): see fake-provider-limits.ts. */
  readonly limits?: FakeProviderLimits;
}

/**
 * A fake OpenAI Chat Completions server (`POST /v1/chat/completions`) speaking the real wire format:
 * completions with `usage`, a `refusal` field, 401/429/503 error bodies with `Retry-After`.
 * Also stands in for Ollama, vLLM and other OpenAI-compatible servers. `url` is the base URL to pass.
 */
export async function startFakeOpenAiServer(options: FakeOpenAiOptions = {}): Promise<FakeServer & { url: string; batches: FakeOpenAiBatches; limitStats: FakeLimitStats }> {
  const chat = (request: RecordedRequest, mode: FakeMode): FakeResponse => {
    if (request.method === 'GET' && request.path.startsWith('/v1/models') && options.models) {
      return { status: 200, body: { object: 'list', data: options.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })) } };
    }
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      return { status: 404, body: { error: { message: `Unknown request URL: ${request.method} ${request.path}.`, type: 'invalid_request_error', param: null, code: 'unknown_url' } } };
    }
    const given = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (options.apiKey !== undefined && given !== options.apiKey) {
      // The real API echoes a masked key; never the whole one.
      const masked = given.length > 8 ? `${given.slice(0, 3)}*****${given.slice(-4)}` : '***';
      return { status: 401, body: { error: { message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } };
    }
    const rejected = options.rejectParameters?.find((parameter) => parameter in (request.body as object));
    if (rejected !== undefined) {
      return {
        status: 400,
        body: { error: { message: `Unsupported value: '${rejected}' does not support ${JSON.stringify((request.body as Record<string, unknown>)[rejected])} with this model. Only the default (1) value is supported.`, type: 'invalid_request_error', param: rejected, code: 'unsupported_value' } },
      };
    }
    const schema = (request.body as ChatBody).response_format?.json_schema?.schema;
    switch (mode) {
      case 'ok':
      case 'slow':
        return completion(request, { content: JSON.stringify(fakeAnswer(schema, options.label, options.answer?.(request))), refusal: null });
      case 'refusal':
        return completion(request, { content: null, refusal: "I'm sorry, I can't help with identifying or analysing people's emotions from images of their faces." });
      case 'sentence':
        return completion(request, { content: "I'm sorry, but I can't help with that request.", refusal: null });
      case 'malformed-answer':
        return completion(request, { content: 'The person looks happy, I would say {"label": "Happy", "confidence": 0.9', refusal: null });
      case 'cut-off': {
        // A reasoning model that spent max_completion_tokens thinking: empty content, finish_reason "length".
        const cut = completion(request, { content: '', refusal: null }, 'length');
        const body = cut.body as { usage: { completion_tokens: number; total_tokens: number; completion_tokens_details: { reasoning_tokens: number } } };
        const cap = Number((request.body as { max_completion_tokens?: number; max_tokens?: number }).max_completion_tokens ?? (request.body as { max_tokens?: number }).max_tokens ?? 1024);
        body.usage.completion_tokens = cap;
        body.usage.total_tokens += cap;
        body.usage.completion_tokens_details.reasoning_tokens = cap;
        return cut;
      }
      case 'rate-limit':
        return {
          status: 429, headers: { 'retry-after': '7', 'x-ratelimit-remaining-requests': '0' },
          body: { error: { message: 'Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 7s.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
        };
      case 'server-error':
        return { status: 503, body: { error: { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null } } };
      case 'malformed-body':
        return { status: 200, body: '{"id": "chatcmpl-fake123", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assis' };
    }
  };
  const batches = createFakeOpenAiBatches(chat, options.batch);
  const account = limitFakeProvider(options.limits ?? {}, chat);
  const server = await startFakeHttpServer(async (request, mode) => (await batches.handle(request)) ?? account.respond(request, mode));
  return Object.assign(server, { url: `${server.origin}/v1`, batches, limitStats: account.stats });
}
