import { redactSecret } from './api-key.js';
import { EmolabelError } from '../../errors.js';

/** Statuses worth retrying: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Milliseconds to wait, from `retry-after-ms`, `Retry-After` (seconds or an HTTP date) or a Google
 * `RetryInfo.retryDelay` (`"7s"`) in the error body. `now` is injectable for tests.
 */
export function parseRetryAfter(headers: HeaderSource | undefined, body?: string, now = Date.now()): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  const retryAfter = headers?.get('retry-after')?.trim();
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const delay = body === undefined ? undefined : /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(body);
  return delay?.[1] === undefined ? undefined : Math.round(Number(delay[1]) * 1000);
}

/** What went wrong at HTTP level, in the provider's words. */
export interface HttpFailure {
  /** `openai:gpt-4o-mini`, for messages. */
  readonly modelId: string;
  readonly status: number;
  readonly message: string;
  readonly retryAfterMs?: number;
  /** The variable the key came from, named (never its value) when the provider rejects the key. */
  readonly keyVariable?: string;
  readonly apiKey?: string;
  readonly cause?: unknown;
  /** The parameter the provider's error names (OpenAI's `error.param`). */
  readonly param?: string;
}

/** Request parameters a provider may reject for a model, by the names providers use for them. */
const DROPPABLE_PARAMETERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^temperature$|\btemperature\b/i, 'temperature'],
  [/^reasoning_effort$|\breasoning[_ .]?effort\b|\bthinking(?:_?config|_?budget|_?level)?\b/i, 'reasoningEffort'],
];
const REJECTION_WORDS = /unsupported|not supported|does not support|isn't supported|deprecated|not allowed|unrecognized|unknown (?:parameter|field|name)|invalid/i;

/**
 * The parameter a 400/422 rejects as unsupported for the model, in emolabel's name, so the annotator
 * can leave it out and send again: OpenAI names it in `error.param`; Anthropic and Gemini in words.
 */
export function rejectedParameterOf(status: number, message: string, param?: string): string | undefined {
  if (status !== 400 && status !== 422) return undefined;
  if (param) return DROPPABLE_PARAMETERS.find(([pattern]) => pattern.test(param))?.[1];
  if (!REJECTION_WORDS.test(message)) return undefined;
  return DROPPABLE_PARAMETERS.find(([pattern]) => pattern.test(message))?.[1];
}

/** A provider's words for a rejected key where its status is not 401 (Gemini answers HTTP 400 API_KEY_INVALID). */
export const KEY_REJECTED_WORDS = /API_KEY_INVALID|API key not valid|invalid[_ ]api[_ ]key|incorrect api key/i;
const QUOTA_WORDS = /insufficient_quota|billing_hard_limit_reached|billing_not_active|credit balance is too low|out of credits/i;
// "exceeded your current quota" is OpenAI's insufficient_quota text, but also Gemini's per-minute
// quota 429, which carries a retry delay: only without a retry hint does it mean the money is gone.
const QUOTA_WITHOUT_RETRY_WORDS = /exceeded your current quota|quota exceeded/i;

/**
 * Whether a provider's status and words say the account is out of quota or credit (no wait heals
 * it): HTTP 402; OpenAI's `insufficient_quota` or billing codes; Anthropic's "credit balance is too
 * low"; or "exceeded your current quota" on a 429 that names no time to retry after.
 */
export function saysOutOfQuota(status: number | undefined, text: string, retryAfterMs: number | undefined): boolean {
  if (status === 402 || QUOTA_WORDS.test(text)) return true;
  return status === 429 && retryAfterMs === undefined && QUOTA_WITHOUT_RETRY_WORDS.test(text);
}

function advice(failure: HttpFailure): string {
  const { status } = failure;
  const keyAdvice = `the provider rejected the API key; check ${failure.keyVariable ?? 'the key variable'} (or the variable named by \`apiKeyEnv\`) holds a valid key for this provider.`;
  if (status === 401 || (status === 400 && KEY_REJECTED_WORDS.test(failure.message))) return keyAdvice;
  if (status === 403) return 'the key is valid but may not use this model or endpoint; check the model id, the key\'s project and its permissions.';
  if (status === 404) return 'the model or endpoint was not found; check the model id after the colon and `baseUrl`.';
  if (saysOutOfQuota(status, failure.message, failure.retryAfterMs)) {
    return 'the account is out of quota or credit; add credit or raise the limit in the provider\'s console, then resume.';
  }
  if (status === 429) {
    const wait = failure.retryAfterMs === undefined ? '' : ` (it asked to wait ${(failure.retryAfterMs / 1000).toFixed(1)} s)`;
    return `rate limit reached${wait}; lower \`concurrency\` or set \`rpm\`/\`tpm\` to your tier's limits.`;
  }
  if (status >= 500) return 'the provider had a server error; try again later.';
  if (status === 400 || status === 422) return 'the provider rejected the request; check the model takes images and structured output.';
  return 'see the provider message above.';
}

