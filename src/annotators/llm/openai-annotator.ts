import type OpenAI from 'openai';
import type { ChatCompletionContentPart, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Annotator } from '../annotator.js';
import { createLlmAnnotator, type LlmProviderDefinition, TRANSPORT_TIMEOUT_MS, type TransportContext } from './llm-annotator.js';
import type { LlmAnnotatorSettings } from './llm-settings.js';
import type { LlmReply, LlmRequest, LlmTransport } from './llm-request.js';
import { optionalCount, sdkFailure } from './provider-error.js';
import { EmolabelError } from '../../errors.js';

/** The Chat Completions body for one request: JSON-schema structured output, images as data URLs. */
export function openAiChatBody(request: LlmRequest, options: { compatible: boolean }): ChatCompletionCreateParamsNonStreaming {
  const content: ChatCompletionContentPart[] = request.parts.map((part) =>
    part.kind === 'text'
      ? { type: 'text', text: part.text }
      : {
          type: 'image_url',
          image_url: { url: `data:image/jpeg;base64,${part.image.base64}`, ...(request.detail ? { detail: request.detail } : {}) },
        },
  );
  return {
    model: request.modelId,
    messages: [
      { role: 'system', content: request.system },
      { role: 'user', content },
    ],
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    // OpenAI's reasoning models take only max_completion_tokens; local servers know max_tokens.
    ...(options.compatible ? { max_tokens: request.maxOutputTokens } : { max_completion_tokens: request.maxOutputTokens }),
    ...(request.reasoningEffort === undefined ? {} : { reasoning_effort: request.reasoningEffort as ChatCompletionCreateParamsNonStreaming['reasoning_effort'] }),
    response_format: { type: 'json_schema', json_schema: { name: request.schemaName, schema: request.jsonSchema, strict: true } },
  };
}

/** The SDK and its client, imported on the first request: `import('emolabel')` loads no provider SDK. */
async function openAiClient(context: TransportContext) {
  const sdk = await import('openai');
  const client = new sdk.default({
    // Local servers take any key; the SDK insists on one.
    apiKey: context.apiKey ?? 'no-key',
    baseURL: context.settings.baseUrl,
    maxRetries: 0,
    timeout: TRANSPORT_TIMEOUT_MS,
  });
  return { client, errors: { userAbort: sdk.APIUserAbortError, connection: sdk.APIConnectionError, api: sdk.APIError } };
}

function createOpenAiTransport(context: TransportContext, compatible: boolean): LlmTransport {
  let loaded: ReturnType<typeof openAiClient> | undefined;
  return {
    async send(request: LlmRequest, signal: AbortSignal): Promise<LlmReply> {
      const { client, errors } = await (loaded ??= openAiClient(context));
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(openAiChatBody(request, { compatible }), { signal });
      } catch (error) {
        throw sdkFailure(error, { ...context, baseUrl: context.settings.baseUrl }, errors, UNREADABLE_COMPLETION);
      }
      if (!Array.isArray(completion?.choices)) throw unreadableBody(context.displayId);
      const choice = completion.choices[0];
      const message = choice?.message;
      const usage = {
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
        ...optionalCount('reasoningTokens', completion.usage?.completion_tokens_details?.reasoning_tokens),
        ...optionalCount('cachedInputTokens', completion.usage?.prompt_tokens_details?.cached_tokens),
      };
      const refusal = message?.refusal ?? (choice?.finish_reason === 'content_filter' ? (message?.content ?? 'stopped by the content filter') : undefined);
      return {
        text: message?.content ?? '', refusal: refusal ?? undefined, usage, finishReason: choice?.finish_reason,
        truncated: choice?.finish_reason === 'length', ...(typeof completion.model === 'string' ? { model: completion.model } : {}),
      };
    },
    // OpenAI lists the models a key may use; OpenAI-compatible servers list what they like, or nothing.
    ...(compatible ? {} : { listModels: async (signal?: AbortSignal) => listOpenAiModels(await (loaded ??= openAiClient(context)), signal) }),
  };
}

/** The ids of `GET /v1/models`, or undefined when there is no such list or no answer (the first request will tell). */
async function listOpenAiModels({ client }: Awaited<ReturnType<typeof openAiClient>>, signal?: AbortSignal): Promise<readonly string[] | undefined> {
  try {
    const ids: string[] = [];
    for await (const model of client.models.list({ signal })) ids.push(model.id);
    return ids;
  } catch {
    return undefined;
  }
}

const UNREADABLE_COMPLETION = 'a body that is not a chat completion (malformed JSON); try again, or check --base-url points at an OpenAI-compatible /v1 endpoint.';

function unreadableBody(modelId: string): EmolabelError {
  return new EmolabelError('provider_error', `${modelId} answered with ${UNREADABLE_COMPLETION}`, { isRetryable: true });
}

/** `openai:<model>`: OpenAI's Chat Completions API, key in `OPENAI_API_KEY`. */
export const openAiProvider: LlmProviderDefinition = {
  provider: 'openai',
  apiKey: { variables: ['OPENAI_API_KEY'], required: true },
  requiresBaseUrl: false,
  defaultMaxImagesPerRequest: 50,
  supportsDetail: true,
  defaultDetail: 'low',
  createTransport: (context) => createOpenAiTransport(context, false),
};

/**
 * `openai-compatible:<model>` with `--base-url`: Ollama, vLLM, LM Studio, OpenRouter and other
 * servers that speak Chat Completions. A key is optional (`OPENAI_COMPATIBLE_API_KEY` or `--api-key-env`).
 */
export const openAiCompatibleProvider: LlmProviderDefinition = {
  provider: 'openai-compatible',
  apiKey: { variables: ['OPENAI_COMPATIBLE_API_KEY'], required: false },
  requiresBaseUrl: true,
  defaultMaxImagesPerRequest: 16,
  supportsDetail: true,
  createTransport: (context) => createOpenAiTransport(context, true),
};

/**
 * @example createOpenAiAnnotator('gpt-4o-mini', { prompt: 'au-cot' })
 */
export function createOpenAiAnnotator(modelId: string, settings: LlmAnnotatorSettings = {}): Annotator {
  return createLlmAnnotator(openAiProvider, modelId, settings);
}

/**
 * @example createOpenAiCompatibleAnnotator('qwen2.5vl:7b', { baseUrl: 'http://127.0.0.1:11434/v1' })
 */
export function createOpenAiCompatibleAnnotator(modelId: string, settings: LlmAnnotatorSettings = {}): Annotator {
  return createLlmAnnotator(openAiCompatibleProvider, modelId, settings);
}
