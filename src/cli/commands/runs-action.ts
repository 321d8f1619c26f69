import { resolve } from 'node:path';
import type { CliIo } from '../cli-io.js';
import { counted } from '../plural.js';
import { EmolabelError } from '../../errors.js';
import { LEASE_STALE_MS } from '../../runs/run-lease.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import { findRun } from '../../store/find-run.js';
import { deleteRun, nameRun } from '../../store/run-admin.js';
import { type RunRecord, RunStore } from '../../store/run-store.js';

// What `emolabel runs` and its subcommands do; loaded only when one runs, so help stays light.

/** `clips/a.mp4, clips/b.mp4 +3`: a run's inputs (or manifest) in one short cell. */
export function describeInputs(run: Pick<RunRecord, 'inputs' | 'options'>, width = 40): string {
  const manifest = typeof run.options.manifest === 'string' ? [`manifest ${run.options.manifest}`] : [];
  const all = [...manifest, ...run.inputs];
  if (all.length === 0) return '-';
  const first = all[0] ?? '';
  const rest = all.length > 1 ? ` +${all.length - 1}` : '';
  const room = Math.max(8, width - rest.length);
  return `${first.length > room ? `…${first.slice(first.length - room + 1)}` : first}${rest}`;
}

function withStore<T>(io: CliIo, db: string, use: (store: RunStore) => T): T {
  const store = RunStore.open(resolve(io.cwd, db));
  try {
    return use(store);
  } finally {
    store.close();
  }
}

export function listRuns(io: CliIo, flags: { db: string; limit: number; json?: boolean }): void {
  withStore(io, flags.db, (store) => {
    const runs = store.listRuns(flags.limit);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(runs.map(({ options: _options, ...run }) => run), null, 2)}\n`);
      return;
    }
    if (runs.length === 0) {
      io.stdout.write('No runs yet: run `emolabel annotate <inputs>` first.\n');
      return;
    }
    const rows = runs.map((run) => [run.id, run.name ?? '', run.createdAt.slice(0, 16).replace('T', ' '), run.model, run.strategy, run.taxonomy,
      `${run.done}/${run.total}`, run.failed.toString(), `$${run.costUsd.toFixed(4)}${run.unpriced > 0 ? ` + ${run.unpriced} unpriced` : ''}`, run.status, describeInputs(run)]);
    const header = ['run', 'name', 'started (UTC)', 'model', 'strategy', 'taxonomy', 'done', 'failed', 'cost', 'status', 'inputs'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
    for (const row of [header, ...rows]) io.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  });
}

export function showRun(io: CliIo, runId: string, flags: { db?: string; json?: boolean }): void {
  const db = flags.db ?? DEFAULT_DB_PATH;
  withStore(io, db, (store) => {
      const run = findRun(store, runId);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
        return;
      }
      const lines = [
        ['run', run.id], ['name', run.name ?? '-'], ['started (UTC)', run.createdAt.replace('T', ' ').slice(0, 19)], ['updated (UTC)', run.updatedAt.replace('T', ' ').slice(0, 19)],
        ['status', `${run.status}${run.note ? ` (${run.note})` : ''}`], ['model', run.model], ['strategy', run.strategy], ['taxonomy', `${run.taxonomy} (${run.labels.join(', ')})`],
        ['items', `${run.done}/${run.total} done, ${run.failed} failed`], ['cost', `$${run.costUsd.toFixed(4)}${run.unpriced > 0 ? ` + ${run.unpriced} unpriced` : ''}`],
        ...(typeof run.options.manifest === 'string' ? [['manifest', run.options.manifest]] : []),
        ['inputs', run.inputs.length === 0 ? '-' : run.inputs.join('\n                ')],
        ['options', Object.entries(run.options).filter(([key]) => key !== 'manifest').map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ') || '-'],
      ];
      for (const [title, value] of lines) io.stdout.write(`${(title ?? '').padEnd(14)}  ${value}\n`);
  });
}

/** `emolabel runs name <run> [name] [--clear]`. */
export function nameRunCommand(io: CliIo, db: string, runId: string, name: string | undefined, flags: { clear?: boolean }): void {
  withStore(io, db, (store) => {
    const run = findRun(store, runId);
    if (name === undefined && !flags.clear) {
      io.stdout.write(`${run.id}: ${run.name ?? '(no name)'}\n`);
      return;
    }
    const named = nameRun(store, run.id, flags.clear ? undefined : name);
    io.stderr.write(named.name ? `run ${named.id} is now named ${named.name}\n` : `run ${named.id} has no name now\n`);
  });
}

/** `emolabel runs delete <runs...> [--yes]`. */
export function deleteRunsCommand(io: CliIo, db: string, runIds: string[], flags: { yes?: boolean }): void {
  withStore(io, db, (store) => {
    const found = runIds.map((runId) => ({ given: runId, run: findRun(store, runId) }));
    const partial = found.filter(({ given, run }) => given !== run.id && given !== run.name);
    if (partial.length > 0 && !flags.yes) {
      const listed = partial.map(({ given, run }) => `  ${given} → ${run.id}${run.name ? ` (${run.name})` : ''}, ${run.model}, ${run.done}/${counted(run.total, 'item')}`).join('\n');
      throw new EmolabelError('invalid_option', `Nothing deleted: ${partial.length === 1 ? 'this run was' : 'these runs were'} given by a prefix:\n${listed}\nRun again with full ids or names, or with --yes.`);
    }
    for (const { run } of found) {
      const deleted = deleteRun(store, run.id, (heartbeatAt) => Date.now() - Date.parse(heartbeatAt) <= LEASE_STALE_MS);
      io.stderr.write(`deleted run ${run.id}${run.name ? ` (${run.name})` : ''}: ${counted(deleted.items, 'item')}, ${counted(deleted.results, 'result')}, ${counted(deleted.requests, 'request')}, ${counted(deleted.reviews, 'review')}\n`);
    }
  });
}
