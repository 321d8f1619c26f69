import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openDatabase } from './open-database.js';
import type { MediaItem } from '../media/media-item.js';
import type { ClipResult } from '../pipeline/clip-result.js';

/** `running` (or crashed while running), `done`, `interrupted` (Ctrl-C), `stopped` (budget or fatal error). */
export type RunStatus = 'running' | 'done' | 'interrupted' | 'stopped';

/** A run as stored: what was asked and how far it got. */
export interface RunRecord {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Hash of the inputs and the options that change results; equal fingerprints resume each other. */
  readonly fingerprint: string;
  readonly inputs: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly model: string;
  readonly strategy: string;
  readonly taxonomy: string;
  /** The taxonomy's labels, in order. */
  readonly labels: readonly string[];
  readonly status: RunStatus;
  readonly total: number;
  readonly done: number;
  readonly costUsd: number;
  readonly failed: number;
  /** Why a run stopped, when it did. */
  readonly note?: string;
}

interface RunRow {
  id: string; created_at: string; updated_at: string; fingerprint: string; inputs: string; options: string; model: string;
  strategy: string; taxonomy: string; labels: string; status: RunStatus; total: number; note: string | null;
  done: number; cost: number | null; failed: number;
}

const now = () => new Date().toISOString();

/** A run id that sorts by time: `r20261123-1105-3fa9c1`. */
export function newRunId(date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}

const RUN_SELECT = `
  SELECT runs.*,
    (SELECT COUNT(*) FROM items WHERE items.run_id = runs.id AND items.done_at IS NOT NULL) AS done,
    -- What the run paid: every request it sent (also for items a crash or the budget left unfinished);
    -- runs that log no requests (the local model) fall back to their results.
    COALESCE((SELECT SUM(cost_usd) FROM requests WHERE requests.run_id = runs.id AND from_cache = 0),
      (SELECT SUM(cost_usd) FROM results WHERE results.run_id = runs.id)) AS cost,
    (SELECT COUNT(*) FROM results WHERE results.run_id = runs.id AND results.status IN ('error', 'refused')) AS failed
  FROM runs`;

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id, createdAt: row.created_at, updatedAt: row.updated_at, fingerprint: row.fingerprint,
    inputs: JSON.parse(row.inputs) as string[], options: JSON.parse(row.options) as Record<string, unknown>,
    model: row.model, strategy: row.strategy, taxonomy: row.taxonomy, labels: JSON.parse(row.labels) as string[],
    status: row.status, total: row.total, done: row.done, costUsd: row.cost ?? 0, failed: row.failed,
    ...(row.note ? { note: row.note } : {}),
  };
}

/** Runs, their items and their results in the SQLite store. Every write is one transaction. */
export class RunStore {
  constructor(readonly database: Database.Database) {}

  static open(path?: string): RunStore {
    return new RunStore(openDatabase(path));
  }

  createRun(run: Pick<RunRecord, 'fingerprint' | 'inputs' | 'options' | 'model' | 'strategy' | 'taxonomy' | 'labels'> & { id?: string }): RunRecord {
    const id = run.id ?? newRunId();
    const stamp = now();
    this.database
      .prepare(`INSERT INTO runs (id, created_at, updated_at, fingerprint, inputs, options, model, strategy, taxonomy, labels, status, total)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', 0)`)
      .run(id, stamp, stamp, run.fingerprint, JSON.stringify(run.inputs), JSON.stringify(run.options), run.model, run.strategy, run.taxonomy, JSON.stringify(run.labels));
    return this.getRun(id) as RunRecord;
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.database.prepare(`${RUN_SELECT} WHERE runs.id = ?`).get(id) as RunRow | undefined;
    return row && toRecord(row);
  }

  /** The newest unfinished run with this fingerprint: what "run the same command again" resumes. */
  findUnfinishedRun(fingerprint: string): RunRecord | undefined {
    const row = this.database
      .prepare(`${RUN_SELECT} WHERE runs.fingerprint = ? AND runs.status != 'done' ORDER BY runs.created_at DESC LIMIT 1`)
      .get(fingerprint) as RunRow | undefined;
    return row && toRecord(row);
  }

  /** Runs, newest first. */
  listRuns(limit = 50): RunRecord[] {
    return (this.database.prepare(`${RUN_SELECT} ORDER BY runs.created_at DESC LIMIT ?`).all(limit) as RunRow[]).map(toRecord);
  }

  /** The newest run, for commands whose RUN argument is optional. */
  latestRun(): RunRecord | undefined {
    return this.listRuns(1)[0];
  }

  setStatus(id: string, status: RunStatus, note?: string): void {
    this.database.prepare('UPDATE runs SET status = ?, note = ?, updated_at = ? WHERE id = ?').run(status, note ?? null, now(), id);
  }

  /** Records the run's items once (a resumed run keeps its list); returns the ids of items already done. */
  registerItems(runId: string, items: readonly MediaItem[]): Set<string> {
    const insert = this.database.prepare(
      'INSERT OR IGNORE INTO items (run_id, item_index, item_id, path, kind, truth) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.database.transaction(() => {
      items.forEach((item, index) => insert.run(runId, index, item.id, item.path, item.kind, item.label ?? null));
      this.database.prepare('UPDATE runs SET total = ?, updated_at = ? WHERE id = ?').run(items.length, now(), runId);
    })();
    const done = this.database.prepare('SELECT item_id FROM items WHERE run_id = ? AND done_at IS NOT NULL').all(runId) as Array<{ item_id: string }>;
    return new Set(done.map((row) => row.item_id));
  }

  /** Stores an item's results and marks it done, in one transaction. */
  saveItemResults(runId: string, itemId: string, results: readonly ClipResult[]): void {
    const insert = this.database.prepare(`INSERT OR REPLACE INTO results
      (run_id, item_index, face_index, item_id, status, label, confidence, input_tokens, output_tokens, cost_usd, result, created_at)
      VALUES (?, (SELECT item_index FROM items WHERE run_id = ? AND item_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const stamp = now();
    this.database.transaction(() => {
      for (const result of results) {
        insert.run(runId, runId, itemId, result.faceIndex, itemId, result.status, result.label ?? null, result.confidence ?? null,
          result.usage.inputTokens, result.usage.outputTokens, result.costUsd, JSON.stringify(result), stamp);
      }
      this.database.prepare('UPDATE items SET done_at = ? WHERE run_id = ? AND item_id = ?').run(stamp, runId, itemId);
      this.database.prepare('UPDATE runs SET updated_at = ? WHERE id = ?').run(stamp, runId);
    })();
  }

  /** A run's results in item order (then face order). */
  getResults(runId: string): ClipResult[] {
    const rows = this.database.prepare('SELECT result FROM results WHERE run_id = ? ORDER BY item_index, face_index').all(runId) as Array<{ result: string }>;
    return rows.map((row) => JSON.parse(row.result) as ClipResult);
  }

  close(): void {
    this.database.close();
  }
}
