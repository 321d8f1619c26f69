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
  /** Another live session holds the run's lease: the run is being run elsewhere. */
  | 'run_in_use'
  /** The run store could not be read or written (disk full, I/O error, damaged file, read-only). */
  | 'store_error'
  /** A provider failure no retry can heal (rejected key, unknown model, quota exhausted): the run stops. */
  | 'fatal_provider_error'
  /** The request was put aside for a provider batch: its item is left unfinished until the batch answers. */
  | 'deferred'
  /** The job queue cannot run the run: a worker refused its jobs (another emolabel version, other settings) or a job failed there. */
  | 'queue_error';

const MARKER = Symbol.for('emolabel.error');

/** Fields an {@link EmolabelError} may carry besides its code and message. */
export interface EmolabelErrorOptions {
  readonly cause?: unknown;
  readonly isRetryable?: boolean;
  readonly path?: string;
  readonly retryAfterMs?: number;
  readonly httpStatus?: number;
  readonly rejectedParameter?: string;
}

/**
 * The base of every error emolabel throws. Messages say what was expected, what came, and what to
 * do, naming library parameters in backticks (`maxCostUsd`); the CLI maps those to its flags.
 * `isRetryable` marks transient failures (timeouts, 408, 409, 429, 5xx). Subclasses carry their
 * facts as fields; `isInstance` recognises them across copies of the package and worker threads.
 */
export class EmolabelError extends Error {
  override readonly name: string = 'EmolabelError';
  readonly [MARKER] = true;
  readonly code: EmolabelErrorCode;
  readonly isRetryable: boolean;
  /** The file or item the error is about, when there is one. */
  readonly path?: string;
  /** How long the provider asked to wait before trying again (from `Retry-After` or its body), in ms. */
  readonly retryAfterMs?: number;
  /** The HTTP status the provider answered, for failures that had one (401, 429, 503 …). */
  readonly httpStatus?: number;
  /** The request parameter a provider rejected for this model (HTTP 400 naming it): `temperature`, `reasoningEffort`. */
  readonly rejectedParameter?: string;

  constructor(code: EmolabelErrorCode, message: string, options: EmolabelErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.isRetryable = options.isRetryable ?? false;
    if (options.path !== undefined) this.path = options.path;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.rejectedParameter !== undefined) this.rejectedParameter = options.rejectedParameter;
  }

  static isInstance(value: unknown): value is EmolabelError {
    return typeof value === 'object' && value !== null && (value as { [MARKER]?: unknown })[MARKER] === true;
  }
}

/** A request that took longer than its timeout: retryable, with the limit as a field. */
export class TimeoutError extends EmolabelError {
  override readonly name = 'TimeoutError';
  readonly timedOut = true;
  /** The limit that was passed, in ms. */
  readonly timeoutMs: number;

  constructor(annotatorId: string, timeoutMs: number, options: { cause?: unknown } = {}) {
    super('provider_error', `${annotatorId} did not answer within ${timeoutMs} ms; raise \`timeoutMs\` for slow models.`, { ...options, isRetryable: true });
    this.timeoutMs = timeoutMs;
  }

  static override isInstance(value: unknown): value is TimeoutError {
    return EmolabelError.isInstance(value) && (value as { timedOut?: unknown }).timedOut === true;
  }
}

/** The next request would take the run past its budget: the run stops, resumable with a higher one. */
export class BudgetExceededError extends EmolabelError {
  override readonly name = 'BudgetExceededError';
  readonly spentUsd: number;
  /** Dollars reserved by requests still answering. */
  readonly reservedUsd: number;
  readonly maxCostUsd: number;
  /** The estimate of the request that was not sent. */
  readonly nextUsd: number;

  constructor(state: { spentUsd: number; reservedUsd: number; maxCostUsd: number; nextUsd: number }) {
    super(
      'budget_exceeded',
      `Budget reached: $${state.spentUsd.toFixed(4)} spent${state.reservedUsd > 0 ? ` (and about $${state.reservedUsd.toFixed(4)} more in requests still answering)` : ''} of \`maxCostUsd\` $${state.maxCostUsd.toFixed(4)}, and the next request ` +
        `(about $${state.nextUsd.toFixed(4)}) would pass it. Resume with a higher \`maxCostUsd\` to finish the run.`,
    );
    this.spentUsd = state.spentUsd;
    this.reservedUsd = state.reservedUsd;
    this.maxCostUsd = state.maxCostUsd;
    this.nextUsd = state.nextUsd;
  }

  static override isInstance(value: unknown): value is BudgetExceededError {
    return EmolabelError.isInstance(value) && value.code === 'budget_exceeded';
  }
}

/**
 * A request recorded for a provider batch instead of being sent: not a failure. Its item is left
 * unfinished (no result row) and runs again once the batch has answered. Strategies that ask several
 * requests for one clip ask the rest before passing it on, so one round puts them all in the batch.
 */
export class DeferredRequestError extends EmolabelError {
  override readonly name = 'DeferredRequestError';

  constructor(message = 'The request was put in a batch; the item finishes when the batch answers.') {
    super('deferred', message);
  }

  static override isInstance(value: unknown): value is DeferredRequestError {
    return EmolabelError.isInstance(value) && value.code === 'deferred';
  }
}

/** Classes an error can be rebuilt as after crossing a thread boundary, by `name`. */
const ERROR_CLASSES: Readonly<Record<string, { prototype: EmolabelError }>> = { EmolabelError, TimeoutError, BudgetExceededError, DeferredRequestError };

/** An error as plain data (structured-clone safe): its class name, message and every field. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** `error` as {@link ErrorData}: an emolabel error keeps all its fields (code, path, HTTP status, timeout …). */
export function errorToData(error: unknown): ErrorData {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields = Object.fromEntries(Object.entries(error).filter(([key, value]) => key !== 'cause' && (value === null || typeof value !== 'object')));
  return { name: error.name, message: error.message, fields };
}

/**
 * The error {@link errorToData} described, rebuilt: an emolabel error of the same class with the same
 * fields (so `isInstance`, `code` and `timeoutMs` still hold), else an `Error` with the same name.
 */
export function errorFromData(data: ErrorData): Error {
  const known = ERROR_CLASSES[data.name] ?? (typeof data.fields.code === 'string' ? EmolabelError : undefined);
  const error = known ? (Object.create(known.prototype) as Error) : new Error(data.message);
  Object.defineProperty(error, 'message', { value: data.message, writable: true, configurable: true });
  if (known) Object.defineProperty(error, MARKER, { value: true });
  Object.assign(error, data.fields);
  if (!known) error.name = data.name;
  return error;
}

/** A short, single-line description of any thrown value, for per-item error columns. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\s+/g, ' ').trim();
  return String(error);
}

/** Codes of errors that stop a whole run rather than fail one item. */
const RUN_STOPPING_CODES: ReadonlySet<string> = new Set(['budget_exceeded', 'aborted', 'missing_api_key', 'fatal_provider_error', 'store_error', 'queue_error']);

/**
 * Whether an error must stop the run (budget reached, Ctrl-C, a key or model that cannot work)
 * instead of becoming one item's `error` status.
 */
export function isRunStoppingError(error: unknown): boolean {
  return EmolabelError.isInstance(error) && RUN_STOPPING_CODES.has(error.code);
}
