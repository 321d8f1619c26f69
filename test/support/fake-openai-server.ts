import {
  fakeAnswer, type FakeAnswerOptions, type FakeMode, type FakeResponse, type FakeServer, type ReceivedImage, type RecordedRequest, startFakeHttpServer, textTokens,
} from './fake-http-server.js';

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
          if (image) images += gpt4oMiniImageTokens(image, part.image_url?.detail);
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
      service_tier: 'default',
    },
  };
}

export interface FakeOpenAiOptions {
  /** The key the server accepts as `Authorization: Bearer …`; any (or none) when left out, as local servers do. */
  readonly apiKey?: string;
  /** The label answered when the schema allows it. */
  readonly label?: string;
  /** How to answer one request beyond the label (abstain, hintFollowed), from what it carried; unset: a plain answer. */
  readonly answer?: (request: RecordedRequest) => FakeAnswerOptions | undefined;
}

/**
 * A fake OpenAI Chat Completions server (`POST /v1/chat/completions`) speaking the real wire format:
 * completions with `usage`, a `refusal` field, 401/429/503 error bodies with `Retry-After`.
 * Also stands in for Ollama, vLLM and other OpenAI-compatible servers. `url` is the base URL to pass.
 */
export async function startFakeOpenAiServer(options: FakeOpenAiOptions = {}): Promise<FakeServer & { url: string }> {
  const server = await startFakeHttpServer((request: RecordedRequest, mode: FakeMode): FakeResponse => {
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      return { status: 404, body: { error: { message: `Unknown request URL: ${request.method} ${request.path}.`, type: 'invalid_request_error', param: null, code: 'unknown_url' } } };
    }
    const given = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (options.apiKey !== undefined && given !== options.apiKey) {
      // The real API echoes a masked key; never the whole one.
      const masked = given.length > 8 ? `${given.slice(0, 3)}*****${given.slice(-4)}` : '***';
      return { status: 401, body: { error: { message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } };
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
        return completion(request, { content: 'The person looks happy, I would say {"label": "Happy", "confidence": 0.9', refusal: null }, 'length');
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
  });
  return Object.assign(server, { url: `${server.origin}/v1` });
}
