import type Database from 'better-sqlite3';
import type { Annotation, JsonValue } from '../annotators/annotator.js';
import { CODEC_VERSION, decodeBlob, encodeBlob } from './blob-codec.js';
import { CACHED_ANNOTATION, RAW_RESPONSE, REQUEST_SUMMARY } from './codecs.js';
import type { RequestSummary } from './request-summary.js';
import { storeFailureOf } from './store-error.js';

export type { JsonValue } from '../annotators/annotator.js';
export type { RequestSummary } from './request-summary.js';

/** A count or cost the store can hold: a negative or non-numeric one is stored as 0, never a failed insert. */
export function storableNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** A request to log with {@link ResponseStore.record}, and its answer. */
export interface LoggedRequest {
  readonly runId: string;
  readonly itemId?: string;
  readonly cacheKey: string;
  readonly request: RequestSummary;
  readonly annotation: Annotation;
  /**
   * The provider's raw reply (its JSON body), kept in the cache beside the annotation so that a
   * later parser can read it again. Left out: only the annotation is kept.
   */
  readonly response?: JsonValue;
  /** Tokens the model spent reasoning, counted apart from its output tokens. @default 0 */
  readonly reasoningTokens?: number;
  /** Whether the answer may answer identical requests later. @default status is not `error` */
  readonly cacheable?: boolean;
  readonly fromCache: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
}

/** A cached answer: the annotation, and the provider's raw reply when it was recorded. */
export interface CachedResponse {
  readonly annotation: Annotation;
  readonly response?: JsonValue;
}

/** A logged request as {@link ResponseStore.listRequests} reads it back. */
export interface StoredRequest {
  readonly id: number;
  readonly runId: string;
  readonly itemId?: string;
  readonly cacheKey: string;
  readonly model: string;
  readonly fromCache: boolean;
  readonly status: Annotation['status'];
  readonly request: RequestSummary;
  /** The model's text (or, when it gave none, its label and confidence as JSON). */
  readonly response?: string;
  readonly error?: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  /** `null` when the request's price is unknown (an unpriced model). */
  readonly costUsd: number | null;
  readonly startedAt: string;
  readonly durationMs: number;
}

interface RequestRow {
  id: number; run_id: string; item_id: string | null; cache_key: string; model: string; from_cache: number; status: Annotation['status'];
  request: string; response: string | null; error: string | null; input_tokens: number; output_tokens: number; reasoning_tokens: number;
  cost_usd: number; cost_known: number; started_at: string; duration_ms: number; codec: number;
}

/** What requests cost: dollars and tokens. */
export interface RequestCost {
  readonly usd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** One item's requests: what they cost and how long they took when they were sent. */
export interface ItemRequestCost extends RequestCost {
  /** Requests logged for the item, sent or answered from the cache. */
  readonly requests: number;
  /** Sum of the requests' durations when sent (a cached answer counts the request that first got it); absent when none is known. */
  readonly durationMs?: number;
}

/**
 * The response cache and the request log, written together: a response counts as done only once
 * this transaction commits, so a crash never leaves a paid answer unrecorded and unreused.
 */
/** A row of the response cache as SQLite returns it. */
interface CachedRow {
  readonly annotation: string;
  readonly response: string | null;
  readonly codec: number;
}

export class ResponseStore {
  private readonly lookup: Database.Statement;
  private readonly remember: Database.Statement;
  private readonly log: Database.Statement;

