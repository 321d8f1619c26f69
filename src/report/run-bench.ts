import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { type BenchCellPlan, type BenchMatrix, planBenchCells, selectBenchItems } from './bench-matrix.js';
import { appendPredictions, benchPredictionRow, readKeptPredictions, writePredictions } from './bench-predictions.js';
import { buildReportCell } from './build-report-cell.js';
import type { BenchReport, ReportCell } from './report-types.js';
import { writeReport } from './write-report.js';
import type { Annotator } from '../annotators/annotator.js';
import { type AnnotatorSettings, createAnnotator } from '../annotators/annotator-registry.js';
import { loadPrompt } from '../annotators/llm/prompt-file.js';
import { countByLabel, normaliseDatasetLabels } from '../datasets/dataset-labels.js';
import type { Dataset, DatasetItem } from '../datasets/dataset-loader.js';
import { describeError, EmolabelError } from '../errors.js';
import { createLabelTable, matchKey } from '../eval/read-label-csv.js';
import { annotate } from '../pipeline/annotate.js';
import { getStrategy } from '../strategies/strategy-registry.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** What happened to a cell, for progress output. */
export interface BenchCellEvent {
  readonly cell: BenchCellPlan;
  readonly index: number;
  readonly total: number;
  /** `start`: about to label `pending` clips; `done`: scored; `failed`: could not run (see `error`). */
  readonly phase: 'start' | 'done' | 'failed';
  readonly pending?: number;
  readonly reused?: number;
  readonly error?: string;
  /** The scored cell, on `done`. */
  readonly result?: ReportCell;
}

/** Options of {@link runBench}. */
export interface BenchOptions extends BenchMatrix {
  /** The dataset, as a loader returned it (labels in any spelling). */
  readonly dataset: Dataset;
  /** Folder for `report.json`, `report.html` and one `<cell>/predictions.csv` per cell. */
  readonly outDir: string;
  /** Label only this many clips, drawn round-robin across labels. */
  readonly limit?: number;
  /** FERV39k scene the dataset was filtered to, for the report. */
  readonly scene?: string;
  /** Settings for every annotator (base URL, key variable …); each cell adds its `prompt`. */
  readonly annotatorSettings?: AnnotatorSettings;
  /** Frames sampled per clip. @default annotate's default */
  readonly frames?: number;
  /** Clips labelled at once within a cell. @default 2 */
  readonly concurrency?: number;
  /** Builds annotators instead of the registry (tests, custom models). */
  readonly createAnnotator?: (model: string, settings: AnnotatorSettings) => Annotator;
  readonly title?: string;
  readonly signal?: AbortSignal;
  readonly onCell?: (event: BenchCellEvent) => void;
  readonly onProgress?: (cell: BenchCellPlan, done: number, total: number) => void;
}

interface CellContext {
  readonly plan: BenchCellPlan;
  readonly taxonomy: Taxonomy;
  readonly items: readonly DatasetItem[];
  readonly file: string;
}

