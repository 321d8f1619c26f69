import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Annotation, AnnotationRequest, Annotator, JsonValue, ProviderRateLimits } from '../annotator.js';
import { annotationFromFields } from './annotation-from-fields.js';
import type { AnnotationSchema } from './annotation-schema.js';
import { type ApiKeySource, loadApiKey, redactSecretDeep } from './api-key.js';
import { prepareImage } from './build-llm-request.js';
import type { ImageDetail } from '../cost/image-tokens.js';
import { estimateRequestCost } from '../cost/estimate-request-cost.js';
import { costOfUsage, findModelPrice, hasTokenPrices, loadPriceTable, type ModelPrice } from '../cost/price-table.js';
import { exchange } from './llm-exchange.js';
import type { DroppableParameter, LlmBatchTransport, LlmReply, LlmRequest, LlmTransport } from './llm-request.js';
import type { BatchCapability, BatchChannel, BatchLimits } from '../batch-api.js';
import { reasoningDefaults } from './reasoning-models.js';
import { type LlmAnnotatorSettings, resolveLlmSettings, type ResolvedLlmSettings } from './llm-settings.js';
import { parseReply } from './parse-reply.js';
import { loadPrompt, loadRepairPrompt, type PromptFile } from './prompt-file.js';
import { promptSchema, renderPrompt } from './prompt-request.js';
import { EmolabelError } from '../../errors.js';

/** What the transport factory of a provider is given once the key is loaded. */
export interface TransportContext {
  readonly modelId: string;
  /** `openai:gpt-4o-mini`, for messages. */
  readonly displayId: string;
  readonly apiKey?: string;
  /** The variable the key came from, for messages. */
  readonly keyVariable?: string;
  readonly settings: ResolvedLlmSettings;
}

/** A provider plugged into the shared LLM annotator: where its key lives and how it talks. */
export interface LlmProviderDefinition {
  readonly provider: string;
  readonly apiKey: Omit<ApiKeySource, 'provider'>;
  /** `openai-compatible` has no default endpoint, so it needs `--base-url`. */
  readonly requiresBaseUrl: boolean;
  /** Used when neither the settings nor the price table say. */
  readonly defaultMaxImagesPerRequest: number;
  /** Whether the provider has an image-detail setting; without one a given `detail` warns. */
  readonly supportsDetail: boolean;
  /** Detail sent when none is given. */
  readonly defaultDetail?: ImageDetail;
  /** Whether it takes a `serviceTier` (OpenAI's `flex`); without, a given one warns. */
  readonly supportsServiceTier?: boolean;
  /** Its batch API and that API's limits per batch; the transport implements it (`LlmTransport.batch`). Absent: online only. */
  readonly batchApi?: { readonly api: string; readonly limits: BatchLimits; readonly submission?: 'api' | 'manual' };
  createTransport(context: TransportContext): LlmTransport;
}

/**
 * The SDK clients' own timeout: a safety net only. A run's timeout belongs to the resilience
 * middleware, which aborts the request's signal long before this.
 */
export const TRANSPORT_TIMEOUT_MS = 10 * 60_000;

/** Name of the structured-output schema / tool the model fills in. */
export const ANNOTATION_SCHEMA_NAME = 'record_emotion';

/** The version of how answers are read (parse-reply.ts): part of the cache key. */
const PARSER_VERSION = 'v2';

/** `; close matches: a, b, c` from `listed`, by shared prefix and then by length difference. */
function closeMatches(modelId: string, listed: readonly string[]): string {
  const shared = (other: string) => {
    let length = 0;
    while (length < Math.min(modelId.length, other.length) && modelId[length] === other[length]) length += 1;
    return length;
  };
  const best = [...listed].sort((a, b) => shared(b) - shared(a) || Math.abs(a.length - modelId.length) - Math.abs(b.length - modelId.length)).slice(0, 3);
  return best.length === 0 ? '' : `; close matches: ${best.join(', ')}`;
}

