import type OpenAI from 'openai';
import type { BatchClient, BatchLineResult, BatchPhase, BatchStatus } from '../batch-api.js';
import type { TransportContext } from './llm-annotator.js';
import type { LlmBatchTransport } from './llm-request.js';
import { openAiChatBody, type openAiClient, readChatCompletion, UNREADABLE_COMPLETION } from './openai-chat.js';
import { httpFailureError, sdkFailure } from './provider-error.js';
import { EmolabelError } from '../../errors.js';

type LoadedClient = Awaited<ReturnType<typeof openAiClient>>;

/** The metadata key a batch's emolabel name is kept under, so a create whose answer was lost is found again. */
export const OPENAI_BATCH_NAME_KEY = 'emolabel_batch';
/** The endpoint of every line: Chat Completions. */
export const OPENAI_BATCH_ENDPOINT = '/v1/chat/completions';
const ENDPOINT = OPENAI_BATCH_ENDPOINT;
/** Batches looked through for a lost create: far more than any run has open at once. */
const FIND_LIMIT = 1_000;

const PHASES: Readonly<Record<OpenAI.Batches.Batch['status'], BatchPhase>> = {
  validating: 'validating', in_progress: 'in_progress', finalizing: 'finalizing', cancelling: 'canceling',
  completed: 'ended', expired: 'ended', cancelled: 'ended', failed: 'failed',
};

function statusOf(batch: OpenAI.Batches.Batch): BatchStatus {
  const counts = batch.request_counts;
  const problem = batch.errors?.data?.map((error) => [error.line === undefined || error.line === null ? '' : `line ${error.line}: `, error.message ?? error.code ?? ''].join('')).join('; ');
  return {
    id: batch.id, phase: PHASES[batch.status] ?? 'in_progress', providerState: batch.status,
    counts: { total: counts?.total ?? 0, succeeded: counts?.completed ?? 0, errored: counts?.failed ?? 0 },
    ...(problem ? { message: problem } : {}),
  };
}

/** One line of an output or error file: `{id, custom_id, response: {status_code, body}, error}`. */
interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string; message?: string } | null;
}

/** A line of OpenAI's output or error file as a result; undefined for a line that names no request. */
export function openAiResultLine(line: OutputLine): BatchLineResult | undefined {
  const customId = line.custom_id;
  if (typeof customId !== 'string') return undefined;
  if (line.error) {
    const message = line.error.message ?? line.error.code ?? 'failed';
    if (line.error.code === 'batch_expired') return { customId, kind: 'expired', message };
    if (line.error.code === 'batch_cancelled') return { customId, kind: 'canceled', message };
    return { customId, kind: 'errored', message };
  }
  const status = line.response?.status_code ?? 0;
  if (status === 200) return { customId, kind: 'succeeded', body: line.response?.body };
  const error = (line.response?.body as { error?: { message?: string; param?: string | null } } | undefined)?.error;
  return { customId, kind: 'errored', status, message: error?.message ?? `HTTP ${status}`, ...(error?.param ? { param: error.param } : {}) };
}

function parseJsonLines(text: string): OutputLine[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as OutputLine);
}

/**
 * OpenAI's Batch API for Chat Completions: a JSONL file (`purpose: batch`, one model per file) and a
 * batch on it, with the emolabel name in its metadata; results from the output and error files.
 */
export function openAiBatchClient(context: TransportContext, load: () => Promise<LoadedClient>): BatchClient {
  const failure = (error: unknown, errors: LoadedClient['errors']) => sdkFailure(error, { ...context, baseUrl: context.settings.baseUrl }, errors, UNREADABLE_COMPLETION);
  const call = async <T>(work: (client: OpenAI, loaded: LoadedClient) => Promise<T>): Promise<T> => {
    const loaded = await load();
    try {
      return await work(loaded.client, loaded);
    } catch (error) {
      throw failure(error, loaded.errors);
    }
  };
  const fileText = (client: OpenAI, id: string | undefined | null, signal?: AbortSignal) =>
    id ? client.files.content(id, { signal }).then((response) => response.text()) : Promise.resolve('');
  return {
    create: ({ name, lines }, signal) => call(async (client, { toFile }) => {
      const jsonl = lines.map((line) => JSON.stringify({ custom_id: line.customId, method: 'POST', url: ENDPOINT, body: line.body })).join('\n');
      const file = await client.files.create({ file: await toFile(Buffer.from(`${jsonl}\n`), `${name}.jsonl`), purpose: 'batch' }, { signal });
      const batch = await client.batches.create({ input_file_id: file.id, endpoint: ENDPOINT, completion_window: '24h', metadata: { [OPENAI_BATCH_NAME_KEY]: name } }, { signal });
      return statusOf(batch);
    }),
    find: ({ name }, signal) => call(async (client) => {
      let seen = 0;
      for await (const batch of client.batches.list({ limit: 100 }, { signal })) {
        if (batch.metadata?.[OPENAI_BATCH_NAME_KEY] === name) return statusOf(batch);
        if ((seen += 1) >= FIND_LIMIT) break;
      }
      return undefined;
    }),
    retrieve: (id, signal) => call(async (client) => statusOf(await client.batches.retrieve(id, { signal }))),
    results: (id, signal) => call(async (client) => {
      const batch = await client.batches.retrieve(id, { signal });
      const text = `${await fileText(client, batch.output_file_id, signal)}\n${await fileText(client, batch.error_file_id, signal)}`;
      return parseJsonLines(text).flatMap((line) => openAiResultLine(line) ?? []);
    }),
    cancel: (id, signal) => call(async (client) => statusOf(await client.batches.cancel(id, { signal }))),
  };
}

/** The batch side of the OpenAI transport: lines are exactly the online Chat Completions bodies (an OpenAI-compatible server's own, with `compatible`). */
export function openAiBatchTransport(context: TransportContext, load: () => Promise<LoadedClient>, options: { compatible: boolean }): LlmBatchTransport {
  let client: BatchClient | undefined;
  return {
    // A batch line has no service tier: the batch is its own (cheaper) one.
    body: (request) => openAiChatBody({ ...request, serviceTier: undefined }, options) as unknown as Record<string, unknown>,
    readReply: (body, _request) => readChatCompletion(body as OpenAI.Chat.Completions.ChatCompletion, context.displayId),
    lineError: (result) => result.status === undefined
      ? new EmolabelError('provider_error', `${context.displayId} failed the batch request ${result.customId}: ${result.message}`)
      : httpFailureError({ modelId: context.displayId, status: result.status, message: result.message, ...(result.param ? { param: result.param } : {}), apiKey: context.apiKey, keyVariable: context.keyVariable }),
    client: () => (client ??= openAiBatchClient(context, load)),
  };
}
