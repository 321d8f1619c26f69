import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { BatchLineResult, BatchStatus } from '../annotators/batch-api.js';
import { CODEC_VERSION, decodeBlob, defineBlobCodec, encodeBlob } from './blob-codec.js';

/**
 * A request's life in batch mode: `pending` (recorded, not yet in a batch), `submitting` (in a batch
 * whose create call may have been sent), `submitted`, then its result: `succeeded`, `errored`,
 * `expired` or `canceled` (a line the batch ended without: cancelled, or lost).
 */
export type BatchRequestState = 'pending' | 'submitting' | 'submitted' | BatchLineResult['kind'];

/** A batch's life in the store: `creating` (an intent: the create call may have been sent), `submitted`, `collected`, `failed`, `abandoned`. */
export type StoredBatchState = 'creating' | 'submitted' | 'collected' | 'failed';

/** A request recorded for a batch, without its body. */
export interface StoredBatchRequest {
  readonly customId: string;
  readonly state: BatchRequestState;
  readonly batchName?: string;
  readonly bytes: number;
  readonly estimatedCostUsd: number;
  /** Batches it was submitted in so far. */
  readonly attempts: number;
  readonly result?: BatchLineResult;
}

/** A batch as the store keeps it. */
export interface StoredBatch {
  /** emolabel's name for it (`emolabel-<run>-<n>`): the provider's metadata or display name. */
  readonly name: string;
  readonly runId: string;
  readonly api: string;
  readonly model: string;
  readonly providerId?: string;
  readonly state: StoredBatchState;
  readonly providerState?: string;
  readonly requestCount: number;
  readonly succeeded: number;
  readonly errored: number;
  readonly estimatedCostUsd: number;
  readonly message?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const lineResult = z.union([
  z.looseObject({ customId: z.string(), kind: z.literal('succeeded'), body: z.unknown() }),
  z.looseObject({ customId: z.string(), kind: z.literal('errored'), status: z.number().optional(), message: z.string(), param: z.string().optional() }),
  z.looseObject({ customId: z.string(), kind: z.enum(['expired', 'canceled']), message: z.string().optional() }),
]) as unknown as z.ZodType<BatchLineResult>;
/** `batch_requests.result`: the line's result as the provider gave it. */
const BATCH_RESULT = defineBlobCodec<BatchLineResult>('the result of a batch request', { 1: lineResult, 2: lineResult, 3: lineResult });
/** `batch_requests.body`: the provider request, kept until it is submitted. */
const BATCH_BODY = defineBlobCodec<Record<string, unknown>>('the body of a batch request', { 1: z.record(z.string(), z.unknown()), 2: z.record(z.string(), z.unknown()), 3: z.record(z.string(), z.unknown()) });

interface RequestRow {
  custom_id: string; state: BatchRequestState; batch_name: string | null; bytes: number; estimated_cost_usd: number; attempts: number; result: string | null; codec: number; run_id: string;
}
interface BatchRow {
  name: string; run_id: string; api: string; model: string; provider_id: string | null; state: StoredBatchState; provider_state: string | null;
  request_count: number; succeeded: number; errored: number; estimated_cost_usd: number; message: string | null; created_at: string; updated_at: string;
}

const now = () => new Date().toISOString();

function batchOf(row: BatchRow): StoredBatch {
  return {
    name: row.name, runId: row.run_id, api: row.api, model: row.model, state: row.state, requestCount: row.request_count, succeeded: row.succeeded,
    errored: row.errored, estimatedCostUsd: row.estimated_cost_usd, createdAt: row.created_at, updatedAt: row.updated_at,
    ...(row.provider_id === null ? {} : { providerId: row.provider_id }), ...(row.provider_state === null ? {} : { providerState: row.provider_state }),
    ...(row.message === null ? {} : { message: row.message }),
  };
}

/** The batches of runs and their requests (schema 4): what is recorded before each step, so a crash loses nothing and repeats nothing. */
export class BatchStore {
  constructor(readonly database: Database.Database) {}

  private requestOf(row: RequestRow): StoredBatchRequest {
    const source = { file: this.database.name, table: 'batch_requests', column: 'result', row: `run ${row.run_id}, request ${row.custom_id}` };
    return {
      customId: row.custom_id, state: row.state, bytes: row.bytes, estimatedCostUsd: row.estimated_cost_usd, attempts: row.attempts,
      ...(row.batch_name === null ? {} : { batchName: row.batch_name }),
      ...(row.result === null ? {} : { result: decodeBlob(BATCH_RESULT, row.result, row.codec, source) }),
    };
  }

