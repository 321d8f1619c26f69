import type Database from 'better-sqlite3';
import { EmolabelError } from '../errors.js';

/**
 * What a reviewer decided: `label` (the label is the reviewer's), `unsure` (cannot tell; `label`
 * may hold a leaning, or be empty), `skip` (left for later or someone else), `no_face` (the crop is
 * not a face, or no face is visible: the item should have no label).
 */
export type DecisionKind = 'label' | 'unsure' | 'skip' | 'no_face';

/** Every decision kind, in the order the page offers them. */
export const DECISION_KINDS: readonly DecisionKind[] = ['label', 'unsure', 'skip', 'no_face'];

/** A reviewer's current decision on one face of one item. */
export interface ReviewDecision {
  readonly itemId: string;
  readonly faceIndex: number;
  /** The reviewer's label (`decision: 'label'`), a leaning (`unsure`), or `''`. */
  readonly label: string;
  /** @default 'label' for decisions stored before schema 7 */
  readonly decision: DecisionKind;
  /** What the reviewer wrote about the item, when anything. */
  readonly note?: string;
  readonly reviewer: string;
  /** ISO 8601 time of the decision. */
  readonly decidedAt: string;
}

/** What {@link ReviewStore.saveDecision} is given. */
export interface DecisionInput {
  readonly itemId: string;
  readonly faceIndex: number;
  /** Needed for `decision: 'label'`; a leaning or `''` for `unsure`; ignored for `skip` and `no_face`. */
  readonly label?: string;
  /** @default 'label' */
  readonly decision?: DecisionKind;
  /** Up to 2,000 characters; empty or absent: none. */
  readonly note?: string;
  readonly reviewer: string;
  /** @default the current time */
  readonly decidedAt?: string;
}

/** Longest note kept with a decision. */
export const MAX_NOTE_LENGTH = 2000;

/** What an undo did: the item it touched and the decision now in force there (none when it was the first). */
export interface UndoOutcome {
  readonly itemId: string;
  readonly faceIndex: number;
  /** The label that was taken back (the decision's name, `skip`, `no face`, `unsure`, when it had no label). */
  readonly undoneLabel: string;
  readonly undoneDecision: DecisionKind;
  /** The decision restored, or `undefined` when the item is unreviewed again. */
  readonly restored?: ReviewDecision;
}

interface ReviewRow { item_id: string; face_index: number; label: string; decision: DecisionKind; note: string | null; reviewer: string; decided_at: string }
interface HistoryRow extends ReviewRow { id: number }

const REVIEW_COLUMNS = 'item_id, face_index, label, decision, note, reviewer, decided_at';

/** The key of one reviewable result: an item and a face of it. */
export function reviewKey(itemId: string, faceIndex: number): string {
  return `${itemId}#${faceIndex}`;
}

