// `emolabel/review`: human review (the review store, queue, decisions, agreement, the web app and its server, reviewed export) and Label Studio's ML backend.
export { ReviewStore, reviewKey, type DecisionInput, type ReviewDecision, type UndoOutcome } from '../store/review-store.js';
export { applyReviews, reviewColumns, type LabelSource, type ReviewedResult } from '../review/apply-reviews.js';
export { computeReviewAgreement, type ClassAgreement, type ReviewAgreement } from '../review/review-agreement.js';
export { reviewPriority, LOW_CONFIDENCE, type OtherOpinion, type ReviewPriority, type ReviewReason, type ReviewReasonCode } from '../review/review-priority.js';
export { buildReviewQueue, filterReviewQueue, type ReviewQueueFilter, type ReviewQueueItem } from '../review/review-queue.js';
export { collectOtherOpinions, opinionKey } from '../review/other-opinions.js';
export { ReviewSession, resolveReviewRun, type ReviewRunSummary } from '../review/review-session.js';
export { createReviewApp, type ReviewAppOptions } from '../review/review-app.js';
export { originGuard, type OriginGuardOptions } from '../review/origin-guard.js';
export { startReviewServer, DEFAULT_REVIEW_PORT, type ReviewServer, type ReviewServerOptions } from '../review/start-review-server.js';
export { exportReviewedRun, writeReviewedLabelStudioExport, type ReviewedExportOptions, type ReviewedLabelStudioTask } from '../review/export-reviewed.js';
export { labelStudioOpinionsFor, readLabelStudioOpinions, type LabelStudioOpinions } from '../review/label-studio-opinions.js';
// Label Studio's ML backend: a server like the review app, over the same runs.
export { LabelStudioPredictor, type LabelStudioPredictorOptions, type LabelStudioTaskInput } from '../label-studio/label-studio-predictor.js';
export { createMlBackendApp, type MlBackendAppOptions } from '../label-studio/ml-backend-app.js';
export { startMlBackend, DEFAULT_ML_BACKEND_PORT, type MlBackendServer, type MlBackendServerOptions } from '../label-studio/start-ml-backend.js';
export { parseLabelingConfig, planPredictions, type LabelingConfig, type PredictionPlan } from '../label-studio/labeling-config.js';
