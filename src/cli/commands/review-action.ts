import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { EXIT, type CliIo, untilInterrupted } from '../cli-io.js';
import { counted } from '../plural.js';
import { readLabelStudioOpinions } from '../../review/label-studio-opinions.js';
import { resolveReviewRun } from '../../review/review-session.js';
import { startReviewServer } from '../../review/start-review-server.js';
import { RunStore } from '../../store/run-store.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';

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

/** Parsed flags of `emolabel review`. */
export interface ReviewFlags {
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly reviewer?: string;
  readonly labelStudio?: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** What `emolabel review` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runReviewCommand(runId: string | undefined, flags: ReviewFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
  const store = RunStore.open(resolve(io.cwd, flags.db));
  try {
    const run = resolveReviewRun(store, runId);
    const reviewer = defaultReviewer(flags.reviewer, io.env);
    const labelStudio = flags.labelStudio === undefined ? undefined : readLabelStudioOpinions(resolve(io.cwd, flags.labelStudio), resolveTaxonomy(typeof run.options.taxonomyFile === 'string' ? run.options.taxonomyFile : run.taxonomy));
    const server = await startReviewServer({ store, runId: run.id, reviewer, host: flags.host, port: flags.port, ...(labelStudio ? { labelStudio } : {}) });
    const stopped = untilInterrupted(io);
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
}
