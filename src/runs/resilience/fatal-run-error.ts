import type { FatalReason } from './classify-failure.js';
import { describeError, EmolabelError } from '../../errors.js';

const ADVICE: Readonly<Record<FatalReason, string>> = {
  missing_api_key: 'Set the API key variable named below (or name another with `apiKeyEnv`), then run again.',
  rejected_api_key:
    'The provider rejected the API key (HTTP 401). Put a valid key for this provider in the key variable (or name another with `apiKeyEnv`), then run again.',
  forbidden:
    'The key may not use this model or endpoint (HTTP 403). Check the key\'s project, organisation and region permissions, or pick a model the key can use, then run again.',
  unknown_model:
    'The model or endpoint was not found. Check the model id after the colon (e.g. openai:gpt-4o-mini) and, for openai-compatible, that `baseUrl` ends in /v1, then run again.',
  quota_exhausted:
    'The provider account is out of quota or credit. Add credit or raise the spending limit in the provider\'s billing settings (retrying does not help), then run again.',
  misconfigured: 'The annotator is not configured to work. Fix the setting named below, then run again.',
  rejected_request:
    'The provider rejected request after request for the same reason (HTTP 400): every item would fail the same way. Fix what its words below name (the model, a setting, the images), then run again.',
  unreachable:
    'Nothing accepts connections at the provider\'s address, request after request, retries included. Check that the server is running and that `baseUrl` (host and port) is right, then run again: finished items are kept.',
};

/**
 * A provider failure that no retry can heal, thrown by the resilient annotator to stop the run at
 * once. Its message leads with what to do, then the provider's own words. Code
 * `fatal_provider_error`, which `isRunStoppingError` recognises.
 */
export class FatalRunError extends EmolabelError {
  readonly reason: FatalReason;
  /** `provider:model` of the annotator that failed. */
  readonly annotatorId: string;

  constructor(reason: FatalReason, annotatorId: string, cause: unknown) {
    const httpStatus = cause instanceof EmolabelError ? cause.httpStatus : undefined;
    super('fatal_provider_error', `Run stopped: ${annotatorId} cannot work as configured. ${ADVICE[reason]} Details: ${describeError(cause)}`, {
      cause,
      httpStatus,
    });
    this.reason = reason;
    this.annotatorId = annotatorId;
  }
}

/** Whether `error` is a {@link FatalRunError}. */
export function isFatalRunError(error: unknown): error is FatalRunError {
  return EmolabelError.isInstance(error) && error.code === 'fatal_provider_error';
}
