import { EmolabelError } from '../errors.js';
import type { RunRecord, RunStore } from './run-store.js';

/** What {@link deleteRun} removed. */
export interface DeletedRun {
  readonly runId: string;
  readonly items: number;
  readonly results: number;
  readonly requests: number;
  readonly reviews: number;
}

/** Names that could be read as a run id or prefix are refused, so a name never shadows an id. */
const RUN_ID_LIKE = /^r\d/;

/**
 * Gives a run a name (`baseline-gpt4o`), or takes it away with `undefined`. A name is unique in the
 * store, 1-64 characters of letters, digits, `.`, `_` and `-`, and may not look like a run id.
 */
export function nameRun(store: RunStore, runId: string, name: string | undefined): RunRecord {
  if (name !== undefined && (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || RUN_ID_LIKE.test(name))) {
    throw new EmolabelError('invalid_option', `Expected a run name of 1-64 letters, digits, ".", "_" or "-" not starting like a run id (r2026…), got "${name}".`);
  }
  store.database.transaction(() => {
    const holder = name === undefined ? undefined : (store.database.prepare('SELECT id FROM runs WHERE name = ?').get(name) as { id: string } | undefined);
    if (holder && holder.id !== runId) throw new EmolabelError('invalid_option', `The name "${name}" already names run ${holder.id}; choose another, or take it from that run first.`);
    store.database.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name ?? null, runId);
  }).immediate();
  return store.getRun(runId) as RunRecord;
}

/** The run with this name, if any. */
export function runNamed(store: RunStore, name: string): RunRecord | undefined {
  const row = store.database.prepare('SELECT id FROM runs WHERE name = ?').get(name) as { id: string } | undefined;
  return row && store.getRun(row.id);
}

/**
 * Deletes a run and everything it holds: items, results, logged requests, reviews, review history
 * and its lease. The response cache stays (it is shared by runs and keyed by request). Refuses a
 * run a live session holds (`isHeld`), so a running annotate is not pulled from under itself.
 */
export function deleteRun(store: RunStore, runId: string, isHeld: (heartbeatAt: string) => boolean): DeletedRun {
  return store.database.transaction((): DeletedRun => {
    const lease = store.database.prepare('SELECT heartbeat_at FROM run_leases WHERE run_id = ?').get(runId) as { heartbeat_at: string } | undefined;
    if (lease && isHeld(lease.heartbeat_at)) {
      throw new EmolabelError('invalid_option', `Run ${runId} is being run by another session (last heartbeat ${lease.heartbeat_at}); stop it first, then delete it.`);
    }
    const remove = (table: string) => store.database.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId).changes;
    const results = remove('results');
    const items = remove('items');
    const requests = remove('requests');
    const reviews = remove('reviews');
    remove('review_history');
    remove('run_leases');
    store.database.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    return { runId, items, results, requests, reviews };
  }).immediate();
}
