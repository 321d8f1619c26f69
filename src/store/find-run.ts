import { runNamed } from './run-admin.js';
import { EmolabelError } from '../errors.js';
import type { RunRecord, RunStore } from './run-store.js';

/** `r20261123-1401-3fa9c1 (baseline) 2026-11-23 14:01 openai:gpt-4o-mini`: a run on one line of a message. */
function describeRun(run: RunRecord): string {
  return `${run.id}${run.name ? ` (${run.name})` : ''} ${run.createdAt.slice(0, 16).replace('T', ' ')} ${run.model}`;
}

/**
 * Finds a run by id, name, or a unique prefix of an id (`r20261123-1401`), or the newest run when
 * none is given. Throws naming the newest runs when none matches, and listing the runs a prefix
 * matches when it matches several.
 */
export function findRun(store: RunStore, runId: string | undefined): RunRecord {
  if (runId === undefined) {
    const latest = store.latestRun();
    if (!latest) throw new EmolabelError('invalid_option', 'The store holds no runs yet; run `emolabel annotate` first (or pass --db).');
    return latest;
  }
  const exact = store.getRun(runId) ?? runNamed(store, runId);
  if (exact) return exact;
  const matches = store.listRuns(100_000).filter((run) => run.id.startsWith(runId));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    const shown = matches.slice(0, 10).map((run) => `  ${describeRun(run)}`).join('\n');
    const more = matches.length > 10 ? `\n  … and ${matches.length - 10} more` : '';
    throw new EmolabelError('invalid_option', `Run "${runId}" matches ${matches.length} runs; give more of the id (or the run's name):\n${shown}${more}`);
  }
  const known = store.listRuns(5).map((run) => run.id).join(', ') || 'none';
  throw new EmolabelError('invalid_option', `Run "${runId}" is not in the run store; newest runs: ${known} (\`emolabel runs\` lists them).`);
}
