// Public API of the resilience layer (rate limits, retries, timeouts, fatal errors); re-exported from src/index.ts.
export {
  createResilientAnnotator, DEFAULT_TIMEOUT_MS,
  type ResilientAnnotator, type ResilientAnnotatorOptions, type RetryEvent,
} from '../runs/resilience/resilient-annotator.js';
export { TokenBucket, DEFAULT_BURST_SECONDS, type TokenBucketOptions } from '../runs/resilience/token-bucket.js';
export { createRetryPolicy, DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from '../runs/resilience/retry-policy.js';
export {
  classifyFailure, isQuotaExhausted,
  type FailureClass, type FailureKind, type FatalReason,
} from '../runs/resilience/classify-failure.js';
export { FatalRunError, isFatalRunError } from '../runs/resilience/fatal-run-error.js';
export { createResilienceStats, formatResilienceStats, type ResilienceStats } from '../runs/resilience/resilience-stats.js';
export { createLearnedTokenEstimate, INITIAL_TOKENS_PER_IMAGE, type EstimateTokens, type LearnedTokenEstimate } from '../runs/resilience/token-estimate.js';
export { systemClock, type Clock } from '../runs/resilience/clock.js';