async function runCell(context: CellContext, options: BenchOptions, makeAnnotator: (model: string, settings: AnnotatorSettings) => Annotator): Promise<{ reused: number; ran: number }> {
  const { plan, items, file } = context;
  const existing = readKeptPredictions(file);
  if (existing !== undefined && !existing.columns.includes('status')) return { reused: existing.rows.length, ran: 0 };
  const kept = existing?.rows ?? [];
  const done = new Set(kept.map((row) => matchKey(row.id ?? '')));
  const pending = items.filter((item) => !done.has(matchKey(item.id)));
  if (pending.length === 0) return { reused: kept.length, ran: 0 };
  await writePredictions(file, kept);
  const manifest = join(options.outDir, plan.name, 'pending-manifest.csv');
  await writeFile(manifest, stringify(pending.map((item) => [item.path, item.label]), { header: true, columns: ['path', 'label'] }));
  const byPath = new Map(pending.map((item) => [item.path, item]));
  const settings: AnnotatorSettings = { ...options.annotatorSettings, ...(plan.prompt === '-' ? {} : { prompt: plan.prompt }) };
  const annotator = makeAnnotator(plan.model, settings);
  let writing = Promise.resolve();
  let errors = 0;
  let firstError: string | undefined;
  try {
    await annotate([], {
      manifest,
      annotator,
      strategy: plan.strategy,
      taxonomy: context.taxonomy,
      ...(options.frames === undefined ? {} : { frames: options.frames }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onResult: (results, progress) => {
        const rows = results.flatMap((result) => {
          const item = byPath.get(result.path);
          if (result.status === 'error') {
            errors += 1;
            firstError ??= result.error;
          }
          return item === undefined ? [] : [benchPredictionRow(item, item.label, result)];
        });
        writing = writing.then(() => appendPredictions(file, rows));
        options.onProgress?.(plan, progress.done, progress.total);
      },
    });
  } finally {
    await writing;
    await annotator.close?.();
  }
  await rm(manifest, { force: true });
  if (errors === pending.length) {
    throw new EmolabelError('provider_error', `every clip failed, e.g. ${firstError ?? 'unknown error'}; fix the cause and rerun to retry them`, { path: file });
  }
  return { reused: kept.length, ran: pending.length };
}

/**
 * Runs every cell of the matrix on the dataset and writes `report.json` and `report.html` to `outDir`.
 * Each cell's predictions go to `outDir/<cell>/predictions.csv` as they arrive; a rerun keeps the rows
 * already there (retrying `error` rows), so an interrupted bench resumes where it stopped.
 * Unknown strategies, taxonomies, models or prompts, and annotators that are not ready (a missing API
 * key), fail before anything runs; a cell that fails at run time is listed in the report's `failures`
 * and the others still run.
 */
export async function runBench(options: BenchOptions): Promise<{ report: BenchReport; files: { json: string; html: string } }> {
  const makeAnnotator = options.createAnnotator ?? createAnnotator;
  for (const strategy of options.strategies) getStrategy(strategy);
  const taxonomies = new Map(options.taxonomies.map((name) => [name, resolveTaxonomy(name)]));
  const normalised = new Map([...taxonomies].map(([name, taxonomy]) => [name, normaliseDatasetLabels(options.dataset, taxonomy)]));
  const takesPrompt = new Map<string, boolean>();
  for (const model of options.models) {
    const probe = makeAnnotator(model, options.annotatorSettings ?? {});
    try {
      probe.checkReady?.();
      takesPrompt.set(model, probe.settingsIdentity === undefined ? probe.provider !== 'local' : 'prompt' in probe.settingsIdentity);
    } finally {
      await probe.close?.();
    }
  }
  if ([...takesPrompt.values()].some(Boolean)) for (const prompt of options.prompts) loadPrompt(prompt);
  const plans = planBenchCells(options, (model) => takesPrompt.get(model) ?? true);
  const selected = selectBenchItems(options.dataset.items, options.limit);
  const selectedPaths = new Set(selected.map((item) => item.path));
  await mkdir(options.outDir, { recursive: true });

  const cells: ReportCell[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const [index, plan] of plans.entries()) {
    const taxonomy = taxonomies.get(plan.taxonomy) as Taxonomy;
    const items = (normalised.get(plan.taxonomy)?.items ?? []).filter((item) => selectedPaths.has(item.path));
    const file = join(options.outDir, plan.name, 'predictions.csv');
    const event = { cell: plan, index, total: plans.length };
    try {
      options.onCell?.({ ...event, phase: 'start', pending: items.length });
      const { reused } = await runCell({ plan, taxonomy, items, file }, options, makeAnnotator);
      const truth = createLabelTable(`${options.dataset.source} (${plan.taxonomy})`, items);
      const result = buildReportCell({
        name: plan.name, predictionsFile: file, truth, taxonomy, model: plan.model, strategy: plan.strategy, prompt: plan.prompt,
        reportDir: options.outDir, reused: reused > 0, strict: true,
      });
      cells.push(result);
      options.onCell?.({ ...event, phase: 'done', reused, result });
    } catch (error) {
      options.signal?.throwIfAborted();
      failures.push({ name: plan.name, error: describeError(error) });
      options.onCell?.({ ...event, phase: 'failed', error: describeError(error) });
    }
  }

  const perLabel = Object.fromEntries(
    [...normalised].map(([name, dataset]) => {
      const items = dataset.items.filter((item) => selectedPaths.has(item.path));
      return [name, Object.fromEntries(countByLabel(items, taxonomies.get(name)?.labels ?? []).map(({ label, count }) => [label, count]))];
    }),
  );
  const report: BenchReport = {
    title: options.title ?? `emolabel bench: ${options.dataset.kind} ${options.dataset.source}`,
    createdAt: new Date().toISOString(),
    source: { kind: options.dataset.kind, path: options.dataset.source, items: selected.length, perLabel, ...(options.scene === undefined ? {} : { scene: options.scene }) },
    matrix: {
      models: options.models, strategies: options.strategies, prompts: options.prompts, taxonomies: options.taxonomies,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
    },
    strict: true,
    cells,
    failures,
  };
  return { report, files: await writeReport(options.outDir, report) };
}
