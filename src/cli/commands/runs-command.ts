import type { Command } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { integerOption } from '../parse-option.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';

/** `emolabel runs`: list; `runs show`, `runs name`, `runs delete`. */
export const registerRunsCommand: RegisterCommand = (program, io) => {
  const runs: Command = program
    .command('runs')
    .description('List the runs in the store, newest first; show, name or delete one.')
    .option('--db <path>', 'the run store (SQLite); also for show, name and delete', DEFAULT_DB_PATH)
    .option('-n, --limit <n>', 'runs to list', integerOption(1), 20)
    .option('--json', 'print JSON')
    .action(async (flags: { db: string; limit: number; json?: boolean }) => (await import('./runs-action.js')).listRuns(io, flags));
  runs
    .command('show')
    .description('Show one run: its inputs, manifest, options and counts.')
    .argument('<run>', 'run id, a unique prefix of one, or the run\'s name')
    .action(async (runId: string) => (await import('./runs-action.js')).showRun(io, runId, runs.opts()));
  runs
    .command('name')
    .description('Give a run a name to use instead of its id (export, review, runs show); --clear takes it away.')
    .argument('<run>', 'run id, a unique prefix of one, or its current name')
    .argument('[name]', 'the new name: letters, digits, ".", "_", "-"')
    .option('--clear', 'take the run\'s name away')
    .action(async (runId: string, name: string | undefined, flags: { clear?: boolean }) => (await import('./runs-action.js')).nameRunCommand(io, runs.opts<{ db: string }>().db, runId, name, flags));
  runs
    .command('delete')
    .description('Delete runs with their items, results, logged requests and reviews (the response cache stays).')
    .argument('<runs...>', 'run ids, unique prefixes or names')
    .option('--yes', 'delete runs given by a prefix too (without it, only full ids and names are deleted)')
    .action(async (runIds: string[], flags: { yes?: boolean }) => (await import('./runs-action.js')).deleteRunsCommand(io, runs.opts<{ db: string }>().db, runIds, flags));
};
