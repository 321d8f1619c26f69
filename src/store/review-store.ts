import type Database from 'better-sqlite3';
import { EmolabelError } from '../errors.js';

/** A reviewer's current decision on one face of one item. */
export interface ReviewDecision {
  readonly itemId: string;
  readonly faceIndex: number;
  readonly label: string;
  readonly reviewer: string;
  /** ISO 8601 time of the decision. */
  readonly decidedAt: string;
}

/** What {@link ReviewStore.saveDecision} is given. */
export interface DecisionInput {
  readonly itemId: string;
  readonly faceIndex: number;
  readonly label: string;
  readonly reviewer: string;
  /** @default the current time */
  readonly decidedAt?: string;
}

/** What an undo did: the item it touched and the decision now in force there (none when it was the first). */
export interface UndoOutcome {
  readonly itemId: string;
  readonly faceIndex: number;
  /** The label that was taken back. */
  readonly undoneLabel: string;
  /** The decision restored, or `undefined` when the item is unreviewed again. */
  readonly restored?: ReviewDecision;
}

interface ReviewRow { item_id: string; face_index: number; label: string; reviewer: string; decided_at: string }
interface HistoryRow { id: number; item_id: string; face_index: number; label: string; reviewer: string; decided_at: string }

/** The key of one reviewable result: an item and a face of it. */
export function reviewKey(itemId: string, faceIndex: number): string {
  return `${itemId}#${faceIndex}`;
}

const toDecision = (row: ReviewRow): ReviewDecision => ({
  itemId: row.item_id, faceIndex: row.face_index, label: row.label, reviewer: row.reviewer, decidedAt: row.decided_at,
});

/**
 * Human decisions on a run's labels, in the run store's `reviews` (current decision per item and
 * face) and `review_history` (append-only log, for undo and audit) tables. Reviews live apart from
 * `results`, so annotating the run again never overwrites them. Every write is one transaction.
 * @example
 * const reviews = new ReviewStore(RunStore.open().database);
 * reviews.saveDecision(runId, { itemId: 'clip-1', faceIndex: 0, label: 'Happy', reviewer: 'ana' });
 */
export class ReviewStore {
  constructor(readonly database: Database.Database) {}

  /** Records a decision at once (replacing the item's previous one) and logs it. */
  saveDecision(runId: string, input: DecisionInput): ReviewDecision {
    if (input.label.trim() === '' || input.reviewer.trim() === '') {
      throw new EmolabelError('invalid_input', `A decision needs a label and a reviewer, got label "${input.label}" and reviewer "${input.reviewer}".`);
    }
    const decidedAt = input.decidedAt ?? new Date().toISOString();
    this.database.transaction(() => {
      const previous = this.current(runId, input.itemId, input.faceIndex);
      this.database
        .prepare(`INSERT INTO review_history (run_id, item_id, face_index, label, previous_label, reviewer, decided_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(runId, input.itemId, input.faceIndex, input.label, previous?.label ?? null, input.reviewer, decidedAt);
      this.database
        .prepare(`INSERT INTO reviews (run_id, item_id, face_index, label, reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?)
                  ON CONFLICT (run_id, item_id, face_index) DO UPDATE SET label = excluded.label, reviewer = excluded.reviewer, decided_at = excluded.decided_at`)
        .run(runId, input.itemId, input.faceIndex, input.label, input.reviewer, decidedAt);
    }).immediate();
    return { itemId: input.itemId, faceIndex: input.faceIndex, label: input.label, reviewer: input.reviewer, decidedAt };
  }

  /**
   * Takes back `reviewer`'s latest decision in the run that is still in force, restoring the decision
   * it replaced (or none). Returns `undefined` when there is nothing left to undo.
   */
  undo(runId: string, reviewer: string): UndoOutcome | undefined {
    return this.database.transaction((): UndoOutcome | undefined => {
      const last = this.database
        .prepare(`SELECT id, item_id, face_index, label, reviewer, decided_at FROM review_history
                  WHERE run_id = ? AND reviewer = ? AND undone = 0 AND label IS NOT NULL ORDER BY id DESC LIMIT 1`)
        .get(runId, reviewer) as HistoryRow | undefined;
      if (!last) return undefined;
      this.database.prepare('UPDATE review_history SET undone = 1 WHERE id = ?').run(last.id);
      // The decision in force before `last` is the newest earlier entry for the same face not itself undone.
      const before = this.database
        .prepare(`SELECT id, item_id, face_index, label, reviewer, decided_at FROM review_history
                  WHERE run_id = ? AND item_id = ? AND face_index = ? AND undone = 0 AND label IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1`)
        .get(runId, last.item_id, last.face_index, last.id) as HistoryRow | undefined;
      const key = { itemId: last.item_id, faceIndex: last.face_index, undoneLabel: last.label };
      if (!before) {
        this.database.prepare('DELETE FROM reviews WHERE run_id = ? AND item_id = ? AND face_index = ?').run(runId, last.item_id, last.face_index);
        return key;
      }
      this.database
        .prepare('UPDATE reviews SET label = ?, reviewer = ?, decided_at = ? WHERE run_id = ? AND item_id = ? AND face_index = ?')
        .run(before.label, before.reviewer, before.decided_at, runId, last.item_id, last.face_index);
      return { ...key, restored: toDecision(before) };
    }).immediate();
  }

  /** The run's current decisions, keyed by {@link reviewKey}. */
  getReviews(runId: string): Map<string, ReviewDecision> {
    const rows = this.database
      .prepare('SELECT item_id, face_index, label, reviewer, decided_at FROM reviews WHERE run_id = ? ORDER BY item_id, face_index')
      .all(runId) as ReviewRow[];
    return new Map(rows.map((row) => [reviewKey(row.item_id, row.face_index), toDecision(row)]));
  }

  /** Number of history entries (decisions and undone decisions) for a run: the audit trail's length. */
  historyLength(runId: string): number {
    return (this.database.prepare('SELECT COUNT(*) AS count FROM review_history WHERE run_id = ?').get(runId) as { count: number }).count;
  }

  private current(runId: string, itemId: string, faceIndex: number): ReviewDecision | undefined {
    const row = this.database
      .prepare('SELECT item_id, face_index, label, reviewer, decided_at FROM reviews WHERE run_id = ? AND item_id = ? AND face_index = ?')
      .get(runId, itemId, faceIndex) as ReviewRow | undefined;
    return row && toDecision(row);
  }
}
