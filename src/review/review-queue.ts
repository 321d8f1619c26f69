import { opinionKey } from './other-opinions.js';
import { type OtherOpinion, type ReviewPriority, reviewPriority } from './review-priority.js';
import type { ClipResult, ClipStatus } from '../pipeline/clip-result.js';
import { type ReviewDecision, reviewKey } from '../store/review-store.js';

/** One entry of the review queue: a result, why it may be wrong, and its decision if any. */
export interface ReviewQueueItem {
  /** {@link reviewKey} of the item and face. */
  readonly key: string;
  readonly itemId: string;
  /** File (or frame folder) name of the media, without its folders: what the queue shows. */
  readonly name: string;
  readonly faceIndex: number;
  readonly kind: ClipResult['kind'];
  readonly status: ClipStatus;
  /** The model's label. */
  readonly label?: string;
  readonly confidence?: number;
  readonly priority: ReviewPriority;
  readonly opinions: readonly OtherOpinion[];
  readonly review?: ReviewDecision;
  /** Position of the result in the run (item order, then face): ties keep this order. */
  readonly position: number;
}

/** Which part of the queue to show. Unset fields do not filter. */
export interface ReviewQueueFilter {
  /** The model's label; `''` selects items without one. */
  readonly label?: string;
  readonly status?: ClipStatus;
  /** `reviewed`, `unreviewed` (no decision, or skipped), or `all`. @default 'all' */
  readonly reviewed?: 'all' | 'reviewed' | 'unreviewed';
}

/**
 * Orders a run's results by how likely their label is wrong (see {@link reviewPriority}), most
 * likely first; equal scores keep run order. Reviewed items keep their place, so a reviewer can
 * walk back to them.
 */
export function buildReviewQueue(
  results: readonly ClipResult[],
  reviews: ReadonlyMap<string, ReviewDecision>,
  opinions: ReadonlyMap<string, readonly OtherOpinion[]> = new Map(),
): ReviewQueueItem[] {
  const queue = results.map((result, position): ReviewQueueItem => {
    const key = reviewKey(result.id, result.faceIndex);
    const others = opinions.get(opinionKey(result.path, result.faceIndex)) ?? [];
    const review = reviews.get(key);
    return {
      key, itemId: result.id, name: result.path.split(/[\\/]/).filter(Boolean).pop() ?? result.id, faceIndex: result.faceIndex, kind: result.kind, status: result.status,
      ...(result.label === undefined ? {} : { label: result.label }),
      ...(result.confidence === undefined ? {} : { confidence: result.confidence }),
      priority: reviewPriority(result, others), opinions: others, position,
      ...(review ? { review } : {}),
    };
  });
  return queue.sort((a, b) => b.priority.score - a.priority.score || a.position - b.position);
}

/** Keeps the queue items that pass every set field of `filter`, in queue order. */
export function filterReviewQueue(queue: readonly ReviewQueueItem[], filter: ReviewQueueFilter): ReviewQueueItem[] {
  return queue.filter((item) => {
    if (filter.label !== undefined && (item.label ?? '') !== filter.label) return false;
    if (filter.status !== undefined && item.status !== filter.status) return false;
    // A skipped item is left for later: still to review.
    const reviewed = item.review !== undefined && item.review.decision !== 'skip';
    if (filter.reviewed === 'reviewed' && !reviewed) return false;
    if (filter.reviewed === 'unreviewed' && reviewed) return false;
    return true;
  });
}
