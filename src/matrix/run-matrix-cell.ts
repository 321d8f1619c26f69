import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { MatrixCellPlan } from './matrix-spec.js';
import { matrixPredictionRow, writePredictions } from './matrix-predictions.js';
import type { Annotator } from '../annotators/annotator.js';
import type { AnnotatorMiddleware } from '../annotators/annotator-middleware.js';
import type { ResilienceMiddleware, ResilientAnnotatorOptions } from '../runs/resilience/resilient-annotator.js';
import type { AnnotatorSettings } from '../annotators/annotator-provider.js';
import type { DatasetItem } from '../datasets/dataset-loader.js';
import { EmolabelError } from '../errors.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import { currentItemId } from '../pipeline/item-scope.js';
import { runAnnotation, type RunOutcome, type RunSession } from '../runs/run-annotation.js';
import { runFingerprint, runSpecOf } from '../runs/run-spec.js';
import { type RequestCost, ResponseStore } from '../store/request-log.js';
import type { RunRecord, RunStore } from '../store/run-store.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** Run settings the matrix hands every cell as they are. */
export interface MatrixCellSettings {
  /** Frames sampled per clip. @default annotate's default */
  readonly frames?: number;
  /** Clips labelled at once within a cell. @default 2 */
  readonly concurrency?: number | 'auto';
  /** Once aborted, no new clip (or cell) starts; clips in progress finish and are saved. */
  readonly stopSignal?: AbortSignal;
  /** Aborts requests in flight too. */
  readonly signal?: AbortSignal;
  /** Answer repeated requests from the store's response cache. @default true */
  readonly cache?: boolean;
  /** Rate limits, timeout and retries of metered annotators, as `annotate` has them. */
  readonly resilience?: ResilientAnnotatorOptions | ResilienceMiddleware;
}

/** The {@link MatrixCellSettings} of a larger options object, and nothing else. */
export function matrixCellSettings(options: MatrixCellSettings): MatrixCellSettings {
  const { frames, concurrency, stopSignal, signal, cache, resilience } = options;
  return { frames, concurrency, stopSignal, signal, cache, resilience };
}

