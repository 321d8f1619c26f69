import type Database from 'better-sqlite3';
import type { Annotation } from '../annotators/annotator.js';

/** What was sent, without the image bytes: hashes and sizes identify the images. */
export interface RequestSummary {
  readonly model: string;
  readonly images: ReadonlyArray<{ sha256: string; width: number; height: number }>;
  readonly taxonomy: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface LoggedRequest {
  readonly runId: string;
  readonly itemId?: string;
  readonly cacheKey: string;
  readonly request: RequestSummary;
  readonly annotation: Annotation;
  readonly fromCache: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
}

/**
 * The response cache and the request log, written together: a response counts as done only once
 * this transaction commits, so a crash never leaves a paid answer unrecorded and unreused.
 */
export class ResponseStore {
  private readonly lookup: Database.Statement;
  private readonly remember: Database.Statement;
  private readonly log: Database.Statement;

  constructor(private readonly database: Database.Database) {
    this.lookup = database.prepare('SELECT annotation FROM response_cache WHERE cache_key = ?');
    this.remember = database.prepare('INSERT OR REPLACE INTO response_cache (cache_key, model, annotation, created_at) VALUES (?, ?, ?, ?)');
    this.log = database.prepare(`INSERT INTO requests
      (run_id, item_id, cache_key, model, from_cache, status, request, response, error, input_tokens, output_tokens, cost_usd, started_at, duration_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** A cached annotation for this key, if a successful or refused answer was stored before. */
  cached(cacheKey: string): Annotation | undefined {
    const row = this.lookup.get(cacheKey) as { annotation: string } | undefined;
    return row && (JSON.parse(row.annotation) as Annotation);
  }

  /** Logs a request; caches its answer when it is one worth reusing (ok or refused, not an error). */
  record(entry: LoggedRequest): void {
    const { annotation } = entry;
    this.database.transaction(() => {
      if (!entry.fromCache && annotation.status !== 'error') {
        this.remember.run(entry.cacheKey, entry.request.model, JSON.stringify(annotation), new Date().toISOString());
      }
      this.log.run(entry.runId, entry.itemId ?? null, entry.cacheKey, entry.request.model, entry.fromCache ? 1 : 0, annotation.status,
        JSON.stringify(entry.request), annotation.rawText ?? (annotation.label === undefined ? null : JSON.stringify({ label: annotation.label, confidence: annotation.confidence })),
        annotation.error ?? null, entry.fromCache ? 0 : (annotation.usage?.inputTokens ?? 0), entry.fromCache ? 0 : (annotation.usage?.outputTokens ?? 0),
        entry.fromCache ? 0 : (annotation.costUsd ?? 0), entry.startedAt, entry.durationMs);
    })();
  }

  /** Requests made for a run: how many went to the provider and how many the cache answered. */
  countRequests(runId: string): { sent: number; cached: number } {
    const row = this.database
      .prepare('SELECT SUM(from_cache = 0) AS sent, SUM(from_cache = 1) AS cached FROM requests WHERE run_id = ?')
      .get(runId) as { sent: number | null; cached: number | null };
    return { sent: row.sent ?? 0, cached: row.cached ?? 0 };
  }
}
