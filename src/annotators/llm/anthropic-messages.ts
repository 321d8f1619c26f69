import type Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageCreateParamsNonStreaming, Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import { TRANSPORT_TIMEOUT_MS, type TransportContext } from './llm-annotator.js';
import type { LlmReply, LlmRequest } from './llm-request.js';
import { optionalCount } from './provider-error.js';
import { EmolabelError } from '../../errors.js';

/** The Messages body for one request: the schema as a forced, strict tool call, images as base64 JPEG blocks. */
export function anthropicMessagesBody(request: LlmRequest): MessageCreateParamsNonStreaming {
  const content: ContentBlockParam[] = request.parts.map((part) =>
    part.kind === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: part.image.base64 } },
  );
  return {
    model: request.modelId,
    max_tokens: request.maxOutputTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    system: request.system,
    messages: [{ role: 'user', content }],
    tools: [
      {
        name: request.schemaName,
        description: 'Record the facial-expression label of the images, with confidence and a short rationale.',
        input_schema: request.jsonSchema as Tool.InputSchema,
        // Strict tool use: the input is validated against the schema by Anthropic, as OpenAI's strict json_schema is.
        strict: true,
      },
    ],
    tool_choice: { type: 'tool', name: request.schemaName, disable_parallel_tool_use: true },
  };
}

/** The SDK and its client, imported on the first request: `import('emolabel')` loads no provider SDK. */
export async function anthropicClient(context: TransportContext) {
  const sdk = await import('@anthropic-ai/sdk');
  const client = new sdk.default({ apiKey: context.apiKey, baseURL: context.settings.baseUrl, maxRetries: 0, timeout: TRANSPORT_TIMEOUT_MS });
  return { client, errors: { userAbort: sdk.APIUserAbortError, connection: sdk.APIConnectionError, api: sdk.APIError } };
}

/** A Messages body (online, or a batch line's) read as the reply to `request`. */
export function readAnthropicMessage(message: Anthropic.Message, request: Pick<LlmRequest, 'schemaName'>, displayId: string): LlmReply {
  if (!Array.isArray(message?.content)) {
    throw new EmolabelError('provider_error', `${displayId} answered with a body that is not a message; check --base-url.`, { isRetryable: true });
  }
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n').trim();
  const toolUse = message.content.find((block) => block.type === 'tool_use' && block.name === request.schemaName);
  const usage = {
    inputTokens: message.usage.input_tokens + (message.usage.cache_creation_input_tokens ?? 0) + (message.usage.cache_read_input_tokens ?? 0),
    outputTokens: message.usage.output_tokens,
    ...optionalCount('cachedInputTokens', message.usage.cache_read_input_tokens ?? undefined),
  };
  if (message.stop_reason === 'refusal') {
    const explanation = message.stop_details?.explanation ?? '';
    return { refusal: text || explanation || 'refused (stop_reason: refusal)', text, usage, finishReason: 'refusal' };
  }
  return {
    value: toolUse && toolUse.type === 'tool_use' ? toolUse.input : undefined, text: toolUse ? undefined : text, usage,
    finishReason: message.stop_reason ?? undefined, truncated: message.stop_reason === 'max_tokens', ...(typeof message.model === 'string' ? { model: message.model } : {}),
  };
}
