import type OpenAI from 'openai';
import type { Annotator } from '../annotator.js';
import { createLlmAnnotator, type LlmProviderDefinition, type TransportContext } from './llm-annotator.js';
import type { LlmAnnotatorSettings } from './llm-settings.js';
import type { LlmReply, LlmRequest, LlmTransport } from './llm-request.js';
import { openAiBatchTransport } from './openai-batch.js';
import { openAiChatBody, openAiClient, readChatCompletion, UNREADABLE_COMPLETION } from './openai-chat.js';
import { sdkFailure } from './provider-error.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';

function createOpenAiTransport(context: TransportContext, compatible: boolean): LlmTransport {
  let loaded: ReturnType<typeof openAiClient> | undefined;
  return {
    async send(request: LlmRequest, signal: AbortSignal): Promise<LlmReply> {
      const { client, errors } = await (loaded ??= openAiClient(context));
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      let headers: Headers;
      try {
        ({ data: completion, response: { headers } } = await client.chat.completions.create(openAiChatBody(request, { compatible }), { signal }).withResponse());
      } catch (error) {
        throw sdkFailure(error, { ...context, baseUrl: context.settings.baseUrl }, errors, UNREADABLE_COMPLETION);
      }
      const rateLimits = readRateLimitHeaders(headers);
      return { ...readChatCompletion(completion, context.displayId), ...(rateLimits ? { rateLimits } : {}) };
    },
    batch: openAiBatchTransport(context, () => (loaded ??= openAiClient(context)), { compatible }),
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

/** `openai:<model>`: OpenAI's Chat Completions API, key in `OPENAI_API_KEY`. */
export const openAiProvider: LlmProviderDefinition = {
  provider: 'openai',
  apiKey: { variables: ['OPENAI_API_KEY'], required: true },
  requiresBaseUrl: false,
  defaultMaxImagesPerRequest: 50,
  supportsDetail: true,
  defaultDetail: 'low',
  supportsServiceTier: true,
  // 50,000 requests and 200 MB per batch (a little kept back for the JSONL framing).
  batchApi: { api: 'openai', limits: { maxRequests: 50_000, maxBytes: 190_000_000 } },
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
  // No batch API on these servers: `--batch` keeps the requests for `export --batch-jsonl` (vllm run-batch reads it) and `import-batch`.
  batchApi: { api: 'openai-jsonl', limits: { maxRequests: 50_000, maxBytes: 190_000_000 }, submission: 'manual' },
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