/** SHA-256 of what the prompt says (its mode and texts), whatever its file is called. */
function promptContentHash(prompt: PromptFile): string {
  return createHash('sha256').update(JSON.stringify([prompt.mode, prompt.system, prompt.user, prompt.frameLabel])).digest('hex').slice(0, 16);
}

/** A stored provider reply, as {@link Annotator.reparse} reads it back. */
const llmReplySchema = z.object({
  text: z.string().optional(),
  value: z.unknown().optional(),
  refusal: z.string().optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  finishReason: z.string().optional(),
  batch: z.boolean().optional(),
});

/** The reply as JSON, for the response cache (undefined fields left out). */
function replyAsJson({ rateLimits: _limits, ...reply }: LlmReply): JsonValue {
  return JSON.parse(JSON.stringify(reply)) as JsonValue;
}


function warningsFor(definition: LlmProviderDefinition, settings: ResolvedLlmSettings, id: string, price: ModelPrice | undefined): string[] {
  const warnings: string[] = [];
  if (settings.detail !== undefined && settings.detail !== 'auto' && !definition.supportsDetail) {
    warnings.push(`${definition.provider} has no image detail setting; sent images of at most ${settings.imageSize} px instead of detail ${settings.detail}`);
  }
  if (settings.serviceTier === 'flex' && !definition.supportsServiceTier) warnings.push(`${definition.provider} has no flex service tier; sent at its default tier`);
  if (!hasTokenPrices(price)) warnings.push(`no price for ${id} in the price data; cost not recorded (add it with \`priceTable\`)`);
  if (price?.retired) warnings.push(`${id} is retired by its provider (${price.retired}); it may stop answering or be re-routed`);
  if (price?.supportsTemperature === false) warnings.push(`${id} takes no temperature; sent its default instead of 0`);
  return warnings;
}

/**
 * `online` with every request handed to the batch channel first: answered from a collected batch
 * line (read as the provider's reply, or thrown as its error), sent online when the channel says, or
 * recorded for the next batch (the channel throws `DeferredRequestError`).
 */
function throughBatch(online: LlmTransport, batch: LlmBatchTransport, channel: BatchChannel): LlmTransport {
  return {
    async send(request, signal) {
      const decision = await channel.decide(batch.body(request));
      if (decision.kind === 'online') return online.send(request, signal);
      const { result } = decision;
      if (result.kind === 'succeeded') return { ...batch.readReply(result.body, request), batch: true };
      if (result.kind === 'errored') throw batch.lineError(result);
      throw new EmolabelError('provider_error', `The batch request ${result.customId} was ${result.kind}${result.message ? `: ${result.message}` : ''}.`, { isRetryable: true });
    },
  };
}

/**
 * The annotator shared by every LLM provider: renders the versioned prompt, sends the images as
 * JPEG with the taxonomy's schema as structured output at temperature 0, turns refusals into status
 * `refused`, repairs an unreadable answer once (a text-only request), and prices the reported usage.
 * The key is read on {@link Annotator.checkReady} or the first request, never by the factory.
 */
