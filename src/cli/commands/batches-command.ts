import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { integerOption } from '../parse-option.js';
import { EmolabelError } from '../../errors.js';
import type { StoredBatch } from '../../store/batch-store.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';

/** `3m`, `5h`, `2d`: how long ago `iso` was. */
function age(iso: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(iso)) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}

/** Columns padded to their widest cell. */
function formatTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  return [header, ...rows].map((row) => `${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`).join('');
}

function rowOf(batch: StoredBatch): string[] {
  return [
    batch.name, batch.providerId ?? '(creating)', batch.runId, batch.model, `${batch.state}${batch.providerState ? ` (${batch.providerState})` : ''}`,
    `${batch.succeeded}/${batch.requestCount}`, String(batch.errored), `$${batch.estimatedCostUsd.toFixed(4)}`, age(batch.createdAt),
  ];
}

export const registerBatchesCommand: RegisterCommand = (program, io) => {
  const command = program
    .command('batches')
    .description('List the provider batches runs submitted (annotate --batch), newest first.')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .option('-n, --limit <n>', 'batches to list', integerOption(1), 50)
    .option('--json', 'print JSON')
    .action(async (flags: { db: string; limit: number; json?: boolean }) => {
      // Loaded only when the command runs, so help stays light.
      const [{ RunStore }, { BatchStore }] = await Promise.all([import('../../store/run-store.js'), import('../../store/batch-store.js')]);
      const store = RunStore.open(resolve(io.cwd, flags.db));
      try {
        const batches = new BatchStore(store.database).listBatches(flags.limit);
        if (flags.json) return void io.stdout.write(`${JSON.stringify(batches, null, 2)}\n`);
        if (batches.length === 0) return void io.stdout.write('No batches yet: run `emolabel annotate <inputs> --model openai:gpt-4o-mini --batch` first.\n');
        io.stdout.write(formatTable(['batch', 'provider id', 'run', 'model', 'state', 'answered', 'failed', 'estimate', 'age'], batches.map(rowOf)));
      } finally {
        store.close();
      }
    });
  command
    .command('cancel')
    .description('Cancel a batch at its provider; its answered requests are kept, the rest are retried by the next annotate of the run.')
    .argument('<batch>', 'the batch name or provider id (see emolabel batches)')
    .action(async (id: string, _flags: unknown, cancel: Command) => {
      // `--db` is the parent command's (`emolabel batches cancel <id> --db …`).
      const { db } = cancel.optsWithGlobals<{ db: string }>();
      const [{ RunStore }, { BatchStore }, { parseRunSpec }, { createAnnotator }] = await Promise.all([
        import('../../store/run-store.js'), import('../../store/batch-store.js'), import('../../runs/run-spec.js'), import('../../annotators/annotator-registry.js'),
      ]);
      const store = RunStore.open(resolve(io.cwd, db));
      try {
        const batches = new BatchStore(store.database);
        const batch = batches.findBatch(id);
        if (!batch) throw new EmolabelError('invalid_option', `No batch ${id} in ${store.database.name}; list them with: emolabel batches`);
        if (!batch.providerId || batch.state !== 'submitted') throw new EmolabelError('invalid_option', `Batch ${batch.name} is ${batch.state}; only a submitted batch can be cancelled.`);
        const run = store.getRun(batch.runId);
        if (!run) throw new EmolabelError('invalid_input', `Batch ${batch.name} belongs to run ${batch.runId}, which is not in the store.`);
        const spec = parseRunSpec({ ...run.options, inputs: run.inputs }, `Run ${run.id}`);
        const capability = createAnnotator(spec.model, { ...spec.annotatorSettings, env: io.env }).capabilities.batch;
        if (!capability) throw new EmolabelError('invalid_option', `${spec.model} has no batch API.`);
        const status = await capability.client().cancel(batch.providerId);
        batches.updateStatus(batch.name, status);
        io.stdout.write(`${batch.name} (${status.id}): ${status.providerState}\n`);
      } finally {
        store.close();
      }
    });
};