/**
 * The provider's own sentence from an SDK error message: without the SDKs' leading status code, and
 * taken out of a JSON error body (`{"error":{"message":…}}`) when that is all the message holds.
 */
export function providerMessageOf(raw: string): string {
  const message = raw.replace(/^\d{3}\s+/, '').trim();
  if (!message.startsWith('{')) return message;
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } | string; message?: unknown };
    const inner = typeof body.error === 'object' ? body.error?.message : (body.error ?? body.message);
    return typeof inner === 'string' && inner !== '' ? inner : message;
  } catch {
    return message;
  }
}

/** An HTTP error from a provider as an `EmolabelError`, retryable for 408/409/429/5xx, key redacted. */
export function httpFailureError(failure: HttpFailure): EmolabelError {
  const providerMessage = redactSecret(providerMessageOf(failure.message).replace(/\s+/g, ' ').slice(0, 300), failure.apiKey);
  return new EmolabelError('provider_error', `${failure.modelId} answered HTTP ${failure.status}: ${providerMessage} — ${advice(failure)}`, {
    cause: failure.cause,
    isRetryable: isRetryableStatus(failure.status),
    retryAfterMs: failure.retryAfterMs,
    httpStatus: failure.status,
    rejectedParameter: rejectedParameterOf(failure.status, failure.message, failure.param),
  });
}

/** A failure before any HTTP answer (refused connection, DNS, reset), retryable. */
export function connectionError(modelId: string, baseUrl: string | undefined, cause: unknown, apiKey?: string): EmolabelError {
  const reason = redactSecret(cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause), apiKey);
  return new EmolabelError(
    'provider_error',
    `Could not reach ${modelId}${baseUrl ? ` at ${baseUrl}` : ''}: ${reason}. Check the network, or that the server behind \`baseUrl\` is running.`,
    { cause, isRetryable: true },
  );
}

/** `{ [name]: count }` when the provider reported a count, else nothing (so absent counts stay absent). */
export function optionalCount<Name extends string>(name: Name, count: number | null | undefined): { [key in Name]?: number } {
  return typeof count === 'number' && Number.isFinite(count) && count >= 0 ? ({ [name]: count } as { [key in Name]?: number }) : {};
}

/** OpenAI's `error.param`, when the SDK error has one. */
function paramOf(error: object): { param?: string } {
  const param: unknown = (error as { param?: unknown }).param;
  return typeof param === 'string' ? { param } : {};
}

/** The error classes of a Stainless-generated SDK (openai, @anthropic-ai/sdk): same shapes, separate classes. */
export interface SdkErrorClasses {
  readonly userAbort: abstract new (...args: never[]) => Error;
  readonly connection: abstract new (...args: never[]) => Error;
  readonly api: abstract new (...args: never[]) => Error & { status?: number | undefined; headers?: HeaderSource | undefined };
}

/** What a transport knows for its messages: the model, the endpoint, and the key (to redact, never to show). */
export interface SdkFailureContext {
  readonly displayId: string;
  readonly baseUrl?: string;
  readonly keyVariable?: string;
  readonly apiKey?: string;
}

/**
 * The error to throw for an SDK call that failed: aborts as they are, connection failures and HTTP
 * errors as retryable-or-not `EmolabelError`s with the key redacted, an unreadable body as a
 * retryable `provider_error` (`unreadable` says what was expected).
 */
export function sdkFailure(error: unknown, context: SdkFailureContext, classes: SdkErrorClasses, unreadable: string): unknown {
  if (error instanceof classes.userAbort) return error;
  if (error instanceof classes.connection) return connectionError(context.displayId, context.baseUrl, error, context.apiKey);
  if (error instanceof classes.api && typeof error.status === 'number') {
    return httpFailureError({
      modelId: context.displayId, status: error.status, message: error.message, retryAfterMs: parseRetryAfter(error.headers),
      keyVariable: context.keyVariable, apiKey: context.apiKey, cause: error,
      ...paramOf(error),
    });
  }
  if (error instanceof SyntaxError) return new EmolabelError('provider_error', `${context.displayId} answered with ${unreadable}`, { cause: error, isRetryable: true });
  return error;
}
