import type { GenerateContentParameters, GenerateContentResponse, MediaResolution, Part, ThinkingLevel } from '@google/genai';
import { TRANSPORT_TIMEOUT_MS, type TransportContext } from './llm-annotator.js';
import type { LlmReply, LlmRequest } from './llm-request.js';
import { optionalCount } from './provider-error.js';

/** Finish reasons with which Gemini withholds an answer on policy grounds. */
const BLOCKING_FINISH_REASONS = new Set(['SAFETY', 'PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'RECITATION']);

// The enum's string values, so building a request needs no runtime import of the SDK.
const MEDIA_RESOLUTION = { low: 'MEDIA_RESOLUTION_LOW' as MediaResolution, high: 'MEDIA_RESOLUTION_HIGH' as MediaResolution } as const;

/** The generateContent parameters for one request: response JSON schema, images as inline base64 JPEG. */
export function geminiContentParameters(request: LlmRequest): GenerateContentParameters {
  const parts: Part[] = request.parts.map((part) =>
    part.kind === 'text' ? { text: part.text } : { inlineData: { mimeType: 'image/jpeg', data: part.image.base64 } },
  );
  const mediaResolution = request.detail === 'low' || request.detail === 'high' ? MEDIA_RESOLUTION[request.detail] : undefined;
  return {
    model: request.modelId,
    contents: [{ role: 'user', parts }],
    config: {
      systemInstruction: request.system,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      maxOutputTokens: request.maxOutputTokens,
      responseMimeType: 'application/json',
      responseJsonSchema: request.jsonSchema,
      ...(mediaResolution ? { mediaResolution } : {}),
      ...thinkingConfig(request),
    },
  };
}

/**
 * The reasoning effort as Gemini's thinking config: a level on Gemini 3 (MINIMAL … HIGH), a token
 * budget on 2.5 (0 turns thinking off where the model allows it).
 */
function thinkingConfig(request: LlmRequest): Pick<NonNullable<GenerateContentParameters['config']>, 'thinkingConfig'> {
  const effort = request.reasoningEffort;
  if (effort === undefined) return {};
  if (/^gemini-2\./.test(request.modelId)) {
    const budget = { none: 0, minimal: 0, low: 512, medium: 2048, high: 8192 }[effort];
    return { thinkingConfig: { thinkingBudget: budget } };
  }
  const level = { none: 'MINIMAL', minimal: 'MINIMAL', low: 'LOW', medium: 'MEDIUM', high: 'HIGH' }[effort];
  return { thinkingConfig: { thinkingLevel: level as ThinkingLevel } };
}

/** A generateContent answer (online, or a batch's inlined response) read as a reply. */
export function readGeminiResponse(response: GenerateContentResponse): LlmReply {
  const usage = {
    inputTokens: response.usageMetadata?.promptTokenCount ?? 0,
    // Thinking tokens are billed as output.
    outputTokens: (response.usageMetadata?.candidatesTokenCount ?? 0) + (response.usageMetadata?.thoughtsTokenCount ?? 0),
    ...optionalCount('reasoningTokens', response.usageMetadata?.thoughtsTokenCount),
    ...optionalCount('cachedInputTokens', response.usageMetadata?.cachedContentTokenCount),
  };
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    const detail = response.promptFeedback?.blockReasonMessage;
    return { refusal: `blocked (${blockReason})${detail ? `: ${detail}` : ''}`, usage, finishReason: String(blockReason) };
  }
  const candidate = response.candidates?.[0];
  const text = (candidate?.content?.parts ?? []).filter((part) => !part.thought && typeof part.text === 'string').map((part) => part.text).join('');
  const finishReason = candidate?.finishReason ? String(candidate.finishReason) : undefined;
  if (finishReason && BLOCKING_FINISH_REASONS.has(finishReason) && text.trim() === '') {
    return { refusal: `blocked (finishReason ${finishReason})${candidate?.finishMessage ? `: ${candidate.finishMessage}` : ''}`, usage, finishReason };
  }
  return { text, usage, finishReason, truncated: finishReason === 'MAX_TOKENS', ...(response.modelVersion ? { model: response.modelVersion } : {}) };
}

/** The SDK and its client, imported on the first request: `import('emolabel')` loads no provider SDK. */
export async function googleClient(context: TransportContext) {
  const sdk = await import('@google/genai');
  const client = new sdk.GoogleGenAI({
    apiKey: context.apiKey,
    httpOptions: {
      ...(context.settings.baseUrl ? { baseUrl: context.settings.baseUrl } : {}),
      timeout: TRANSPORT_TIMEOUT_MS,
      // One attempt: retries belong to the run, which honours Retry-After.
      retryOptions: { attempts: 1 },
    },
  });
  return { client, ApiError: sdk.ApiError };
}

