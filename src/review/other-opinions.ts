import type Database from 'better-sqlite3';
import type { OtherOpinion } from './review-priority.js';
import type { RunRecord } from '../store/run-store.js';

/** Where an opinion applies: the media's absolute path and the face number. */
export function opinionKey(path: string, faceIndex: number): string {
  return `${path}#${faceIndex}`;
}

interface OpinionRow { path: string; face_index: number; model: string; label: string; confidence: number | null; run_id: string }

/**
 * Labels other annotators gave the same media: results of other runs in the store, with another
 * model and the same taxonomy, on the paths of `run` (e.g. an LLM run and a local-model run over
 * the same clips). The newest run per model counts. Keyed by {@link opinionKey}.
 */
export function collectOtherOpinions(database: Database.Database, run: Pick<RunRecord, 'id' | 'model' | 'taxonomy'>): Map<string, OtherOpinion[]> {
  const rows = database
    .prepare(`SELECT items.path, results.face_index, runs.model, results.label, results.confidence, results.run_id
      FROM results
      JOIN items ON items.run_id = results.run_id AND items.item_index = results.item_index
      JOIN runs ON runs.id = results.run_id
      WHERE results.run_id != ? AND runs.model != ? AND runs.taxonomy = ? AND results.label IS NOT NULL
        AND items.path IN (SELECT path FROM items WHERE run_id = ?)
      ORDER BY runs.created_at DESC`)
    .all(run.id, run.model, run.taxonomy, run.id) as OpinionRow[];
  const opinions = new Map<string, OtherOpinion[]>();
  for (const row of rows) {
    const key = opinionKey(row.path, row.face_index);
    const list = opinions.get(key) ?? [];
    if (list.some((opinion) => opinion.model === row.model)) continue;
    list.push({ model: row.model, label: row.label, runId: row.run_id, ...(row.confidence === null ? {} : { confidence: row.confidence }) });
    opinions.set(key, list);
  }
  return opinions;
}
