import type OpenAI from 'openai';
import type { ChatCompletionContentPart, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { TRANSPORT_TIMEOUT_MS, type TransportContext } from './llm-annotator.js';
import type { LlmReply, LlmRequest } from './llm-request.js';
import { optionalCount } from './provider-error.js';
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
    ...(request.serviceTier === undefined ? {} : { service_tier: request.serviceTier }),
  };
}

/** A Chat Completions body (online, or a batch line's) read as a reply. */
export function readChatCompletion(completion: OpenAI.Chat.Completions.ChatCompletion, displayId: string): LlmReply {
  if (!Array.isArray(completion?.choices)) throw unreadableBody(displayId);
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
    // The tier that answered, which may not be the one asked for: flex is billed at the batch rate.
    ...(completion.service_tier === 'flex' ? { batch: true } : {}),
  };
}

/** The SDK and its client, imported on the first request: `import('emolabel')` loads no provider SDK. */
export async function openAiClient(context: TransportContext) {
  const sdk = await import('openai');
  const client = new sdk.default({
    // Local servers take any key; the SDK insists on one.
    apiKey: context.apiKey ?? 'no-key',
    baseURL: context.settings.baseUrl,
    maxRetries: 0,
    timeout: TRANSPORT_TIMEOUT_MS,
  });
  return { client, toFile: sdk.toFile, errors: { userAbort: sdk.APIUserAbortError, connection: sdk.APIConnectionError, api: sdk.APIError } };
}

export const UNREADABLE_COMPLETION = 'a body that is not a chat completion (malformed JSON); try again, or check --base-url points at an OpenAI-compatible /v1 endpoint.';

function unreadableBody(modelId: string): EmolabelError {
  return new EmolabelError('provider_error', `${modelId} answered with ${UNREADABLE_COMPLETION}`, { isRetryable: true });
}