const toDecision = (row: ReviewRow): ReviewDecision => ({
  itemId: row.item_id, faceIndex: row.face_index, label: row.label, decision: row.decision ?? 'label',
  ...(row.note ? { note: row.note } : {}), reviewer: row.reviewer, decidedAt: row.decided_at,
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
    const decision = input.decision ?? 'label';
    const label = decision === 'label' || decision === 'unsure' ? (input.label ?? '').trim() : '';
    if (!DECISION_KINDS.includes(decision)) {
      throw new EmolabelError('invalid_input', `Expected a decision of ${DECISION_KINDS.join(', ')}, got "${String(decision)}".`);
    }
    if ((decision === 'label' && label === '') || input.reviewer.trim() === '') {
      throw new EmolabelError('invalid_input', `A decision needs a label and a reviewer, got label "${input.label ?? ''}" and reviewer "${input.reviewer}".`);
    }
    const note = (input.note ?? '').trim();
    if (note.length > MAX_NOTE_LENGTH) throw new EmolabelError('invalid_input', `Expected a note of at most ${MAX_NOTE_LENGTH} characters, got ${note.length}.`);
    const decidedAt = input.decidedAt ?? new Date().toISOString();
    this.database.transaction(() => {
      const previous = this.current(runId, input.itemId, input.faceIndex);
      this.database
        .prepare(`INSERT INTO review_history (run_id, item_id, face_index, label, decision, note, previous_label, reviewer, decided_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(runId, input.itemId, input.faceIndex, label, decision, note || null, previous?.label ?? null, input.reviewer, decidedAt);
      this.database
        .prepare(`INSERT INTO reviews (run_id, item_id, face_index, label, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT (run_id, item_id, face_index) DO UPDATE SET label = excluded.label, decision = excluded.decision, note = excluded.note,
                  reviewer = excluded.reviewer, decided_at = excluded.decided_at`)
        .run(runId, input.itemId, input.faceIndex, label, decision, note || null, input.reviewer, decidedAt);
    }).immediate();
    return { itemId: input.itemId, faceIndex: input.faceIndex, label, decision, ...(note ? { note } : {}), reviewer: input.reviewer, decidedAt };
  }

  /**
   * Takes back `reviewer`'s latest decision in the run that is still in force, restoring the decision
   * it replaced (or none). Returns `undefined` when there is nothing left to undo.
   */
  undo(runId: string, reviewer: string): UndoOutcome | undefined {
    return this.database.transaction((): UndoOutcome | undefined => {
      const last = this.database
        .prepare(`SELECT id, ${REVIEW_COLUMNS} FROM review_history
                  WHERE run_id = ? AND reviewer = ? AND undone = 0 AND label IS NOT NULL ORDER BY id DESC LIMIT 1`)
        .get(runId, reviewer) as HistoryRow | undefined;
      if (!last) return undefined;
      this.database.prepare('UPDATE review_history SET undone = 1 WHERE id = ?').run(last.id);
      // The decision in force before `last` is the newest earlier entry for the same face not itself undone.
      const before = this.database
        .prepare(`SELECT id, ${REVIEW_COLUMNS} FROM review_history
                  WHERE run_id = ? AND item_id = ? AND face_index = ? AND undone = 0 AND label IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1`)
        .get(runId, last.item_id, last.face_index, last.id) as HistoryRow | undefined;
      const key = { itemId: last.item_id, faceIndex: last.face_index, undoneLabel: last.label || (last.decision ?? 'label').replace('_', ' '), undoneDecision: last.decision ?? 'label' };
      if (!before) {
        this.database.prepare('DELETE FROM reviews WHERE run_id = ? AND item_id = ? AND face_index = ?').run(runId, last.item_id, last.face_index);
        return key;
      }
      this.database
        .prepare('UPDATE reviews SET label = ?, decision = ?, note = ?, reviewer = ?, decided_at = ? WHERE run_id = ? AND item_id = ? AND face_index = ?')
        .run(before.label, before.decision ?? 'label', before.note, before.reviewer, before.decided_at, runId, last.item_id, last.face_index);
      return { ...key, restored: toDecision(before) };
    }).immediate();
  }

  /** The run's current decisions, keyed by {@link reviewKey}. */
  getReviews(runId: string): Map<string, ReviewDecision> {
    const rows = this.database
      .prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews WHERE run_id = ? ORDER BY item_id, face_index`)
      .all(runId) as ReviewRow[];
    return new Map(rows.map((row) => [reviewKey(row.item_id, row.face_index), toDecision(row)]));
  }

  /** Number of history entries (decisions and undone decisions) for a run: the audit trail's length. */
  historyLength(runId: string): number {
    return (this.database.prepare('SELECT COUNT(*) AS count FROM review_history WHERE run_id = ?').get(runId) as { count: number }).count;
  }

  private current(runId: string, itemId: string, faceIndex: number): ReviewDecision | undefined {
    const row = this.database
      .prepare(`SELECT ${REVIEW_COLUMNS} FROM reviews WHERE run_id = ? AND item_id = ? AND face_index = ?`)
      .get(runId, itemId, faceIndex) as ReviewRow | undefined;
    return row && toDecision(row);
  }
}
