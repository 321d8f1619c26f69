import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { CODEC_VERSION, decodeBlob, encodeBlob } from './blob-codec.js';
import { CLIP_RESULT, RUN_INPUTS, RUN_LABELS, RUN_OPTIONS } from './codecs.js';
import { openDatabase } from './open-database.js';
import { storableNumber } from './request-log.js';
import type { MediaItem } from '../media/media-item.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { EMOLABEL_VERSION } from '../version.js';

/** A label another run gave the same media, as {@link RunStore.listOtherModelLabels} finds it. */
export interface OtherModelLabel {
  /** The media's absolute path, as the other run stored it. */
  readonly path: string;
  readonly faceIndex: number;
  /** The other run's `provider:model`. */
  readonly model: string;
  readonly label: string;
  readonly confidence?: number;
  readonly runId: string;
}

/** `running` (or crashed while running), `done`, `interrupted` (Ctrl-C), `stopped` (budget or fatal error). */
export type RunStatus = 'running' | 'done' | 'interrupted' | 'stopped';

/** A run as stored: what was asked and how far it got. */
export interface RunRecord {
  readonly id: string;
  /** A name given with `emolabel runs name` (unique in the store), when it has one. */
  readonly name?: string;
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
  /** What the run paid for the requests (or results) whose price is known; see `unpriced`. */
  readonly costUsd: number;
  /** Results whose cost is unknown (a paid request of an unpriced model went into them). */
  readonly unpriced: number;
  readonly failed: number;
  /** Why a run stopped, when it did. */
  readonly note?: string;
  /** The emolabel version that created the run (not part of its fingerprint); absent for runs made before it was recorded. */
  readonly emolabelVersion?: string;
}

/** Who runs a run now: the session holding its lease ({@link RunStore.acquireLease}). */
export interface RunLease {
  /** Unique to the session: only it renews or releases the lease. */
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lease. */
  readonly startedAt: string;
  /** When the holder last said it is alive. */
  readonly heartbeatAt: string;
}

/** A session asking for a run's lease; `now` is for tests. */
export interface LeaseHolder {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  readonly now?: string;
}

interface LeaseRow { token: string; pid: number; host: string; started_at: string; heartbeat_at: string }

interface RunRow {
  id: string; created_at: string; updated_at: string; fingerprint: string; inputs: string; options: string; model: string;
  strategy: string; taxonomy: string; labels: string; status: RunStatus; total: number; note: string | null; codec: number; name?: string | null; emolabel_version: string | null;
  done: number; cost: number | null; failed: number; unpriced: number;
}

