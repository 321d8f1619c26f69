import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { RegisterCommand } from '../register-command.js';
import { counted } from '../plural.js';
import { EXIT } from '../cli-io.js';
import { integerOption } from '../parse-option.js';
import { readLabelStudioOpinions } from '../../review/label-studio-opinions.js';
import { resolveReviewRun } from '../../review/review-session.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';
import { DEFAULT_REVIEW_PORT, startReviewServer } from '../../review/start-review-server.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
import { RunStore } from '../../store/run-store.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Parsed flags of `emolabel review`. */
export interface ReviewFlags {
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly reviewer?: string;
  readonly labelStudio?: string;
}

/** The name recorded with decisions: `--reviewer`, else EMOLABEL_REVIEWER, else the login name. */
export function defaultReviewer(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag?.trim()) return flag.trim();
  if (env.EMOLABEL_REVIEWER?.trim()) return env.EMOLABEL_REVIEWER.trim();
  try {
    return userInfo().username || 'reviewer';
  } catch {
    return 'reviewer';
  }
}

/** Resolves once SIGINT or SIGTERM arrives (Ctrl-C stops the server cleanly). */
function untilStopped(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const registerReviewCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('review')
    .description('Serve a local web page to check and fix a run\'s labels, most likely wrong first; decisions are saved in the run store.')
    .argument('[run]', 'run id or a unique prefix of one (default: the newest run)')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .option('-p, --port <n>', 'port to listen on (0 picks a free one)', integerOption(0), DEFAULT_REVIEW_PORT)
    .option('--host <address>', 'interface to bind; anything but 127.0.0.1/localhost exposes the page to your network', '127.0.0.1')
    .option('--label-studio <export.json>', "show a Label Studio JSON export's annotations and predictions as other opinions (matched on item ids)")
    .option('--reviewer <name>', 'name recorded with each decision (default: EMOLABEL_REVIEWER or your login name)')
    .action(async (runId: string | undefined, flags: ReviewFlags) => {
      const store = RunStore.open(resolve(io.cwd, flags.db));
      try {
        const run = resolveReviewRun(store, runId);
        const reviewer = defaultReviewer(flags.reviewer, io.env);
        const labelStudio = flags.labelStudio === undefined ? undefined : readLabelStudioOpinions(resolve(io.cwd, flags.labelStudio), resolveTaxonomy(typeof run.options.taxonomyFile === 'string' ? run.options.taxonomyFile : run.taxonomy));
        const server = await startReviewServer({ store, runId: run.id, reviewer, host: flags.host, port: flags.port, ...(labelStudio ? { labelStudio } : {}) });
        const stopped = untilStopped();
        io.stdout.write(`Reviewing run ${run.id} (${counted(run.total, 'item')}, ${run.model}) as ${reviewer}\n`);
        io.stdout.write(`Open ${server.url}\n`);
        io.stdout.write('Keys: 1-9 label, Enter accept, arrows move, u undo. Press Ctrl-C to stop.\n');
        if (!LOOPBACK_HOSTS.has(flags.host)) io.stderr.write(`warning: --host ${flags.host} makes the page reachable from your network; it has no login.\n`);
        await stopped;
        await server.close();
        io.stderr.write('Review server stopped; decisions are in the run store.\n');
        setExitCode(EXIT.ok);
      } finally {
        store.close();
      }
    });
};
