import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import type { BatchClient, BatchLineResult, BatchStatus } from '../batch-api.js';
import { type anthropicClient, anthropicMessagesBody, readAnthropicMessage } from './anthropic-messages.js';
import type { TransportContext } from './llm-annotator.js';
import type { LlmBatchTransport } from './llm-request.js';
import { httpFailureError, sdkFailure } from './provider-error.js';
import { EmolabelError } from '../../errors.js';

type LoadedClient = Awaited<ReturnType<typeof anthropicClient>>;

/** Anthropic's error types as the HTTP statuses they stand for online (its errors page). */
const STATUS_OF_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403, not_found_error: 404,
  request_too_large: 413, rate_limit_error: 429, api_error: 500, timeout_error: 504, overloaded_error: 529,
};
/** Batches looked through for a lost create. */
const FIND_LIMIT = 500;
/** Clock difference allowed between this machine and Anthropic's when matching a lost create by time. */
const CLOCK_SKEW_MS = 5 * 60_000;

function statusOf(batch: Anthropic.Messages.Batches.MessageBatch): BatchStatus {
  const counts = batch.request_counts;
  const total = counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired;
  const phase = batch.processing_status === 'ended' ? 'ended' : batch.processing_status === 'canceling' ? 'canceling' : 'in_progress';
  return { id: batch.id, phase, providerState: batch.processing_status, counts: { total, succeeded: counts.succeeded, errored: counts.errored + counts.expired + counts.canceled } };
}

/** One line of a results file as a result. */
export function anthropicResultLine(line: Anthropic.Messages.Batches.MessageBatchIndividualResponse): BatchLineResult {
  const { custom_id: customId, result } = line;
  switch (result.type) {
    case 'succeeded':
      return { customId, kind: 'succeeded', body: result.message };
    case 'errored': {
      const error = result.error?.error as { type?: string; message?: string } | undefined;
      const status = STATUS_OF_ERROR_TYPE[error?.type ?? ''];
      return { customId, kind: 'errored', message: error?.message ?? error?.type ?? 'errored', ...(status === undefined ? {} : { status }) };
    }
    default:
      return { customId, kind: result.type };
  }
}

/**
 * Anthropic's Message Batches: `POST /v1/messages/batches` with the requests inline, results as
 * JSONL from `results_url`. Batches have no name: a create whose answer was lost is found as the
 * batch made after its intent with as many requests, that the store does not know.
 */
export function anthropicBatchClient(context: TransportContext, load: () => Promise<LoadedClient>): BatchClient {
  const call = async <T>(work: (client: Anthropic) => Promise<T>): Promise<T> => {
    const { client, errors } = await load();
    try {
      return await work(client);
    } catch (error) {
      throw sdkFailure(error, { ...context, baseUrl: context.settings.baseUrl }, errors, 'a body that is not JSON; try again.');
    }
  };
  return {
    create: ({ lines }, signal) => call(async (client) => statusOf(await client.messages.batches.create({
      requests: lines.map((line) => ({ custom_id: line.customId, params: line.body as unknown as MessageCreateParamsNonStreaming })),
    }, { signal }))),
    find: ({ createdAt, requestCount, knownIds }, signal) => call(async (client) => {
      const after = Date.parse(createdAt) - CLOCK_SKEW_MS;
      let seen = 0;
      for await (const batch of client.messages.batches.list({ limit: 100 }, { signal })) {
        const status = statusOf(batch);
        if (Date.parse(batch.created_at) < after) break;
        if (status.counts.total === requestCount && !knownIds.includes(batch.id)) return status;
        if ((seen += 1) >= FIND_LIMIT) break;
      }
      return undefined;
    }),
    retrieve: (id, signal) => call(async (client) => statusOf(await client.messages.batches.retrieve(id, {}, { signal }))),
    results: (id, signal) => call(async (client) => {
      const lines: BatchLineResult[] = [];
      for await (const line of await client.messages.batches.results(id, {}, { signal })) lines.push(anthropicResultLine(line));
      return lines;
    }),
    cancel: (id, signal) => call(async (client) => statusOf(await client.messages.batches.cancel(id, {}, { signal }))),
  };
}

/** The batch side of the Anthropic transport: lines are exactly the online Messages bodies. */
export function anthropicBatchTransport(context: TransportContext, load: () => Promise<LoadedClient>): LlmBatchTransport {
  let client: BatchClient | undefined;
  return {
    body: (request) => anthropicMessagesBody(request) as unknown as Record<string, unknown>,
    readReply: (body, request) => readAnthropicMessage(body as Anthropic.Message, request, context.displayId),
    lineError: (result) => result.status === undefined
      ? new EmolabelError('provider_error', `${context.displayId} failed the batch request ${result.customId}: ${result.message}`)
      : httpFailureError({ modelId: context.displayId, status: result.status, message: result.message, apiKey: context.apiKey, keyVariable: context.keyVariable }),
    client: () => (client ??= anthropicBatchClient(context, load)),
  };
}
