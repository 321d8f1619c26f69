import { EmolabelError } from '../errors.js';
import { toLabelStudioTasks } from '../output/label-studio-tasks.js';
import { formatResults } from '../output/write-results.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { RunRecord, RunStore } from '../store/run-store.js';

export const EXPORT_FORMATS = ['csv', 'jsonl', 'json', 'label-studio'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Prefix for media URLs in Label Studio tasks (default: its local-files storage URL). */
  readonly mediaUrlPrefix?: string;
  /** Rewrites results before they are written (the review layer uses it to apply reviewed labels). */
  readonly transform?: (results: ClipResult[], run: RunRecord) => ClipResult[];
}

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

/** A run's results in an export format, as text. */
export function exportRun(store: RunStore, run: RunRecord, format: ExportFormat, options: ExportOptions = {}): string {
  const stored = store.getResults(run.id);
  const results = options.transform ? options.transform(stored, run) : stored;
  if (format === 'label-studio') {
    const prefix = options.mediaUrlPrefix;
    const tasks = toLabelStudioTasks(results, prefix === undefined ? {} : { mediaUrl: (path) => `${prefix}${encodeURI(path)}` });
    return `${JSON.stringify(tasks, null, 2)}\n`;
  }
  return formatResults(results, format, run.labels);
}