interface ResultRow { result: string; codec: number; item_id: string; face_index: number }

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
    (SELECT COUNT(*) FROM results WHERE results.run_id = runs.id AND results.status IN ('error', 'refused')) AS failed,
    (SELECT COUNT(*) FROM results WHERE results.run_id = runs.id AND results.codec >= 3 AND json_type(result, '$.costUsd') = 'null') AS unpriced
  FROM runs`;

function toRecord(file: string, row: RunRow): RunRecord {
  const source = (column: string) => ({ file, table: 'runs', column, row: `run ${row.id}` });
  return {
    id: row.id, ...(row.name ? { name: row.name } : {}), createdAt: row.created_at, updatedAt: row.updated_at, fingerprint: row.fingerprint,
    inputs: decodeBlob(RUN_INPUTS, row.inputs, row.codec, source('inputs')),
    options: decodeBlob(RUN_OPTIONS, row.options, row.codec, source('options')),
    model: row.model, strategy: row.strategy, taxonomy: row.taxonomy, labels: decodeBlob(RUN_LABELS, row.labels, row.codec, source('labels')),
    status: row.status, total: row.total, done: row.done, costUsd: row.cost ?? 0, unpriced: row.unpriced, failed: row.failed,
    ...(row.note ? { note: row.note } : {}),
    ...(row.emolabel_version ? { emolabelVersion: row.emolabel_version } : {}),
  };
}

function toResult(file: string, runId: string, row: ResultRow): ClipResult {
  return decodeBlob(CLIP_RESULT, row.result, row.codec, { file, table: 'results', column: 'result', row: `run ${runId}, item ${row.item_id}, face ${row.face_index}` });
}

/**
 * Runs, their items and their results in the SQLite store. Every write is one immediate transaction:
 * it takes the write lock before reading, so a writer sharing the store (a review server, another
 * session) waits up to the busy timeout instead of failing with "database is locked".
 */
export class RunStore {
  constructor(readonly database: Database.Database) {}

  static open(path?: string): RunStore {
    return new RunStore(openDatabase(path));
  }

  createRun(run: Pick<RunRecord, 'fingerprint' | 'inputs' | 'options' | 'model' | 'strategy' | 'taxonomy' | 'labels'> & { id?: string }): RunRecord {
    const id = run.id ?? newRunId();
    const stamp = now();
    this.database
      .prepare(`INSERT INTO runs (id, created_at, updated_at, fingerprint, inputs, options, model, strategy, taxonomy, labels, status, total, codec, emolabel_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', 0, ?, ?)`)
      .run(id, stamp, stamp, run.fingerprint, encodeBlob(run.inputs), encodeBlob(run.options), run.model, run.strategy, run.taxonomy, encodeBlob(run.labels), CODEC_VERSION, EMOLABEL_VERSION);
    return this.getRun(id) as RunRecord;
  }

  /**
   * The newest unfinished run with this fingerprint, or a new one: one transaction, so two sessions
   * starting the same command at once share one run (whose lease then admits one of them) instead
   * of each creating its own and paying for every item twice.
   */
  findOrCreateRun(run: Parameters<RunStore['createRun']>[0]): { readonly run: RunRecord; readonly created: boolean } {
    return this.database.transaction(() => {
      const unfinished = this.findUnfinishedRun(run.fingerprint);
      return unfinished ? { run: unfinished, created: false } : { run: this.createRun(run), created: true };
    }).immediate();
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.database.prepare(`${RUN_SELECT} WHERE runs.id = ?`).get(id) as RunRow | undefined;
    return row && toRecord(this.database.name, row);
  }

  /** The newest unfinished run with this fingerprint: what "run the same command again" resumes. */
  findUnfinishedRun(fingerprint: string): RunRecord | undefined {
    const row = this.database
      .prepare(`${RUN_SELECT} WHERE runs.fingerprint = ? AND runs.status != 'done' ORDER BY runs.created_at DESC LIMIT 1`)
      .get(fingerprint) as RunRow | undefined;
    return row && toRecord(this.database.name, row);
  }

  /** Runs, newest first. */
  listRuns(limit = 50): RunRecord[] {
    return (this.database.prepare(`${RUN_SELECT} ORDER BY runs.created_at DESC LIMIT ?`).all(limit) as RunRow[]).map((row) => toRecord(this.database.name, row));
  }

  /** The newest run, for commands whose RUN argument is optional. */
  latestRun(): RunRecord | undefined {
    return this.listRuns(1)[0];
  }

  /**
   * The newest finished run with this fingerprint (the latest inserted, among runs created in the
   * same millisecond): what a bench cell reuses instead of running again.
   */
  latestFinishedRun(fingerprint: string): RunRecord | undefined {
    const row = this.database
      .prepare(`${RUN_SELECT} WHERE runs.fingerprint = ? AND runs.status = 'done' ORDER BY runs.created_at DESC, runs.rowid DESC LIMIT 1`)
      .get(fingerprint) as RunRow | undefined;
    return row && toRecord(this.database.name, row);
  }

  setStatus(id: string, status: RunStatus, note?: string): void {
    this.database.prepare('UPDATE runs SET status = ?, note = ?, updated_at = ? WHERE id = ?').run(status, note ?? null, now(), id);
  }

  /** Records the taxonomy's labels, in order, once the run knows them (a run is created before its taxonomy loads). */
  setLabels(id: string, labels: readonly string[]): void {
    this.database.prepare('UPDATE runs SET labels = ? WHERE id = ?').run(encodeBlob(labels), id);
  }

  /**
   * Records the run's items, matched by id: items the run already has keep their place (and their
   * results), items new since an earlier session (a file added to an input folder) are added after
   * them. Returns the ids of items already done.
   */
  registerItems(runId: string, items: readonly MediaItem[]): Set<string> {
    const insert = this.database.prepare(
      'INSERT INTO items (run_id, item_index, item_id, path, kind, truth) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.database.transaction(() => {
      const known = this.database.prepare('SELECT item_id, item_index FROM items WHERE run_id = ?').all(runId) as Array<{ item_id: string; item_index: number }>;
      const knownIds = new Set(known.map((row) => row.item_id));
      let next = known.reduce((highest, row) => Math.max(highest, row.item_index), -1) + 1;
      for (const item of items) {
        if (knownIds.has(item.id)) continue;
        knownIds.add(item.id);
        insert.run(runId, next, item.id, item.path, item.kind, item.label ?? null);
        next += 1;
      }
      this.database.prepare('UPDATE runs SET total = ?, updated_at = ? WHERE id = ?').run(knownIds.size, now(), runId);
    }).immediate();
    const done = this.database.prepare('SELECT item_id FROM items WHERE run_id = ? AND done_at IS NOT NULL').all(runId) as Array<{ item_id: string }>;
    return new Set(done.map((row) => row.item_id));
  }

  /** Stores an item's results and marks it done, in one transaction. */
  saveItemResults(runId: string, itemId: string, results: readonly ClipResult[]): void {
    const insert = this.database.prepare(`INSERT OR REPLACE INTO results
      (run_id, item_index, face_index, item_id, status, label, confidence, input_tokens, output_tokens, cost_usd, result, created_at, codec)
      VALUES (?, (SELECT item_index FROM items WHERE run_id = ? AND item_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const stamp = now();
    this.database.transaction(() => {
      for (const result of results) {
        insert.run(runId, runId, itemId, result.faceIndex, itemId, result.status, result.label ?? null, result.confidence ?? null,
          storableNumber(result.usage.inputTokens), storableNumber(result.usage.outputTokens), storableNumber(result.costUsd), encodeBlob(result), stamp, CODEC_VERSION);
      }
      this.database.prepare('UPDATE items SET done_at = ? WHERE run_id = ? AND item_id = ?').run(stamp, runId, itemId);
      this.database.prepare('UPDATE runs SET updated_at = ? WHERE id = ?').run(stamp, runId);
    }).immediate();
  }

  /** A run's results in item order (then face order). */
  getResults(runId: string): ClipResult[] {
    const rows = this.database
      .prepare('SELECT result, codec, item_id, face_index FROM results WHERE run_id = ? ORDER BY item_index, face_index')
      .all(runId) as ResultRow[];
    return rows.map((row) => toResult(this.database.name, runId, row));
  }

  /** The prompt version of the run's first result that records one (what a resume pins), read from the stored JSON. */
  firstPromptVersion(runId: string): string | undefined {
    const row = this.database
      .prepare("SELECT json_extract(result, '$.promptVersion') AS version FROM results WHERE run_id = ? AND json_extract(result, '$.promptVersion') IS NOT NULL ORDER BY item_index, face_index LIMIT 1")
      .get(runId) as { version: unknown } | undefined;
    return typeof row?.version === 'string' ? row.version : undefined;
  }

  /** One result of a run, or `undefined` when the run has no such item and face. */
  getResult(runId: string, itemId: string, faceIndex: number): ClipResult | undefined {
    const row = this.database
      .prepare('SELECT result, codec, item_id, face_index FROM results WHERE run_id = ? AND item_id = ? AND face_index = ?')
      .get(runId, itemId, faceIndex) as ResultRow | undefined;
    return row && toResult(this.database.name, runId, row);
  }

  /**
   * Labels that runs of other models, with the same taxonomy, gave the media of `run` (matched by
   * path and face), newest run first. Failed results, which carry no label, are left out.
   */
  listOtherModelLabels(run: Pick<RunRecord, 'id' | 'model' | 'taxonomy'>): OtherModelLabel[] {
    const rows = this.database
      .prepare(`SELECT items.path, results.face_index, runs.model, results.label, results.confidence, results.run_id
        FROM results
        JOIN items ON items.run_id = results.run_id AND items.item_index = results.item_index
        JOIN runs ON runs.id = results.run_id
        WHERE results.run_id != ? AND runs.model != ? AND runs.taxonomy = ? AND results.label IS NOT NULL
          AND items.path IN (SELECT path FROM items WHERE run_id = ?)
        ORDER BY runs.created_at DESC`)
      .all(run.id, run.model, run.taxonomy, run.id) as Array<{ path: string; face_index: number; model: string; label: string; confidence: number | null; run_id: string }>;
    return rows.map((row) => ({
      path: row.path, faceIndex: row.face_index, model: row.model, label: row.label, runId: row.run_id,
      ...(row.confidence === null ? {} : { confidence: row.confidence }),
    }));
  }

  /** The lease of a run, when a session holds it. */
  getLease(runId: string): RunLease | undefined {
    const row = this.database.prepare('SELECT token, pid, host, started_at, heartbeat_at FROM run_leases WHERE run_id = ?').get(runId) as LeaseRow | undefined;
    return row && { token: row.token, pid: row.pid, host: row.host, startedAt: row.started_at, heartbeatAt: row.heartbeat_at };
  }

  /**
   * Takes a run's lease for `holder`, in one immediate transaction (two sessions asking at once get
   * one answer each): free, or held by someone `canTakeOver` says is gone, it is taken and
   * `undefined` returned; else the lease that holds it is returned and nothing changes.
   */
  acquireLease(runId: string, holder: LeaseHolder, canTakeOver: (lease: RunLease) => boolean): RunLease | undefined {
    return this.database.transaction((): RunLease | undefined => {
      const held = this.getLease(runId);
      if (held && held.token !== holder.token && !canTakeOver(held)) return held;
      const stamp = holder.now ?? now();
      this.database.prepare('INSERT OR REPLACE INTO run_leases (run_id, token, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(runId, holder.token, holder.pid, holder.host, stamp, stamp);
      return undefined;
    }).immediate();
  }

  /** Renews the heartbeat of a lease `token` holds; false when it no longer holds it (another session took it over). */
  renewLease(runId: string, token: string): boolean {
    return this.database.prepare('UPDATE run_leases SET heartbeat_at = ? WHERE run_id = ? AND token = ?').run(now(), runId, token).changes > 0;
  }

  /** Lets go of a lease `token` holds (another session's lease is left alone). */
  releaseLease(runId: string, token: string): void {
    this.database.prepare('DELETE FROM run_leases WHERE run_id = ? AND token = ?').run(runId, token);
  }

  /**
   * Deletes a run that holds nothing (no items, no logged request): what a run that failed before
   * its first item leaves, so it does not become the newest run that `export` and `review` open.
   * Returns whether it was deleted.
   */
  deleteRunIfEmpty(runId: string): boolean {
    return this.database.transaction(() => {
      const items = (this.database.prepare('SELECT COUNT(*) AS count FROM items WHERE run_id = ?').get(runId) as { count: number }).count;
      const requests = (this.database.prepare('SELECT COUNT(*) AS count FROM requests WHERE run_id = ?').get(runId) as { count: number }).count;
      if (items > 0 || requests > 0) return false;
      this.database.prepare('DELETE FROM run_leases WHERE run_id = ?').run(runId);
      this.database.prepare('DELETE FROM runs WHERE id = ?').run(runId);
      return true;
    }).immediate();
  }

  close(): void {
    this.database.close();
  }
}
