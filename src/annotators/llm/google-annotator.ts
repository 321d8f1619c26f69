import type { GenerateContentResponse } from '@google/genai';
import type { Annotator } from '../annotator.js';
import { geminiContentParameters, googleClient, readGeminiResponse } from './google-content.js';
import { createLlmAnnotator, type LlmProviderDefinition, type TransportContext } from './llm-annotator.js';
import type { LlmAnnotatorSettings } from './llm-settings.js';
import type { LlmReply, LlmRequest, LlmTransport } from './llm-request.js';
import { googleBatchTransport } from './google-batch.js';
import { connectionError, httpFailureError, parseRetryAfter } from './provider-error.js';
import { EmolabelError } from '../../errors.js';

function createGoogleTransport(context: TransportContext): LlmTransport {
  let loaded: ReturnType<typeof googleClient> | undefined;
  return {
    async send(request: LlmRequest, signal: AbortSignal): Promise<LlmReply> {
      const { client, ApiError } = await (loaded ??= googleClient(context));
      // The SDK's ApiError keeps no headers; a fetch that remembers the last answer recovers Retry-After.
      let lastResponse: Response | undefined;
      const rememberingFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => (lastResponse = await fetch(input, init));
      const parameters = geminiContentParameters(request);
      let response: GenerateContentResponse;
      try {
        response = await client.models.generateContent({ ...parameters, config: { ...parameters.config, abortSignal: signal, httpOptions: { fetch: rememberingFetch } } });
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof ApiError) {
          throw httpFailureError({
            modelId: context.displayId, status: error.status, message: error.message, retryAfterMs: parseRetryAfter(lastResponse?.headers, error.message),
            keyVariable: context.keyVariable, apiKey: context.apiKey, cause: error,
          });
        }
        if (error instanceof SyntaxError) {
          throw new EmolabelError('provider_error', `${context.displayId} answered with a body that is not JSON; try again.`, { cause: error, isRetryable: true });
        }
        if (error instanceof TypeError) throw connectionError(context.displayId, context.settings.baseUrl, error, context.apiKey);
        throw error;
      }
      return readGeminiResponse(response);
    },
    // `GET /v1beta/models`, every page; names come as `models/gemini-3-flash`.
    async listModels(): Promise<readonly string[] | undefined> {
      try {
        const { client } = await (loaded ??= googleClient(context));
        const ids: string[] = [];
        for await (const model of await client.models.list({ config: { pageSize: 1000 } })) {
          if (typeof model.name === 'string') ids.push(model.name.replace(/^models\//, ''));
        }
        return ids;
      } catch {
        return undefined;
      }
    },
    batch: googleBatchTransport(context, () => (loaded ??= googleClient(context))),
  };
}

/** `google:<model>`: Gemini through the Gemini API, key in `GEMINI_API_KEY` (or `GOOGLE_API_KEY`). */
export const googleProvider: LlmProviderDefinition = {
  provider: 'google',
  apiKey: { variables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], required: true },
  requiresBaseUrl: false,
  defaultMaxImagesPerRequest: 100,
  supportsDetail: true,
  // Inline requests: under 20 MB per batch (a JSONL file of up to 2 GB is not used yet).
  batchApi: { api: 'google', limits: { maxRequests: 100_000, maxBytes: 19_000_000 } },
  createTransport: createGoogleTransport,
};

/**
 * @example createGoogleAnnotator('gemini-2.5-flash', { prompt: 'hint' })
 */
export function createGoogleAnnotator(modelId: string, settings: LlmAnnotatorSettings = {}): Annotator {
  return createLlmAnnotator(googleProvider, modelId, settings);
}
