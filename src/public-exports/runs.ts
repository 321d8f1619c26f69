// `emolabel/runs`: the parts of stored runs beyond the main entry's `runAnnotation` and `RunStore`:
// the request log and response cache, finding and exporting runs, the dry run's report, and the
// resilience layer's pieces (token bucket, retry policy, failure classes, stats, clock).
export { ResponseStore, type CachedResponse, type LoggedRequest, type StoredRequest } from '../store/request-log.js';
export type { OtherModelLabel, RunRecord } from '../store/run-store.js';
export { annotateOptionsOf, parseRunSpec, runFingerprint, runSpecSchema } from '../runs/run-spec.js';
export type { RunTarget } from '../runs/run-annotation.js';
export { LATEST_SCHEMA_VERSION } from '../store/migrations.js';
export { findRun } from '../store/find-run.js';
export { DEFAULT_DB_PATH } from '../store/open-database.js';
export { EXPORT_FORMATS, exportRun, type ExportFormat, type ExportOptions } from '../output/export-run.js';
export { writeLabelStudioExport, type LabelStudioExport, type LabelStudioExportOptions, type LabelStudioProjectFiles } from '../output/label-studio-export.js';
export { labelStudioConfig, type LabelStudioConfigOptions } from '../output/label-studio-config.js';
export { toLabelStudioTasks, type LabelStudioOptions, type LabelStudioResult, type LabelStudioTask } from '../output/label-studio-tasks.js';
export type { ItemCostEstimate } from '../runs/estimate-run.js';
export { formatCostEstimate } from '../runs/format-cost-estimate.js';
export type { BudgetMiddleware, BudgetState } from '../runs/budget-middleware.js';
export type { DryRunMiddleware, EstimatedRequest } from '../runs/dry-run-middleware.js';
export type { BatchSessionOptions } from '../runs/run-spec.js';
export { batchMiddleware, batchCustomId, type BatchFollowUp, type BatchMiddlewareOptions } from '../runs/batch/batch-middleware.js';
export { createBatchRounds, splitIntoBatches, type BatchProgress, type BatchRunOptions } from '../runs/batch/batch-rounds.js';
export { BatchStore, type StoredBatch, type StoredBatchRequest, type BatchRequestState } from '../store/batch-store.js';
export type {
  BatchCapability, BatchChannel, BatchClient, BatchDecision, BatchIntent, BatchLimits, BatchLine, BatchLineResult, BatchPhase, BatchStatus,
} from '../annotators/batch-api.js';

export {
  createResilientAnnotator, DEFAULT_TIMEOUT_MS,
  type ResilienceMiddleware, type ResilientAnnotator, type RetryEvent,
} from '../runs/resilience/resilient-annotator.js';
export { TokenBucket, DEFAULT_BURST_SECONDS, type TokenBucketOptions } from '../runs/resilience/token-bucket.js';
export { createRetryPolicy, DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from '../runs/resilience/retry-policy.js';
export {
  classifyFailure, isQuotaExhausted,
  type FailureClass, type FailureKind, type FatalReason,
} from '../runs/resilience/classify-failure.js';
export { isFatalRunError } from '../runs/resilience/fatal-run-error.js';
export { createResilienceStats, formatResilienceStats, type ResilienceStats } from '../runs/resilience/resilience-stats.js';
export { createLearnedTokenEstimate, INITIAL_TOKENS_PER_IMAGE, type EstimateTokens, type LearnedTokenEstimate } from '../runs/resilience/token-estimate.js';
export { systemClock, type Clock } from '../runs/resilience/clock.js';