  getRequest(runId: string, customId: string): StoredBatchRequest | undefined {
    const row = this.database.prepare('SELECT * FROM batch_requests WHERE run_id = ? AND custom_id = ?').get(runId, customId) as RequestRow | undefined;
    return row && this.requestOf(row);
  }

  /** Records (or records again, for a retry) a request for the next batch, with its body. */
  putPending(runId: string, customId: string, body: Readonly<Record<string, unknown>>, estimatedCostUsd: number): void {
    const text = encodeBlob(body);
    this.database.prepare(`INSERT INTO batch_requests (run_id, custom_id, state, body, bytes, estimated_cost_usd, updated_at, codec) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, custom_id) DO UPDATE SET state = 'pending', batch_name = NULL, body = excluded.body, bytes = excluded.bytes,
      estimated_cost_usd = excluded.estimated_cost_usd, result = NULL, updated_at = excluded.updated_at, codec = excluded.codec`)
      .run(runId, customId, text, Buffer.byteLength(text), estimatedCostUsd, now(), CODEC_VERSION);
  }

  /** The run's requests waiting for a batch, oldest first (no bodies). */
  pendingRequests(runId: string): StoredBatchRequest[] {
    const rows = this.database.prepare("SELECT * FROM batch_requests WHERE run_id = ? AND state = 'pending' ORDER BY rowid").all(runId) as RequestRow[];
    return rows.map((row) => this.requestOf(row));
  }

  /** The bodies of a batch's requests, in the order they were assigned. */
  bodiesOf(runId: string, batchName: string): Array<{ customId: string; body: Record<string, unknown> }> {
    const rows = this.database.prepare('SELECT custom_id, body, codec FROM batch_requests WHERE run_id = ? AND batch_name = ? ORDER BY rowid').all(runId, batchName) as Array<{ custom_id: string; body: string | null; codec: number }>;
    return rows.map((row) => ({
      customId: row.custom_id,
      body: decodeBlob(BATCH_BODY, row.body ?? 'null', row.codec, { file: this.database.name, table: 'batch_requests', column: 'body', row: `run ${runId}, request ${row.custom_id}` }),
    }));
  }

  /** The bodies of the run's requests waiting for a batch, oldest first (`export --batch-jsonl`). */
  pendingLines(runId: string): Array<{ customId: string; body: Record<string, unknown> }> {
    const rows = this.database.prepare("SELECT custom_id, body, codec FROM batch_requests WHERE run_id = ? AND state = 'pending' ORDER BY rowid").all(runId) as Array<{ custom_id: string; body: string | null; codec: number }>;
    return rows.map((row) => ({
      customId: row.custom_id,
      body: decodeBlob(BATCH_BODY, row.body ?? 'null', row.codec, { file: this.database.name, table: 'batch_requests', column: 'body', row: `run ${runId}, request ${row.custom_id}` }),
    }));
  }

  /**
   * Results run elsewhere (`import-batch`), kept for the requests that wait for them, in one
   * transaction; returns the runs they belong to and the results no waiting request has.
   */
  importResults(results: readonly BatchLineResult[]): { runs: Map<string, number>; unknown: number } {
    return this.database.transaction(() => {
      const runs = new Map<string, number>();
      let unknown = 0;
      const find = this.database.prepare("SELECT run_id FROM batch_requests WHERE custom_id = ? AND state IN ('pending', 'submitting', 'submitted')");
      const save = this.database.prepare("UPDATE batch_requests SET state = ?, result = ?, body = NULL, updated_at = ?, codec = ? WHERE custom_id = ? AND state IN ('pending', 'submitting', 'submitted')");
      for (const result of results) {
        const owners = find.all(result.customId) as Array<{ run_id: string }>;
        if (owners.length === 0) {
          unknown += 1;
          continue;
        }
        save.run(result.kind, encodeBlob(result), now(), CODEC_VERSION, result.customId);
        for (const { run_id: runId } of owners) runs.set(runId, (runs.get(runId) ?? 0) + 1);
      }
      return { runs, unknown };
    })();
  }

  /** Records a batch about to be created (an intent) and assigns it its requests, in one transaction. */
  recordIntent(batch: Pick<StoredBatch, 'name' | 'runId' | 'api' | 'model' | 'estimatedCostUsd'>, customIds: readonly string[]): void {
    this.database.transaction(() => {
      const at = now();
      this.database.prepare(`INSERT INTO batches (name, run_id, api, model, state, request_count, estimated_cost_usd, created_at, updated_at) VALUES (?, ?, ?, ?, 'creating', ?, ?, ?, ?)`)
        .run(batch.name, batch.runId, batch.api, batch.model, customIds.length, batch.estimatedCostUsd, at, at);
      const assign = this.database.prepare("UPDATE batch_requests SET state = 'submitting', batch_name = ?, attempts = attempts + 1, updated_at = ? WHERE run_id = ? AND custom_id = ?");
      for (const customId of customIds) assign.run(batch.name, at, batch.runId, customId);
    })();
  }

