import type Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageCreateParamsNonStreaming, Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Annotator } from '../annotator.js';
import { createLlmAnnotator, type LlmProviderDefinition, TRANSPORT_TIMEOUT_MS, type TransportContext } from './llm-annotator.js';
import type { LlmAnnotatorSettings } from './llm-settings.js';
import type { LlmReply, LlmRequest, LlmTransport } from './llm-request.js';
import { optionalCount, sdkFailure } from './provider-error.js';
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
async function anthropicClient(context: TransportContext) {
  const sdk = await import('@anthropic-ai/sdk');
  const client = new sdk.default({ apiKey: context.apiKey, baseURL: context.settings.baseUrl, maxRetries: 0, timeout: TRANSPORT_TIMEOUT_MS });
  return { client, errors: { userAbort: sdk.APIUserAbortError, connection: sdk.APIConnectionError, api: sdk.APIError } };
}

function createAnthropicTransport(context: TransportContext): LlmTransport {
  let loaded: ReturnType<typeof anthropicClient> | undefined;
  return {
    async send(request: LlmRequest, signal: AbortSignal): Promise<LlmReply> {
      const { client, errors } = await (loaded ??= anthropicClient(context));
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(anthropicMessagesBody(request), { signal });
      } catch (error) {
        throw sdkFailure(error, { ...context, baseUrl: context.settings.baseUrl }, errors, 'a body that is not JSON; try again.');
      }
      if (!Array.isArray(message?.content)) {
        throw new EmolabelError('provider_error', `${context.displayId} answered with a body that is not a message; check --base-url.`, { isRetryable: true });
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
    },
    // `GET /v1/models`, every page: snapshot ids (`claude-haiku-4-5-20251001`) that the run's alias names.
    async listModels(signal?: AbortSignal): Promise<readonly string[] | undefined> {
      try {
        const { client } = await (loaded ??= anthropicClient(context));
        const ids: string[] = [];
        for await (const model of client.models.list({ limit: 1000 }, { signal })) ids.push(model.id);
        return ids;
      } catch {
        return undefined;
      }
    },
  };
}

/** `anthropic:<model>`: Claude through the Messages API, key in `ANTHROPIC_API_KEY`. */
export const anthropicProvider: LlmProviderDefinition = {
  provider: 'anthropic',
  apiKey: { variables: ['ANTHROPIC_API_KEY'], required: true },
  requiresBaseUrl: false,
  defaultMaxImagesPerRequest: 100,
  supportsDetail: false,
  createTransport: createAnthropicTransport,
};

/**
 * @example createAnthropicAnnotator('claude-haiku-4-5', { prompt: 'direct' })
 */
export function createAnthropicAnnotator(modelId: string, settings: LlmAnnotatorSettings = {}): Annotator {
  return createLlmAnnotator(anthropicProvider, modelId, settings);
}

