/** Error codes emolabel raises; each names a class of failure a caller can branch on. */
export type EmolabelErrorCode =
  | 'invalid_input'
  | 'invalid_option'
  | 'unknown_model'
  | 'missing_api_key'
  | 'media_error'
  | 'model_error'
  | 'provider_error'
  | 'parse_error'
  | 'budget_exceeded'
  | 'aborted'
  /** A provider failure no retry can heal (rejected key, unknown model, quota exhausted): the run stops. */
  | 'fatal_provider_error';

/**
 * The one error class emolabel throws. Messages say what was expected, what came, and what to do.
 * `isRetryable` marks transient failures (timeouts, 408, 409, 429, 5xx).
 */
export class EmolabelError extends Error {
  override readonly name = 'EmolabelError';
  readonly code: EmolabelErrorCode;
  readonly isRetryable: boolean;
  /** The file or item the error is about, when there is one. */
  readonly path?: string;
  /** How long the provider asked to wait before trying again (from `Retry-After` or its body), in ms. */
  readonly retryAfterMs?: number;
  /** The HTTP status the provider answered, for failures that had one (401, 429, 503 …). */
  readonly httpStatus?: number;

  constructor(
    code: EmolabelErrorCode,
    message: string,
    options: { cause?: unknown; isRetryable?: boolean; path?: string; retryAfterMs?: number; httpStatus?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    if (options.path !== undefined) this.path = options.path;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }
}

/** A short, single-line description of any thrown value, for per-item error columns. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\s+/g, ' ').trim();
  return String(error);
}

/** Codes of errors that stop a whole run rather than fail one item. */
const RUN_STOPPING_CODES: ReadonlySet<string> = new Set(['budget_exceeded', 'aborted', 'missing_api_key', 'fatal_provider_error']);

/**
 * Whether an error must stop the run (budget reached, Ctrl-C, a key or model that cannot work)
 * instead of becoming one item's `error` status.
 */
export function isRunStoppingError(error: unknown): boolean {
  return error instanceof EmolabelError && RUN_STOPPING_CODES.has(error.code);
}