  /** The provider has the batch: its id and state are kept, and the bodies (the provider has them now) dropped. */
  markSubmitted(name: string, status: BatchStatus): void {
    this.database.transaction(() => {
      this.updateStatus(name, status, 'submitted');
      this.database.prepare("UPDATE batch_requests SET state = 'submitted', body = NULL, updated_at = ? WHERE batch_name = ?").run(now(), name);
    })();
  }

  /** An intent the provider never got: its requests wait for the next batch again. */
  abandonIntent(name: string): void {
    this.database.transaction(() => {
      this.database.prepare("UPDATE batch_requests SET state = 'pending', batch_name = NULL, attempts = MAX(attempts - 1, 0), updated_at = ? WHERE batch_name = ?").run(now(), name);
      this.database.prepare('DELETE FROM batches WHERE name = ?').run(name);
    })();
  }

  updateStatus(name: string, status: BatchStatus, state?: StoredBatchState): void {
    this.database.prepare(`UPDATE batches SET provider_id = ?, provider_state = ?, succeeded = ?, errored = ?, message = ?, state = COALESCE(?, state), updated_at = ? WHERE name = ?`)
      .run(status.id, status.providerState, status.counts.succeeded, status.counts.errored, status.message ?? null, state ?? null, now(), name);
  }

  /**
   * Keeps every result of an ended batch, in one transaction; its requests with no result line are
   * `canceled` (the batch ended without them). A batch that failed as a whole marks them all `errored`.
   */
  saveResults(name: string, results: readonly BatchLineResult[], failure?: string): void {
    this.database.transaction(() => {
      const at = now();
      const save = this.database.prepare('UPDATE batch_requests SET state = ?, result = ?, body = NULL, updated_at = ?, codec = ? WHERE batch_name = ? AND custom_id = ?');
      for (const result of results) save.run(result.kind, encodeBlob(result), at, CODEC_VERSION, name, result.customId);
      const missing = this.database.prepare("SELECT custom_id FROM batch_requests WHERE batch_name = ? AND state IN ('submitting', 'submitted')").all(name) as Array<{ custom_id: string }>;
      for (const { custom_id: customId } of missing) {
        const result: BatchLineResult = failure === undefined
          ? { customId, kind: 'canceled', message: 'the batch ended without an answer to this request' }
          : { customId, kind: 'errored', message: `the batch failed: ${failure}` };
        save.run(result.kind, encodeBlob(result), at, CODEC_VERSION, name, customId);
      }
      this.database.prepare('UPDATE batches SET state = ?, updated_at = ? WHERE name = ?').run(failure === undefined ? 'collected' : 'failed', at, name);
    })();
  }

  /** Batches of the run not yet collected (intents included). */
  openBatches(runId: string): StoredBatch[] {
    return (this.database.prepare("SELECT * FROM batches WHERE run_id = ? AND state IN ('creating', 'submitted') ORDER BY created_at, name").all(runId) as BatchRow[]).map(batchOf);
  }

  /** How many batches the run has had (their names count on from it). */
  batchCount(runId: string): number {
    return (this.database.prepare('SELECT COUNT(*) AS n FROM batches WHERE run_id = ?').get(runId) as { n: number }).n;
  }

  /** Dollars (estimated, at the batch rate) of the run's requests in batches not yet answered: committed, not yet in the request log. */
  committedUsd(runId: string): number {
    const row = this.database.prepare("SELECT COALESCE(SUM(estimated_cost_usd), 0) AS usd FROM batch_requests WHERE run_id = ? AND state IN ('submitting', 'submitted')").get(runId) as { usd: number };
    return row.usd;
  }

  /** The provider ids of every batch of this batch API the store knows. */
  knownProviderIds(api: string): string[] {
    return (this.database.prepare('SELECT provider_id FROM batches WHERE api = ? AND provider_id IS NOT NULL').all(api) as Array<{ provider_id: string }>).map((row) => row.provider_id);
  }

  /** Every batch, newest first. */
  listBatches(limit = 50): StoredBatch[] {
    return (this.database.prepare('SELECT * FROM batches ORDER BY created_at DESC, name DESC LIMIT ?').all(limit) as BatchRow[]).map(batchOf);
  }

  /** The batch with this name or provider id. */
  findBatch(id: string): StoredBatch | undefined {
    const row = this.database.prepare('SELECT * FROM batches WHERE name = ? OR provider_id = ?').get(id, id) as BatchRow | undefined;
    return row && batchOf(row);
  }
}
