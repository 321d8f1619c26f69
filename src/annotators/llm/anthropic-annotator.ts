import type Anthropic from '@anthropic-ai/sdk';
import type { Annotator } from '../annotator.js';
import { anthropicBatchTransport } from './anthropic-batch.js';
import { anthropicClient, anthropicMessagesBody, readAnthropicMessage } from './anthropic-messages.js';
import { createLlmAnnotator, type LlmProviderDefinition, type TransportContext } from './llm-annotator.js';
import type { LlmAnnotatorSettings } from './llm-settings.js';
import type { LlmReply, LlmRequest, LlmTransport } from './llm-request.js';
import { sdkFailure } from './provider-error.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';

function createAnthropicTransport(context: TransportContext): LlmTransport {
  let loaded: ReturnType<typeof anthropicClient> | undefined;
  return {
    async send(request: LlmRequest, signal: AbortSignal): Promise<LlmReply> {
      const { client, errors } = await (loaded ??= anthropicClient(context));
      let message: Anthropic.Message;
      let headers: Headers;
      try {
        ({ data: message, response: { headers } } = await client.messages.create(anthropicMessagesBody(request), { signal }).withResponse());
      } catch (error) {
        throw sdkFailure(error, { ...context, baseUrl: context.settings.baseUrl }, errors, 'a body that is not JSON; try again.');
      }
      const rateLimits = readRateLimitHeaders(headers);
      return { ...readAnthropicMessage(message, request, context.displayId), ...(rateLimits ? { rateLimits } : {}) };
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
    batch: anthropicBatchTransport(context, () => (loaded ??= anthropicClient(context))),
  };
}

/** `anthropic:<model>`: Claude through the Messages API, key in `ANTHROPIC_API_KEY`. */
export const anthropicProvider: LlmProviderDefinition = {
  provider: 'anthropic',
  apiKey: { variables: ['ANTHROPIC_API_KEY'], required: true },
  requiresBaseUrl: false,
  defaultMaxImagesPerRequest: 100,
  supportsDetail: false,
  // 100,000 requests or 256 MB per batch (a little kept back for the JSON around the requests).
  batchApi: { api: 'anthropic', limits: { maxRequests: 100_000, maxBytes: 250_000_000 } },
  createTransport: createAnthropicTransport,
};

/**
 * @example createAnthropicAnnotator('claude-haiku-4-5', { prompt: 'direct' })
 */
export function createAnthropicAnnotator(modelId: string, settings: LlmAnnotatorSettings = {}): Annotator {
  return createLlmAnnotator(anthropicProvider, modelId, settings);
}