/** Options of {@link runMatrixCell}. */
export interface MatrixCellRunOptions extends MatrixCellSettings {
  readonly store: RunStore;
  readonly plan: MatrixCellPlan;
  /** The cell's clips, gold labels in the cell's taxonomy. */
  readonly items: readonly DatasetItem[];
  /** `<out>/<cell>`: gets `predictions.csv` and the manifest the run reads. */
  readonly cellDir: string;
  /** The cell's annotator; the caller closes it. */
  readonly annotator: Annotator;
  /** Settings stored with the run and part of its fingerprint (no secrets, no environment). */
  readonly annotatorSettings: AnnotatorSettings;
  /** Stop before the cell's run would cost more than this (its earlier sessions included). */
  readonly maxCostUsd?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A cell's run in the store and what it produced. */
export interface MatrixCellRun {
  readonly run: RunRecord;
  readonly predictionsFile: string;
  /** Clips labelled without a request sent now: done in an earlier session, or answered by the cache. */
  readonly reused: number;
  /** What the cell's answers cost, cached ones at what they cost when sent. */
  readonly cost: RequestCost;
  /** Why the run stopped before every clip was labelled, if it did. */
  readonly stopped?: RunOutcome['stopped'];
}

/**
 * Writes the cell's clips as `manifest-<hash>.csv` (`id,path,label`: the dataset's ids, absolute
 * paths), so the run's results carry the dataset's ids. The hash of the
 * content is in the name, so a different selection (another `--limit`) is another run, and the
 * manifest a stored run names never changes under it.
 */
async function writeCellManifest(cellDir: string, items: readonly DatasetItem[]): Promise<string> {
  const text = stringify(items.map((item) => [item.id, resolve(item.path), item.label]), { header: true, columns: ['id', 'path', 'label'] });
  const file = join(cellDir, `manifest-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.csv`);
  await mkdir(cellDir, { recursive: true });
  await writeFile(file, text);
  return file;
}

/** The newest finished run with this fingerprint, unless it has `error` results (those are retried by a new run). */
function findCleanFinishedRun(store: RunStore, fingerprint: string): RunRecord | undefined {
  const run = store.latestFinishedRun(fingerprint);
  if (run === undefined || store.getResults(run.id).some((result) => result.status === 'error')) return undefined;
  return run;
}

/** Counts the items whose requests reach the provider (inside the response cache, so cached answers are not seen). */
function countSentItems(sent: Set<string>): AnnotatorMiddleware {
  return {
    specificationVersion: 'v1',
    name: 'count-sent-items',
    wrapAnnotate: ({ request, next }) => {
      sent.add(currentItemId() ?? '');
      return next(request);
    },
  };
}

/** Writes the cell's `predictions.csv` under the dataset's ids, with each clip's cost and time as sent. */
async function exportPredictions(file: string, items: readonly DatasetItem[], results: readonly ClipResult[], store: RunStore, runId: string): Promise<void> {
  const byPath = new Map(items.map((item) => [resolve(item.path), item]));
  const measured = new ResponseStore(store.database).listItemCosts(runId);
  const rows = results.flatMap((result) => {
    const item = byPath.get(resolve(result.path));
    return item === undefined ? [] : [matrixPredictionRow(item, item.label, result, measured.get(result.id))];
  });
  await writePredictions(file, rows);
}

/**
 * Runs one matrix cell as a run in the store: a finished run with the same clips and options is
 * reused as it is; an unfinished one is resumed; otherwise a new run labels the clips, answering
 * repeated requests from the response cache. `predictions.csv` is written from the run's results,
 * also when the run stops early. A run whose every clip failed throws, naming the first error.
 */
export async function runMatrixCell(options: MatrixCellRunOptions): Promise<MatrixCellRun> {
  const { store, plan, items } = options;
  const manifest = await writeCellManifest(options.cellDir, items);
  const predictionsFile = join(options.cellDir, 'predictions.csv');
  const sentItems = new Set<string>();
  let doneAtStart = 0;
  let freshReused = 0;
  // A cell is a run spec: its clips (by manifest), model, strategy, taxonomy, settings and frames.
  const spec = runSpecOf([], {
    model: plan.model, strategy: plan.strategy, taxonomy: plan.taxonomy, manifest, annotatorSettings: options.annotatorSettings, frames: options.frames,
  });
  const session: RunSession = {
    store,
    annotator: options.annotator,
    cache: options.cache ?? true,
    maxCostUsd: options.maxCostUsd,
    resilience: options.resilience,
    middleware: [countSentItems(sentItems)],
    concurrency: options.concurrency,
    stopSignal: options.stopSignal,
    signal: options.signal,
    onRunStart: (_run, progress) => (doneAtStart = progress.done),
    onResult: (results, progress) => {
      // A clip that got an answer without sending a request was answered by the cache.
      if (results.every((result) => result.status !== 'error' && !sentItems.has(result.id))) freshReused += 1;
      options.onProgress?.(progress.done, progress.total);
    },
  };
  const finished = findCleanFinishedRun(store, runFingerprint(spec));
  let run: RunRecord;
  let results: ClipResult[];
  let stopped: RunOutcome['stopped'];
  if (finished) {
    run = finished;
    results = store.getResults(run.id);
    doneAtStart = run.done;
  } else {
    const outcome = await runAnnotation(spec, session);
    ({ run, results, stopped } = outcome);
  }
  await exportPredictions(predictionsFile, items, results, store, run.id);
  const responses = new ResponseStore(store.database);
  const logged = responses.listItemCosts(run.id).size > 0;
  const cost = logged ? responses.listCost(run.id) : sumResultCosts(results);
  // A fatal provider error fails the cell; an interruption or the budget is returned for the matrix to stop on.
  if (stopped?.reason === 'fatal') throw new EmolabelError('provider_error', `${stopped.message} (run ${run.id})`, { path: predictionsFile });
  const failures = results.filter((result) => result.status === 'error');
  if (!stopped && results.length > 0 && failures.length === results.length) {
    throw new EmolabelError('provider_error', `every clip failed, e.g. ${failures[0]?.error ?? 'unknown error'}; fix the cause and rerun to retry them`, { path: predictionsFile });
  }
  return { run, predictionsFile, reused: doneAtStart + freshReused, cost, ...(stopped ? { stopped } : {}) };
}

/** Cost of results whose requests were not logged (the local model): what the results say. */
function sumResultCosts(results: readonly ClipResult[]): RequestCost {
  return results.reduce(
    (sum, result) => ({ usd: sum.usd + (result.costUsd ?? 0), inputTokens: sum.inputTokens + result.usage.inputTokens, outputTokens: sum.outputTokens + result.usage.outputTokens }),
    { usd: 0, inputTokens: 0, outputTokens: 0 },
  );
}
