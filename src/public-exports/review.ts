// `emolabel/review`: human review (the review store, queue, decisions, agreement, the web app and its server, reviewed export).
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
export { exportReviewedRun, type ReviewedExportOptions, type ReviewedLabelStudioTask } from '../review/export-reviewed.js';
