import type { ProviderRateLimits, Usage } from '../annotator.js';
import type { BatchClient, BatchLineResult } from '../batch-api.js';
import type { ImageDetail } from '../cost/image-tokens.js';

/** An image ready to send: JPEG bytes and the size they decode to. */
export interface LlmImage {
  readonly jpeg: Buffer;
  readonly base64: string;
  readonly width: number;
  readonly height: number;
}

/** A piece of the user turn, in order. */
export type LlmPart = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'image'; readonly image: LlmImage };

/** One request as every provider sees it; each transport writes it in its own wire format. */
export interface LlmRequest {
  readonly modelId: string;
  readonly system: string;
  readonly parts: readonly LlmPart[];
  /** The answer's JSON schema (structured output / tool input / response schema). */
  readonly jsonSchema: Record<string, unknown>;
  readonly schemaName: string;
  /** Left out for models that take no temperature. */
  readonly temperature?: number;
  readonly detail?: ImageDetail;
  /** Cap on the answer's tokens, reasoning included. */
  readonly maxOutputTokens: number;
  /** How much the model may think before answering; left out: the provider's default. */
  readonly reasoningEffort?: ReasoningEffort;
  /** OpenAI's `service_tier` (`flex`: slower, at the batch price); left out: the default tier. */
  readonly serviceTier?: 'flex';
}

/** Reasoning budgets, mapped per provider (OpenAI `reasoning_effort`, Gemini `thinkingConfig`, Anthropic `thinking`). */
export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

/** The request parameters a provider may reject for a model, which the annotator then leaves out. */
export type DroppableParameter = 'temperature' | 'reasoningEffort';

/** A provider's answer, before parsing. */
export interface LlmReply {
  /** The text that should hold the JSON answer. */
  readonly text?: string;
  /** The answer already parsed by the provider (a tool call's input). */
  readonly value?: unknown;
  /** The provider's own words when it flagged a refusal (OpenAI `refusal`, Anthropic `stop_reason: refusal`, Gemini block). */
  readonly refusal?: string;
  readonly usage: Usage;
  readonly finishReason?: string;
  /** The answer was cut off by the output cap (OpenAI `length`, Gemini `MAX_TOKENS`, Anthropic `max_tokens`). */
  readonly truncated?: boolean;
  /** The model snapshot the provider says answered (`gpt-4o-mini-2024-07-18`). */
  readonly model?: string;
  /** Priced at the batch API's rate: a batch answered it, or OpenAI's `flex` tier did. */
  readonly batch?: boolean;
  /** The account's limits stated in the answer's headers (not part of the reply the cache keeps). */
  readonly rateLimits?: ProviderRateLimits;
}

/**
 * Sends requests in one provider's wire format. Throws an `EmolabelError` for transport failures
 * (HTTP errors mapped with `httpFailureError`, network errors with `connectionError`); an abort of
 * `signal` may surface as the SDK's own abort error, which the caller turns into a timeout or abort.
 */
export interface LlmTransport {
  /** Its provider's batch API, when it has one: how a request is written as a batch line and a result read back. */
  readonly batch?: LlmBatchTransport;
  send(request: LlmRequest, signal: AbortSignal): Promise<LlmReply>;
  /** The model ids the provider lists for this key, or undefined when it has no such list (or it cannot be read). */
  listModels?(signal?: AbortSignal): Promise<readonly string[] | undefined>;
}

/** The batch side of a transport (see annotators/batch-api.ts). */
export interface LlmBatchTransport {
  /** The request as the provider's batch line body: exactly what `send` would send online. */
  body(request: LlmRequest): Record<string, unknown>;
  /** A succeeded line's body (the answer to `request`) read as a reply; throws an `EmolabelError` for a body that is not the provider's answer. */
  readReply(body: unknown, request: LlmRequest): LlmReply;
  /** An errored line as the error `send` would have thrown online. */
  lineError(result: Extract<BatchLineResult, { kind: 'errored' }>): Error;
  client(): BatchClient;
}
