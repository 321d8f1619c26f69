import { resolve } from 'node:path';
import type { RegisterCommand } from '../register-command.js';
import { integerOption } from '../parse-option.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
import { RunStore } from '../../store/run-store.js';

export const registerRunsCommand: RegisterCommand = (program, io) => {
  program
    .command('runs')
    .description('List the runs in the store, newest first.')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .option('-n, --limit <n>', 'runs to list', integerOption(1), 20)
    .option('--json', 'print JSON')
    .action((flags: { db: string; limit: number; json?: boolean }) => {
      const store = RunStore.open(resolve(io.cwd, flags.db));
      try {
        const runs = store.listRuns(flags.limit);
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(runs.map(({ options: _options, ...run }) => run), null, 2)}\n`);
          return;
        }
        if (runs.length === 0) {
          io.stdout.write('No runs yet: run `emolabel annotate <inputs>` first.\n');
          return;
        }
        const rows = runs.map((run) => [run.id, run.createdAt.slice(0, 16).replace('T', ' '), run.model, run.strategy, run.taxonomy,
          `${run.done}/${run.total}`, run.failed.toString(), `$${run.costUsd.toFixed(4)}${run.unpriced > 0 ? ` + ${run.unpriced} unpriced` : ''}`, run.status]);
        const header = ['run', 'started (UTC)', 'model', 'strategy', 'taxonomy', 'done', 'failed', 'cost', 'status'];
        const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
        for (const row of [header, ...rows]) io.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
      } finally {
        store.close();
      }
    });
};
