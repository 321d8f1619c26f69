import type { BatchJob, GenerateContentParameters, GenerateContentResponse, InlinedRequest } from '@google/genai';
import type { BatchClient, BatchLineResult, BatchPhase, BatchStatus } from '../batch-api.js';
import { geminiContentParameters, type googleClient, readGeminiResponse } from './google-content.js';
import type { TransportContext } from './llm-annotator.js';
import type { LlmBatchTransport } from './llm-request.js';
import { connectionError, httpFailureError } from './provider-error.js';
import { EmolabelError } from '../../errors.js';

type LoadedClient = Awaited<ReturnType<typeof googleClient>>;

const PHASES: Readonly<Record<string, BatchPhase>> = {
  JOB_STATE_PENDING: 'validating', JOB_STATE_QUEUED: 'validating', JOB_STATE_RUNNING: 'in_progress', JOB_STATE_CANCELLING: 'canceling',
  JOB_STATE_SUCCEEDED: 'ended', JOB_STATE_PARTIALLY_SUCCEEDED: 'ended', JOB_STATE_CANCELLED: 'ended', JOB_STATE_EXPIRED: 'ended', JOB_STATE_FAILED: 'failed',
};
/** google.rpc codes as the HTTP statuses they map to (google/rpc/code.proto). */
const HTTP_OF_RPC_CODE: Readonly<Record<number, number>> = { 3: 400, 4: 504, 5: 404, 7: 403, 8: 429, 9: 400, 13: 500, 14: 503, 16: 401 };
/** Batches looked through for a lost create. */
const FIND_LIMIT = 500;

function statusOf(job: BatchJob): BatchStatus {
  const responses = job.dest?.inlinedResponses ?? [];
  const errored = responses.filter((each) => each.error).length;
  return {
    id: job.name ?? '', phase: PHASES[job.state ?? ''] ?? 'in_progress', providerState: job.state ?? 'unknown',
    counts: { total: responses.length, succeeded: responses.length - errored, errored },
    ...(job.error?.message ? { message: job.error.message } : {}),
  };
}

/**
 * Gemini batch mode with inline requests (`models/{model}:batchGenerateContent`), through the SDK:
 * each request carries its custom id as `metadata.key`, and the batch the emolabel name as its
 * display name, which is how a create whose answer was lost is found (Gemini's create is not idempotent).
 */
export function googleBatchClient(context: TransportContext, load: () => Promise<LoadedClient>): BatchClient {
  const call = async <T>(work: (client: LoadedClient['client']) => Promise<T>): Promise<T> => {
    const { client, ApiError } = await load();
    try {
      return await work(client);
    } catch (error) {
      if (error instanceof ApiError) throw httpFailureError({ modelId: context.displayId, status: error.status, message: error.message, keyVariable: context.keyVariable, apiKey: context.apiKey, cause: error });
      if (error instanceof TypeError) throw connectionError(context.displayId, context.settings.baseUrl, error, context.apiKey);
      throw error;
    }
  };
  return {
    create: ({ name, lines }, signal) => call(async (client) => {
      const src: InlinedRequest[] = lines.map((line) => {
        const { contents, config } = line.body as unknown as GenerateContentParameters;
        return { contents, ...(config ? { config } : {}), metadata: { key: line.customId } };
      });
      return statusOf(await client.batches.create({ model: context.modelId, src, config: { displayName: name, abortSignal: signal } }));
    }),
    find: ({ name }, signal) => call(async (client) => {
      let seen = 0;
      for await (const job of await client.batches.list({ config: { pageSize: 100, abortSignal: signal } })) {
        if (job.displayName === name) return statusOf(job);
        if ((seen += 1) >= FIND_LIMIT) break;
      }
      return undefined;
    }),
    retrieve: (id, signal) => call(async (client) => statusOf(await client.batches.get({ name: id, config: { abortSignal: signal } }))),
    results: (id, signal) => call(async (client) => {
      const job = await client.batches.get({ name: id, config: { abortSignal: signal } });
      return (job.dest?.inlinedResponses ?? []).flatMap((each): BatchLineResult[] => {
        const customId = each.metadata?.key;
        if (typeof customId !== 'string') return [];
        if (each.error) {
          const status = HTTP_OF_RPC_CODE[each.error.code ?? -1];
          return [{ customId, kind: 'errored', message: each.error.message ?? `failed (code ${each.error.code})`, ...(status === undefined ? {} : { status }) }];
        }
        return [{ customId, kind: 'succeeded', body: each.response }];
      });
    }),
    cancel: (id, signal) => call(async (client) => {
      await client.batches.cancel({ name: id, config: { abortSignal: signal } });
      return statusOf(await client.batches.get({ name: id, config: { abortSignal: signal } }));
    }),
  };
}

/** The batch side of the Gemini transport: lines are exactly the online generateContent parameters. */
export function googleBatchTransport(context: TransportContext, load: () => Promise<LoadedClient>): LlmBatchTransport {
  let client: BatchClient | undefined;
  return {
    body: (request) => geminiContentParameters(request) as unknown as Record<string, unknown>,
    readReply: (body) => readGeminiResponse(body as GenerateContentResponse),
    lineError: (result) => result.status === undefined
      ? new EmolabelError('provider_error', `${context.displayId} failed the batch request ${result.customId}: ${result.message}`)
      : httpFailureError({ modelId: context.displayId, status: result.status, message: result.message, apiKey: context.apiKey, keyVariable: context.keyVariable }),
    client: () => (client ??= googleBatchClient(context, load)),
  };
}