  constructor(private readonly database: Database.Database) {
    this.lookup = database.prepare('SELECT annotation, response, codec FROM response_cache WHERE cache_key = ?');
    this.remember = database.prepare('INSERT OR REPLACE INTO response_cache (cache_key, model, annotation, response, created_at, codec) VALUES (?, ?, ?, ?, ?, ?)');
    this.log = database.prepare(`INSERT INTO requests
      (run_id, item_id, cache_key, model, from_cache, status, request, response, error, input_tokens, output_tokens, reasoning_tokens, cost_usd, cost_known, started_at, duration_ms, codec)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** A cached annotation for this key, if a successful or refused answer was stored before. */
  cached(cacheKey: string): Annotation | undefined {
    return this.cachedEntry(cacheKey)?.annotation;
  }

  /** Like {@link cached}, with the provider's raw reply when one was recorded with the answer. */
  cachedEntry(cacheKey: string): CachedResponse | undefined {
    let row: CachedRow | undefined;
    try {
      row = this.lookup.get(cacheKey) as CachedRow | undefined;
    } catch (error) {
      throw storeFailureOf(error, this.database.name, 'read');
    }
    if (!row) return undefined;
    const source = (column: string) => ({ file: this.database.name, table: 'response_cache', column, row: `cache key ${cacheKey}` });
    const annotation = decodeBlob(CACHED_ANNOTATION, row.annotation, row.codec, source('annotation'));
    return row.response === null ? { annotation } : { annotation, response: decodeBlob(RAW_RESPONSE, row.response, row.codec, source('response')) };
  }

  /** Logs a request; caches its answer when `cacheable` says so (by default: not an error). */
  record(entry: LoggedRequest): void {
    try {
      this.recordOrThrow(entry);
    } catch (error) {
      // Inside an item a raw SQLite error would fail that item alone and the run would go on paying
      // for answers it cannot keep: as a store failure it stops the run, naming the file.
      throw storeFailureOf(error, this.database.name);
    }
  }

  private recordOrThrow(entry: LoggedRequest): void {
    const { annotation } = entry;
    this.database.transaction(() => {
      if (!entry.fromCache && (entry.cacheable ?? annotation.status !== 'error')) {
        this.remember.run(entry.cacheKey, entry.request.model, encodeBlob(annotation),
          entry.response === undefined ? null : encodeBlob(entry.response), new Date().toISOString(), CODEC_VERSION);
      }
      this.log.run(entry.runId, entry.itemId ?? null, entry.cacheKey, entry.request.model, entry.fromCache ? 1 : 0, annotation.status,
        encodeBlob(entry.request), annotation.rawText ?? (annotation.label === undefined ? null : encodeBlob({ label: annotation.label, confidence: annotation.confidence })),
        annotation.error ?? null, entry.fromCache ? 0 : storableNumber(annotation.usage?.inputTokens), entry.fromCache ? 0 : storableNumber(annotation.usage?.outputTokens),
        entry.fromCache ? 0 : storableNumber(entry.reasoningTokens), entry.fromCache ? 0 : storableNumber(annotation.costUsd),
        entry.fromCache || annotation.costUsd !== undefined ? 1 : 0, entry.startedAt, storableNumber(entry.durationMs), CODEC_VERSION);
    }).immediate();
  }

  /** A run's logged requests, in the order they were logged. */
  listRequests(runId: string): StoredRequest[] {
    const rows = this.database.prepare('SELECT * FROM requests WHERE run_id = ? ORDER BY id').all(runId) as RequestRow[];
    return rows.map((row) => ({
      id: row.id, runId: row.run_id, ...(row.item_id === null ? {} : { itemId: row.item_id }), cacheKey: row.cache_key, model: row.model,
      fromCache: row.from_cache === 1, status: row.status,
      request: decodeBlob(REQUEST_SUMMARY, row.request, row.codec, { file: this.database.name, table: 'requests', column: 'request', row: `request ${row.id} of run ${row.run_id}` }),
      ...(row.response === null ? {} : { response: row.response }), ...(row.error === null ? {} : { error: row.error }),
      inputTokens: row.input_tokens, outputTokens: row.output_tokens, reasoningTokens: row.reasoning_tokens, costUsd: row.cost_known === 0 ? null : row.cost_usd,
      startedAt: row.started_at, durationMs: row.duration_ms,
    }));
  }

  /** Requests made for a run: how many went to the provider and how many the cache answered. */
  countRequests(runId: string): { sent: number; cached: number } {
    const row = this.database
      .prepare('SELECT SUM(from_cache = 0) AS sent, SUM(from_cache = 1) AS cached FROM requests WHERE run_id = ?')
      .get(runId) as { sent: number | null; cached: number | null };
    return { sent: row.sent ?? 0, cached: row.cached ?? 0 };
  }

  /** What a run's sent requests (not the cache's answers) cost, and how many images they carried. */
  paidSoFar(runId: string): { usd: number; images: number } {
    const row = this.database
      .prepare("SELECT SUM(cost_usd) AS usd, SUM(json_array_length(request, '$.images')) AS images FROM requests WHERE run_id = ? AND from_cache = 0")
      .get(runId) as { usd: number | null; images: number | null };
    return { usd: row.usd ?? 0, images: row.images ?? 0 };
  }

  /**
   * A run's requests per item id, valued at what they cost when sent: a request the cache answered
   * counts the cost, tokens and duration of the cached answer (from the request that got it), so a
   * cached rerun does not look cheaper or faster than the run that paid.
   */
  listItemCosts(runId: string): Map<string, ItemRequestCost> {
    const rows = this.database.prepare(ITEM_COSTS_SQL).all(runId, runId) as Array<{
      item_id: string | null; requests: number; usd: number | null; input_tokens: number | null; output_tokens: number | null; duration_ms: number | null; timed: number;
    }>;
    return new Map(rows.map((row) => [row.item_id ?? '', {
      requests: row.requests, usd: row.usd ?? 0, inputTokens: row.input_tokens ?? 0, outputTokens: row.output_tokens ?? 0,
      ...(row.timed > 0 ? { durationMs: row.duration_ms ?? 0 } : {}),
    }]));
  }

  /** The total of {@link listItemCosts}: what the run's answers cost, cached ones at their original price. */
  listCost(runId: string): RequestCost {
    let usd = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    for (const item of this.listItemCosts(runId).values()) {
      usd += item.usd;
      inputTokens += item.inputTokens;
      outputTokens += item.outputTokens;
    }
    return { usd, inputTokens, outputTokens };
  }
}

/** Per item of a run: sent requests at their logged cost and duration, cached ones at the cached answer's cost and the duration of the request that got it. */
const ITEM_COSTS_SQL = `
  WITH sent AS (
    SELECT cache_key, duration_ms FROM requests WHERE id IN (
      SELECT MAX(id) FROM requests
      WHERE from_cache = 0 AND cache_key IN (SELECT cache_key FROM requests WHERE run_id = ? AND from_cache = 1)
      GROUP BY cache_key))
  SELECT r.item_id, COUNT(*) AS requests,
    SUM(CASE WHEN r.from_cache = 1 THEN COALESCE(json_extract(c.annotation, '$.costUsd'), 0) ELSE r.cost_usd END) AS usd,
    SUM(CASE WHEN r.from_cache = 1 THEN COALESCE(json_extract(c.annotation, '$.usage.inputTokens'), 0) ELSE r.input_tokens END) AS input_tokens,
    SUM(CASE WHEN r.from_cache = 1 THEN COALESCE(json_extract(c.annotation, '$.usage.outputTokens'), 0) ELSE r.output_tokens END) AS output_tokens,
    SUM(CASE WHEN r.from_cache = 1 THEN COALESCE(sent.duration_ms, 0) ELSE r.duration_ms END) AS duration_ms,
    SUM(r.from_cache = 0 OR sent.duration_ms IS NOT NULL) AS timed
  FROM requests r
  LEFT JOIN response_cache c ON r.from_cache = 1 AND c.cache_key = r.cache_key
  LEFT JOIN sent ON r.from_cache = 1 AND sent.cache_key = r.cache_key
  WHERE r.run_id = ?
  GROUP BY r.item_id`;
