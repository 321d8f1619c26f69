import { KEY_REJECTED_WORDS } from '../../annotators/llm/provider-error.js';
import { EmolabelError } from '../../errors.js';

/**
 * What to do about a thrown failure:
 * - `retryable`: transient (429, 408, 409, 5xx, timeouts, dropped connections): try again later;
 * - `fatal`: no retry can heal it (rejected key, unknown model, quota exhausted): stop the run;
 * - `item`: this request cannot succeed as sent (400, 413, 422 …): fail this item, go on;
 * - `stop`: the run is already stopping (abort, budget reached): pass the error on unchanged.
 */
export type FailureKind = 'retryable' | 'fatal' | 'item' | 'stop';

/** Why a failure is fatal; each has its own advice in the run-stopping message. */
export type FatalReason = 'missing_api_key' | 'rejected_api_key' | 'forbidden' | 'unknown_model' | 'quota_exhausted' | 'misconfigured';

/** A failure sorted by {@link classifyFailure}. */
export interface FailureClass {
  readonly kind: FailureKind;
  /** Set when `kind` is `fatal`. */
  readonly fatalReason?: FatalReason;
  readonly httpStatus?: number;
  /** How long the provider asked to wait, in ms. */
  readonly retryAfterMs?: number;
  /** A 429 that is a rate limit (not an exhausted quota). */
  readonly rateLimited: boolean;
  readonly timedOut: boolean;
  /** `HTTP 429`, `timeout`, `connection failed`, `transient error`, `error`: short, for counts in messages. */
  readonly summary: string;
}

// Provider words for an account out of money, whatever the status: OpenAI's `insufficient_quota`
// code (sent with 429) and billing codes, Anthropic's 400 "credit balance is too low".
const QUOTA_WORDS = /insufficient_quota|billing_hard_limit_reached|billing_not_active|credit balance is too low|out of credits/i;
// "exceeded your current quota" is OpenAI's insufficient_quota text, but also Gemini's per-minute
// quota 429, which carries a retry delay: only without a retry hint does it mean the money is gone.
const QUOTA_WITHOUT_RETRY_WORDS = /exceeded your current quota|quota exceeded/i;
const TIMEOUT_WORDS = /did not answer within|timed out/i;
const DROPPED_CONNECTION_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

/** The error and its causes, outermost first (at most 6, in case of a cycle). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && chain.length < 6; current = (current as { cause?: unknown }).cause) {
    chain.push(current);
    if (typeof current !== 'object') break;
  }
  return chain;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * Every message, code and type along the cause chain, including an SDK error's parsed body
 * (`error.code`, `error.type`): `httpFailureError` keeps only the provider's message text, and
 * OpenAI puts `insufficient_quota` in the body's code, not its message.
 */
function evidence(chain: readonly unknown[]): string {
  const words: string[] = [];
  for (const link of chain) {
    const body = field(link, 'error');
    for (const value of [field(link, 'message'), field(link, 'code'), field(link, 'type'), field(body, 'code'), field(body, 'type'), field(body, 'message')]) {
      if (typeof value === 'string') words.push(value);
    }
    if (typeof link === 'string') words.push(link);
  }
  return words.join(' | ');
}

/**
 * Whether a failure means the account is out of quota or credit: HTTP 402; OpenAI's
 * `insufficient_quota` (a 429 that no wait heals) or billing codes; Anthropic's "credit balance is
 * too low"; or "exceeded your current quota" on a 429 that names no time to retry after.
 */
export function isQuotaExhausted(error: unknown): boolean {
  const chain = causeChain(error);
  const status = chain.map((link) => field(link, 'httpStatus') ?? field(link, 'status')).find((value) => typeof value === 'number');
  if (status === 402) return true;
  const text = evidence(chain);
  if (QUOTA_WORDS.test(text)) return true;
  const retryAfterMs = error instanceof EmolabelError ? error.retryAfterMs : undefined;
  return status === 429 && retryAfterMs === undefined && QUOTA_WITHOUT_RETRY_WORDS.test(text);
}

function isDroppedConnection(chain: readonly unknown[]): boolean {
  return chain.some((link) => DROPPED_CONNECTION_CODES.has(String(field(link, 'code'))) || (link instanceof TypeError && link.message === 'terminated'));
}

function isTimeout(chain: readonly unknown[]): boolean {
  return chain.some((link) => field(link, 'name') === 'TimeoutError') || TIMEOUT_WORDS.test(String(field(chain[0], 'message') ?? ''));
}

function fatalReasonOf(error: unknown, status: number | undefined): FatalReason | undefined {
  const code = error instanceof EmolabelError ? error.code : undefined;
  if (code === 'fatal_provider_error') return (field(error, 'reason') as FatalReason | undefined) ?? 'misconfigured';
  if (code === 'missing_api_key') return 'missing_api_key';
  if (code === 'invalid_option') return 'misconfigured';
  if (code === 'unknown_model' || status === 404) return 'unknown_model';
  if (status === 401 || (status === 400 && KEY_REJECTED_WORDS.test(evidence(causeChain(error))))) return 'rejected_api_key';
  if (status === 403) return 'forbidden';
  if (isQuotaExhausted(error)) return 'quota_exhausted';
  return undefined;
}

/**
 * Sorts a failure an annotator threw into retry, stop-the-run, or fail-this-item. The rules:
 * - `stop`: codes `aborted`, `budget_exceeded`;
 * - `fatal`: codes `missing_api_key`, `invalid_option`, `unknown_model`, `fatal_provider_error`;
 *   HTTP 401, 403, 404; a 400 that says the key is invalid (Gemini); an exhausted quota ({@link isQuotaExhausted});
 * - `retryable`: `isRetryable` errors (408, 409, 429, 5xx, timeouts, connection failures) and any
 *   error caused by a dropped connection (ECONNRESET, a body cut off mid-response);
 * - `item`: everything else.
 */
export function classifyFailure(error: unknown): FailureClass {
  const chain = causeChain(error);
  const emolabel = error instanceof EmolabelError ? error : undefined;
  const httpStatus = emolabel?.httpStatus;
  const retryAfterMs = emolabel?.retryAfterMs;
  const timedOut = httpStatus === undefined && isTimeout(chain);
  const dropped = httpStatus === undefined && !timedOut && isDroppedConnection(chain);
  const summary = timedOut ? 'timeout' : httpStatus !== undefined ? `HTTP ${httpStatus}` : dropped ? 'connection failed' : emolabel?.isRetryable ? 'transient error' : 'error';
  const base = { httpStatus, retryAfterMs, timedOut, summary, rateLimited: false };
  if (emolabel?.code === 'aborted' || emolabel?.code === 'budget_exceeded') return { ...base, kind: 'stop' };
  const fatalReason = fatalReasonOf(error, httpStatus);
  if (fatalReason !== undefined) return { ...base, kind: 'fatal', fatalReason };
  if (emolabel?.isRetryable || dropped) return { ...base, kind: 'retryable', rateLimited: httpStatus === 429 };
  return { ...base, kind: 'item' };
}
