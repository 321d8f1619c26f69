import { createFakeGoogleBatches, type FakeGoogleBatches, type FakeGoogleBatchOptions } from './fake-google-batch.js';
import { fakeAnswer, type FakeMode, type FakeResponse, type FakeServer, type RecordedRequest, startFakeHttpServer, textTokens } from './fake-http-server.js';

interface GenerateBody {
  contents?: Array<{ parts?: Array<{ text?: string }> }>;
  systemInstruction?: { parts?: Array<{ text?: string }> };
  generationConfig?: { responseJsonSchema?: unknown; mediaResolution?: string };
}

/** Gemini 3's published image rule: a fixed count per image by media resolution; unset is HIGH for images. */
const GEMINI_3_IMAGE_TOKENS: Record<string, number> = { MEDIA_RESOLUTION_LOW: 280, MEDIA_RESOLUTION_MEDIUM: 560, MEDIA_RESOLUTION_HIGH: 1120 };

/**
 * Image tokens as Gemini bills them: Gemini 3 by media resolution (280 / 560 / 1,120); Gemini 2.x
 * 258 tokens within 384 px, else 258 per 768 px tile, 64 at low resolution.
 */
function imageTokensOf(model: string, resolution: string | undefined, image: { width: number; height: number }): number {
  if (model.startsWith('gemini-3')) return GEMINI_3_IMAGE_TOKENS[resolution ?? 'MEDIA_RESOLUTION_HIGH'] ?? 1120;
  if (resolution === 'MEDIA_RESOLUTION_LOW') return 64;
  return image.width <= 384 && image.height <= 384 ? 258 : Math.ceil(image.width / 768) * Math.ceil(image.height / 768) * 258;
}

function usageOf(request: RecordedRequest, outputText: string) {
  const body = request.body as GenerateBody;
  const schema = body.generationConfig?.responseJsonSchema ? JSON.stringify(body.generationConfig.responseJsonSchema) : '';
  const text = schema + [...(body.systemInstruction?.parts ?? []), ...(body.contents ?? []).flatMap((content) => content.parts ?? [])].map((part) => part.text ?? '').join('');
  const model = /\/models\/([^/:]+):/.exec(request.path)?.[1] ?? '';
  const imageTokens = request.images.reduce((sum, image) => sum + imageTokensOf(model, body.generationConfig?.mediaResolution, image), 0);
  const textCount = textTokens(text);
  const output = textTokens(outputText);
  return {
    promptTokenCount: textCount + imageTokens, candidatesTokenCount: output, totalTokenCount: textCount + imageTokens + output,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: textCount }, ...(imageTokens > 0 ? [{ modality: 'IMAGE', tokenCount: imageTokens }] : [])],
  };
}

function candidate(request: RecordedRequest, text: string): FakeResponse {
  return {
    status: 200,
    body: {
      candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usageOf(request, text), modelVersion: 'gemini-fake-001', responseId: 'fakeResponseId01',
    },
  };
}

function error(status: number, googleStatus: string, text: string, details: unknown[] = []): FakeResponse {
  return { status, body: { error: { code: status, message: text, status: googleStatus, ...(details.length > 0 ? { details } : {}) } } };
}

export type { FakeGoogleBatch, FakeGoogleBatches, FakeGoogleBatchOptions } from './fake-google-batch.js';

/** Options of the fake server: the key it accepts and the label it answers. */
export interface FakeGoogleOptions {
  /** The key the server accepts as `x-goog-api-key`. */
  readonly apiKey?: string;
  readonly label?: string;
  /** How its batch mode behaves: see fake-google-batch.ts. */
  readonly batch?: FakeGoogleBatchOptions;
  /** The models `GET /v1beta/models` lists (as `models/<id>`), two per page (`pageToken`); left out, that path is 404. */
  readonly models?: readonly string[];
}

