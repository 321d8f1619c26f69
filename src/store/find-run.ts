import { EmolabelError } from '../errors.js';
import type { RunRecord, RunStore } from './run-store.js';

/**
 * Finds a run by id or a unique prefix of one (`r20261123-1401`), or the newest run when no id is
 * given; throws, naming the newest runs, when none matches.
 */
export function findRun(store: RunStore, runId: string | undefined): RunRecord {
  if (runId === undefined) {
    const latest = store.latestRun();
    if (!latest) throw new EmolabelError('invalid_option', 'The store holds no runs yet; run `emolabel annotate` first (or pass --db).');
    return latest;
  }
  const exact = store.getRun(runId);
  if (exact) return exact;
  const matches = store.listRuns(1000).filter((run) => run.id.startsWith(runId));
  if (matches.length === 1 && matches[0]) return matches[0];
  const known = store.listRuns(5).map((run) => run.id).join(', ') || 'none';
  const problem = matches.length > 1 ? `matches ${matches.length} runs` : 'is not in the run store';
  throw new EmolabelError('invalid_option', `Run "${runId}" ${problem}; newest runs: ${known} (\`emolabel runs\` lists them).`);
}
