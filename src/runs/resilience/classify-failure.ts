import { KEY_REJECTED_WORDS, saysOutOfQuota } from '../../annotators/llm/provider-error.js';
import { EmolabelError, TimeoutError } from '../../errors.js';

/**
 * What to do about a thrown failure:
 * - `retryable`: transient (429, 408, 409, 5xx, timeouts, dropped connections): try again later;
 * - `fatal`: no retry can heal it (rejected key, unknown model, quota exhausted): stop the run;
 * - `item`: this request cannot succeed as sent (400, 413, 422 …): fail this item, go on;
 * - `stop`: the run is already stopping (abort, budget reached): pass the error on unchanged.
 */
export type FailureKind = 'retryable' | 'fatal' | 'item' | 'stop';

/** Why a failure is fatal; each has its own advice in the run-stopping message. */
export type FatalReason = 'missing_api_key' | 'rejected_api_key' | 'forbidden' | 'unknown_model' | 'quota_exhausted' | 'misconfigured' | 'rejected_request' | 'unreachable';

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
  /** Nothing accepted the connection (ECONNREFUSED, an unknown host): no server is there, unlike a connection dropped mid-answer. */
  readonly refused: boolean;
  /** `HTTP 429`, `timeout`, `connection failed`, `transient error`, `error`: short, for counts in messages. */
  readonly summary: string;
}

/** Timeouts by the class that reports them: ours, the platform's (AbortSignal.timeout) and the SDKs' own. */
const TIMEOUT_ERROR_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'APIConnectionTimeoutError']);
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

/** Whether a failure, anywhere along its cause chain, says the account is out of quota or credit (see {@link saysOutOfQuota}). */
export function isQuotaExhausted(error: unknown): boolean {
  const chain = causeChain(error);
  const status = chain.map((link) => field(link, 'httpStatus') ?? field(link, 'status')).find((value) => typeof value === 'number');
  return saysOutOfQuota(typeof status === 'number' ? status : undefined, evidence(chain), error instanceof EmolabelError ? error.retryAfterMs : undefined);
}

/** Codes that say no server took the connection at all, as opposed to one that dropped it. */
const REFUSED_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function isRefusedConnection(chain: readonly unknown[]): boolean {
  return chain.some((link) => REFUSED_CONNECTION_CODES.has(String(field(link, 'code'))));
}

function isDroppedConnection(chain: readonly unknown[]): boolean {
  return chain.some((link) => DROPPED_CONNECTION_CODES.has(String(field(link, 'code'))) || (link instanceof TypeError && link.message === 'terminated'));
}

function isTimeout(chain: readonly unknown[]): boolean {
  return chain.some((link) => TimeoutError.isInstance(link) || TIMEOUT_ERROR_NAMES.has(String(field(link, 'name'))));
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
 * - `stop`: codes `aborted`, `budget_exceeded`, `deferred` (a request put in a batch);
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
  const refused = httpStatus === undefined && !timedOut && isRefusedConnection(chain);
  const dropped = refused || (httpStatus === undefined && !timedOut && isDroppedConnection(chain));
  const summary = timedOut ? 'timeout' : httpStatus !== undefined ? `HTTP ${httpStatus}` : refused ? 'connection refused' : dropped ? 'connection failed' : emolabel?.isRetryable ? 'transient error' : 'error';
  const base = { httpStatus, retryAfterMs, timedOut, refused, summary, rateLimited: false };
  if (emolabel?.code === 'aborted' || emolabel?.code === 'budget_exceeded' || emolabel?.code === 'deferred') return { ...base, kind: 'stop' };
  const fatalReason = fatalReasonOf(error, httpStatus);
  if (fatalReason !== undefined) return { ...base, kind: 'fatal', fatalReason };
  if (emolabel?.isRetryable || dropped) return { ...base, kind: 'retryable', rateLimited: httpStatus === 429 };
  return { ...base, kind: 'item' };
}