/** One page of `GET /v1beta/models` as Google answers it: `models` and, when more follow, `nextPageToken`. */
function modelsPage(models: readonly string[], query: URLSearchParams): FakeResponse {
  const start = Number(query.get('pageToken') ?? '0');
  const page = models.slice(start, start + 2);
  return {
    status: 200,
    body: {
      models: page.map((id) => ({ name: `models/${id}`, displayName: id, supportedGenerationMethods: ['generateContent', 'countTokens'] })),
      ...(start + 2 < models.length ? { nextPageToken: String(start + 2) } : {}),
    },
  };
}

/**
 * A fake Gemini API server (`POST /v1beta/models/{model}:generateContent`) speaking the real wire
 * format: candidates with `usageMetadata`, `promptFeedback.blockReason`, and Google error bodies (429
 * RESOURCE_EXHAUSTED with a RetryInfo `retryDelay`, 503 UNAVAILABLE). `url` is the base URL to pass.
 */
export async function startFakeGoogleServer(options: FakeGoogleOptions = {}): Promise<FakeServer & { url: string; batches: FakeGoogleBatches }> {
  const keyRejected = (request: RecordedRequest) => options.apiKey !== undefined && request.headers['x-goog-api-key'] !== options.apiKey;
  const invalidKey = () => error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }]);
  const generate = (request: RecordedRequest, mode: FakeMode): FakeResponse => {
    if (request.method !== 'POST' || !/^\/v1beta\/models\/[^/:]+:generateContent$/.test(request.path)) {
      return error(404, 'NOT_FOUND', `Method not found: ${request.path}`);
    }
    if (keyRejected(request)) return invalidKey();
    const schema = (request.body as GenerateBody).generationConfig?.responseJsonSchema;
    switch (mode) {
      case 'ok':
      case 'slow':
        return candidate(request, JSON.stringify(fakeAnswer(schema, options.label)));
      case 'refusal':
        return {
          status: 200,
          body: {
            promptFeedback: { blockReason: 'SAFETY', safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'MEDIUM' }] },
            usageMetadata: usageOf(request, ''), modelVersion: 'gemini-fake-001', responseId: 'fakeResponseId02',
          },
        };
      case 'sentence':
        return candidate(request, "I'm sorry, I can't help with identifying the emotions of people in images.");
      case 'cut-off': {
        // Gemini thinking used maxOutputTokens: no text part, finishReason MAX_TOKENS, thoughts counted apart.
        const cap = Number((request.body as { generationConfig?: { maxOutputTokens?: number } }).generationConfig?.maxOutputTokens ?? 1024);
        const cut = candidate(request, '');
        const body = cut.body as { candidates: Array<{ content: { parts: unknown[] }; finishReason: string }>; usageMetadata: Record<string, number> };
        body.candidates[0]!.content.parts = [];
        body.candidates[0]!.finishReason = 'MAX_TOKENS';
        body.usageMetadata.candidatesTokenCount = 0;
        body.usageMetadata.thoughtsTokenCount = cap;
        return cut;
      }
      case 'malformed-answer':
        return candidate(request, '```json\n{"label": "Happy", "confidence": 0.9,\n```');
      case 'rate-limit':
        return error(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
        ]);
      case 'server-error':
        return error(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
      case 'malformed-body':
        return { status: 200, body: '{"candidates": [{"content": {"parts": [{"text": "{\\"label' };
    }
  };
  const batches = createFakeGoogleBatches(generate, options.batch);
  const server = await startFakeHttpServer(async (request, mode) => {
    const url = new URL(request.path, 'http://fake');
    if (request.method === 'GET' && url.pathname === '/v1beta/models' && options.models) return modelsPage(options.models, url.searchParams);
    const batchPath = /:batchGenerateContent$|^\/v1beta\/batches/.test(request.path.split('?')[0] ?? '');
    if (batchPath && keyRejected(request)) return invalidKey();
    return (await batches.handle(request)) ?? generate(request, mode);
  });
  return Object.assign(server, { url: server.origin, batches });
}