export function createLlmAnnotator(definition: LlmProviderDefinition, modelId: string, rawSettings: LlmAnnotatorSettings | ResolvedLlmSettings): Annotator {
  const id = `${definition.provider}:${modelId}`;
  const settings = resolveLlmSettings(rawSettings, id);
  const prompt: PromptFile = loadPrompt(settings.prompt);
  const repairPrompt = loadRepairPrompt(undefined, prompt.schema);
  const priceTable = loadPriceTable(settings.priceTable ?? settings.env.EMOLABEL_PRICE_TABLE);
  const price = findModelPrice(priceTable, id);
  const maxImagesPerRequest = settings.maxImagesPerRequest ?? price?.maxImagesPerRequest ?? definition.defaultMaxImagesPerRequest;
  const fixedWarnings = warningsFor(definition, settings, id, price);
  const reasoning = reasoningDefaults(id, settings);
  // Parameters the provider rejected for this model, left out for the rest of the run (llm-exchange.ts).
  const dropped = new Set<DroppableParameter>();
  let transport: LlmTransport | undefined;
  let apiKey: string | undefined;

  const ready = (): LlmTransport => {
    if (transport) return transport;
    if (definition.requiresBaseUrl && settings.baseUrl === undefined) {
      throw new EmolabelError(
        'invalid_option',
        `${id} needs the server's address: set \`baseUrl\`, e.g. http://127.0.0.1:11434/v1 for Ollama or http://127.0.0.1:8000/v1 for vLLM.`,
      );
    }
    const source = { provider: definition.provider, ...definition.apiKey };
    apiKey = loadApiKey(source, settings.env, settings.apiKeyEnv);
    const keyVariable = settings.apiKeyEnv ?? definition.apiKey.variables.find((variable) => settings.env[variable]?.trim());
    transport = definition.createTransport({ modelId, displayId: id, apiKey, keyVariable, settings });
    return transport;
  };



  const detail = settings.detail ?? definition.defaultDetail ?? 'auto';
  const flex = settings.serviceTier === 'flex' && definition.supportsServiceTier === true;
  const batchTransport = (): LlmBatchTransport => {
    const batch = ready().batch;
    if (batch === undefined) throw new EmolabelError('invalid_option', `${id} has no batch API; run without \`batch\`.`);
    return batch;
  };
  const batchCapability: BatchCapability | undefined = definition.batchApi && {
    specificationVersion: 'v1', api: definition.batchApi.api, limits: definition.batchApi.limits,
    ...(definition.batchApi.submission === undefined ? {} : { submission: definition.batchApi.submission }),
    ...(price?.batchMultiplier === undefined ? {} : { priceMultiplier: price.batchMultiplier }),
    client: () => batchTransport().client(),
  };
  /**
   * The answer one reply gives on its own (labelled or refused, with the reply kept as
   * `providerResponse` for the response cache), or what is wrong with it when it needs a repair.
   */
  const readReply = (reply: LlmReply, schema: AnnotationSchema, warnings: readonly string[]): Annotation | { problem: string; rawText?: string } => {
    const rawText = reply.text ?? (reply.value === undefined ? undefined : JSON.stringify(reply.value));
    const common = {
      usage: reply.usage, costUsd: price ? costOfUsage(price, reply.usage, { batch: reply.batch === true }) : undefined, promptVersion: prompt.version, warnings,
      providerResponse: replyAsJson(reply), ...(reply.model ? { modelSnapshot: reply.model } : {}),
    };
    if (reply.refusal !== undefined) return { ...common, status: 'refused', rawText: reply.refusal || rawText, error: `${id} declined to label the images` };
    const parsed = parseReply(reply, schema);
    if (parsed.kind === 'refused') return { ...common, status: 'refused', rawText: parsed.text, error: `${id} declined to label the images` };
    if (parsed.kind === 'ok') return annotationFromFields(parsed.fields, { ...common, rawText });
    return { problem: parsed.problem, ...(rawText === undefined ? {} : { rawText }) };
  };

  return {
    specificationVersion: 'v1',
    provider: definition.provider,
    modelId,
    capabilities: {
      maxImagesPerRequest, layouts: ['frames', 'grid'], billing: 'metered', maxImageSide: settings.imageSize,
      ...(batchCapability === undefined ? {} : { batch: batchCapability }),
    },
    settingsIdentity: {
      // The prompt by its content, not only its name: a prompt file edited in place is another prompt.
      prompt: prompt.version, promptSha256: promptContentHash(prompt), parser: PARSER_VERSION, detail, imageSize: settings.imageSize,
      jpegQuality: settings.jpegQuality, maxOutputTokens: reasoning.maxOutputTokens, reasoningEffort: reasoning.reasoningEffort ?? null, baseUrl: settings.baseUrl ?? null,
    },
    estimate: (request) => {
      const estimate = estimateRequestCost({ price, prompt, taxonomy: request.taxonomy, images: request.images, layout: request.layout, imageSize: settings.imageSize, detail });
      // A reasoning model thinks before its short answer: those tokens are output, billed as such.
      const reasoningTokens = reasoning.expectedReasoningTokens;
      const usage = { inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens + reasoningTokens, ...(reasoningTokens > 0 ? { reasoningTokens } : {}) };
      // No image rule for the model (or no price): the cost is unknown, not the text's alone.
      // The flex tier is priced as the batch API is.
      const costUsd = estimate.costUsd === undefined || !price ? undefined : costOfUsage(price, usage, { batch: flex });
      const priceChecked = price?.checked ?? priceTable.checked;
      return { usage, costUsd, ...(priceChecked ? { priceChecked } : {}) };
    },
    reparse(request, response) {
      const reply = llmReplySchema.safeParse(response);
      if (!reply.success) return undefined;
      const read = readReply(reply.data, promptSchema(prompt, request), fixedWarnings);
      return 'status' in read ? read : undefined;
    },
    checkReady: () => void ready(),
    async prepare(signal) {
      const listed = await ready().listModels?.(signal);
      if (listed === undefined || listed.length === 0 || isListed(modelId, listed)) return;
      throw new EmolabelError('unknown_model', `${id} is not a model the provider lists for this key${closeMatches(modelId, listed)}. Check the id after the colon.`);
    },
    async annotate(request: AnnotationRequest): Promise<Annotation> {
      const client = ready();
      if (request.signal?.aborted) throw new EmolabelError('aborted', `The request to ${id} was aborted.`);
      const { taxonomy } = request;
      const images = await Promise.all(request.images.map((image) => prepareImage(image, { maxSide: settings.imageSize, quality: settings.jpegQuality })));
      const warnings = [...fixedWarnings];
      if (images.length > maxImagesPerRequest) warnings.push(`${id} takes at most ${maxImagesPerRequest} images per request; sent ${images.length}`);
      // The prompt decides the turns and the schema (its version, the request's frames, a hint).
      const { system, parts, schema, jsonSchema } = await renderPrompt(prompt, request, images);
      const llmRequest: LlmRequest = {
        modelId,
        system,
        parts,
        jsonSchema,
        schemaName: ANNOTATION_SCHEMA_NAME,
        temperature: price?.supportsTemperature === false ? undefined : 0,
        detail: settings.detail ?? definition.defaultDetail,
        maxOutputTokens: reasoning.maxOutputTokens,
        ...(reasoning.reasoningEffort === undefined ? {} : { reasoningEffort: reasoning.reasoningEffort }),
        ...(flex ? { serviceTier: 'flex' as const } : {}),
      };
      let rateLimits: ProviderRateLimits | undefined;
      const online: LlmTransport = {
        ...client,
        send: async (sent, signal) => {
          const reply = await client.send(sent, signal);
          rateLimits = reply.rateLimits ?? rateLimits;
          return reply;
        },
      };
      const answer = await exchange({
        id, transport: request.batch ? throughBatch(client, batchTransport(), request.batch) : online, schema, labels: taxonomy.labels, repairPrompt, actionUnits: prompt.mode === 'au-cot', promptVersion: prompt.version,
        readReply: (reply, given) => readReply(reply, schema, given), priceOf: (usage, options) => (price ? costOfUsage(price, usage, options) : undefined), dropped, warnings,
      }, llmRequest, request);
      // A server that echoes the key (rationale, raw text, its JSON reply) must not get it into the store or the output.
      return redactSecretDeep(rateLimits ? { ...answer, rateLimits } : answer, apiKey);
    },
  };
}

/**
 * Whether the provider's list names `modelId`: itself, or a dated snapshot of it (an alias such as
 * `claude-haiku-4-5` lists as `claude-haiku-4-5-20251001`, `gpt-4o` as `gpt-4o-2024-08-06`).
 */
export function isListed(modelId: string, listed: readonly string[]): boolean {
  const snapshot = new RegExp(`^${modelId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{4}-?\\d{2}-?\\d{2}|\\d{3,})$`);
  return listed.some((id) => id === modelId || snapshot.test(id));
}

