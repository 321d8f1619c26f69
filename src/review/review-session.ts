import { labelStudioOpinionsFor, type LabelStudioOpinions, mergeOpinions } from './label-studio-opinions.js';
import { collectOtherOpinions } from './other-opinions.js';
import type { OtherOpinion } from './review-priority.js';
import { computeReviewAgreement, type ReviewAgreement } from './review-agreement.js';
import { buildReviewDetail, type ReviewDetail } from './review-detail.js';
import { buildReviewQueue, filterReviewQueue, type ReviewQueueFilter, type ReviewQueueItem } from './review-queue.js';
import { quoteInput } from './quote-input.js';
import { EmolabelError } from '../errors.js';
import { DEFAULT_FACE_MARGIN } from '../faces/find-faces.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { findRun } from '../store/find-run.js';
import { type DecisionKind, type ReviewDecision, ReviewStore, type UndoOutcome } from '../store/review-store.js';
import type { RunRecord, RunStore } from '../store/run-store.js';
import { BUILT_IN_TAXONOMIES, normaliseLabel } from '../taxonomy/taxonomy.js';

/** What a reviewer chose for an item: a label (the default decision), or `unsure`, `skip`, `no_face`; and a note. */
export interface DecisionChoice {
  readonly label?: string;
  readonly decision?: DecisionKind;
  readonly note?: string;
}

/** A run as the page's header shows it. */
export interface ReviewRunSummary {
  readonly id: string;
  readonly model: string;
  readonly strategy: string;
  readonly taxonomy: string;
  readonly labels: readonly string[];
  readonly status: RunRecord['status'];
  readonly createdAt: string;
  readonly costUsd: number;
}

/**
 * One run under review: reads results and decisions from the run store on every call (an annotate
 * run may still be adding results), and writes decisions through {@link ReviewStore}.
 */
export class ReviewSession {
  readonly reviews: ReviewStore;

  /** @param labelStudio a Label Studio export whose annotations and predictions show as other opinions */
  constructor(readonly store: RunStore, readonly runId: string, private readonly labelStudio?: LabelStudioOpinions) {
    this.reviews = new ReviewStore(store.database);
    if (!store.getRun(runId)) throw new EmolabelError('invalid_input', `Run ${runId} is not in the run store.`);
  }

  run(): RunRecord {
    const run = this.store.getRun(this.runId);
    if (!run) throw new EmolabelError('invalid_input', `Run ${this.runId} is no longer in the run store.`);
    return run;
  }

  summary(): ReviewRunSummary {
    const run = this.run();
    return {
      id: run.id, model: run.model, strategy: run.strategy, taxonomy: run.taxonomy, labels: run.labels,
      status: run.status, createdAt: run.createdAt, costUsd: run.costUsd,
    };
  }

  /** Margin the run cut faces with, for crops that match what the model saw. */
  faceMargin(): number {
    const margin = this.run().options.faceMargin;
    return typeof margin === 'number' && margin >= 0 ? margin : DEFAULT_FACE_MARGIN;
  }

  /** The queue, most likely wrong first, filtered. */
  queue(filter: ReviewQueueFilter = {}): ReviewQueueItem[] {
    const run = this.run();
    const results = this.store.getResults(run.id);
    const queue = buildReviewQueue(results, this.reviews.getReviews(run.id), this.opinions(run, results));
    return filterReviewQueue(queue, filter);
  }

  /** One result of the run, or `undefined` when the run has no such item and face. */
  findResult(itemId: string, faceIndex: number): ClipResult | undefined {
    return this.store.getResult(this.runId, itemId, faceIndex);
  }

  /** The page's view of one item, or `undefined` when the run has no such item and face. */
  detail(itemId: string, faceIndex: number): ReviewDetail | undefined {
    const result = this.findResult(itemId, faceIndex);
    if (!result) return undefined;
    const run = this.run();
    const [entry] = buildReviewQueue([result], this.reviews.getReviews(run.id), this.opinions(run, [result]));
    return entry && buildReviewDetail(result, entry);
  }

  /** Other models' labels in the store, and the Label Studio export's when one was given. */
  private opinions(run: RunRecord, results: readonly ClipResult[]): Map<string, OtherOpinion[]> {
    const stored = collectOtherOpinions(this.store, run);
    return this.labelStudio === undefined ? stored : mergeOpinions(stored, labelStudioOpinionsFor(results, this.labelStudio));
  }

  agreement(): ReviewAgreement {
    const run = this.run();
    return computeReviewAgreement(this.store.getResults(run.id), this.reviews.getReviews(run.id), run.labels);
  }

  /**
   * Saves a decision after checking that the item is in the run and, for a label (or an unsure
   * leaning), that it is in the run's taxonomy. `skip` and `no_face` take no label.
   */
  decide(itemId: string, faceIndex: number, choice: DecisionChoice, reviewer: string): ReviewDecision {
    const run = this.run();
    const decision = choice.decision ?? 'label';
    const raw = choice.label ?? '';
    const takesLabel = decision === 'label' || (decision === 'unsure' && raw.trim() !== '');
    const label = takesLabel ? canonicalRunLabel(raw, run) : '';
    if (label === undefined) {
      throw new EmolabelError('invalid_input', `Expected a label of the run's taxonomy (${run.labels.join(', ')}), got ${quoteInput(raw)}.`);
    }
    if (!this.findResult(itemId, faceIndex)) {
      throw new EmolabelError('invalid_input', `Run ${run.id} has no item ${quoteInput(itemId)} with face ${faceIndex}.`);
    }
    return this.reviews.saveDecision(run.id, { itemId, faceIndex, label, decision, ...(choice.note === undefined ? {} : { note: choice.note }), reviewer });
  }

  undo(reviewer: string): UndoOutcome | undefined {
    return this.reviews.undo(this.runId, reviewer);
  }
}

/** A label in the run's spelling: as given, by case, or normalised (`happiness` → `Happy`) for built-in taxonomies. */
function canonicalRunLabel(raw: string, run: RunRecord): string | undefined {
  const trimmed = raw.trim();
  const byCase = run.labels.find((label) => label === trimmed) ?? run.labels.find((label) => label.toLowerCase() === trimmed.toLowerCase());
  if (byCase !== undefined) return byCase;
  const taxonomy = BUILT_IN_TAXONOMIES[run.taxonomy];
  const normalised = taxonomy && normaliseLabel(trimmed, taxonomy);
  return normalised !== undefined && run.labels.includes(normalised) ? normalised : undefined;
}

/** Picks the run to review: `id` (or a unique prefix of one), else the newest run; see {@link findRun}. */
export function resolveReviewRun(store: RunStore, id: string | undefined): RunRecord {
  return findRun(store, id);
}
