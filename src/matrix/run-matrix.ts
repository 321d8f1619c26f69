import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type MatrixCellPlan, type MatrixSpec, planMatrixCells, selectMatrixItems } from './matrix-spec.js';
import { isForeignPredictions } from './matrix-predictions.js';
import { type MatrixCellRun, type MatrixCellSettings, matrixCellSettings, runMatrixCell } from './run-matrix-cell.js';
import type { Annotator } from '../annotators/annotator.js';
import type { AnnotatorSettings } from '../annotators/annotator-provider.js';
import { createAnnotator } from '../annotators/annotator-registry.js';
import { loadPrompt } from '../annotators/llm/prompt-file.js';
import { countByLabel, countOnDisk, normaliseDatasetLabels } from '../datasets/dataset-labels.js';
import { EmolabelError } from '../errors.js';
import type { Dataset } from '../datasets/dataset-loader.js';
import { describeError } from '../errors.js';
import { createLabelTable } from '../eval/read-label-csv.js';
import { buildReportCell } from '../report/build-report-cell.js';
import type { BenchReport, ReportCell } from '../report/report-types.js';
import { writeReport } from '../report/write-report.js';
import { RunStore } from '../store/run-store.js';
import { getStrategy } from '../strategies/strategy-registry.js';
import { resolveTaxonomy } from '../taxonomy/load-taxonomy.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** What happened to a cell, for progress output. */
export interface MatrixCellEvent {
  readonly cell: MatrixCellPlan;
  readonly index: number;
  readonly total: number;
  /**
   * `start`: about to label `pending` clips; `done`: scored; `failed`: could not run (see `error`);
   * `interrupted`: stopped by the stop signal after some clips (see `error`), resumed by the next identical bench.
   */
  readonly phase: 'start' | 'done' | 'failed' | 'interrupted';
  readonly pending?: number;
  /** Clips labelled without a request sent now: done by an earlier bench, or answered from the response cache. */
  readonly reused?: number;
  readonly error?: string;
  /** The scored cell, on `done`. */
  readonly result?: ReportCell;
}

/** Options of {@link runMatrix}. */
export interface MatrixOptions extends MatrixSpec, MatrixCellSettings {
  /** The dataset, as a loader returned it (labels in any spelling). */
  readonly dataset: Dataset;
  /** Folder for `report.json`, `report.html`, the default run store and one `<cell>/predictions.csv` per cell. */
  readonly outDir: string;
  /**
   * The run store file: each cell is one run in it, resumed and answered from its response cache
   * by an identical bench. @default `<outDir>/bench.db`
   */
  readonly db?: string;
  /** An open run store to use instead of `db` (left open). */
  readonly store?: RunStore;
  /** Label only this many clips, drawn round-robin across labels. */
  readonly limit?: number;
  /** FERV39k scene the dataset was filtered to, for the report. */
  readonly scene?: string;
  /** Settings for every annotator (base URL, key variable …); each cell adds its `prompt`. */
  readonly annotatorSettings?: AnnotatorSettings;
  /**
   * Dollars the matrix's cell runs may cost in all (earlier sessions included): each cell gets what
   * the cells before it left, and the matrix stops at the first cell its budget stops.
   */
  readonly maxCostUsd?: number;
  /** Builds annotators instead of the registry (tests, custom models). */
  readonly createAnnotator?: (model: string, settings: AnnotatorSettings) => Annotator;
  readonly title?: string;
  readonly onCell?: (event: MatrixCellEvent) => void;
  /** What the checks before the first cell found: cells that cannot run, media missing, labels folded. */
  readonly onWarning?: (warning: string) => void;
  readonly onProgress?: (cell: MatrixCellPlan, done: number, total: number) => void;
}

/** What {@link runMatrix} wrote, and whether a stop signal cut it short. */
export interface MatrixResult {
  readonly report: BenchReport;
  readonly files: { json: string; html: string };
  /** The run store the cells ran in. */
  readonly db: string;
  /** True when the matrix was stopped before every cell finished; the same bench again resumes it. */
  readonly interrupted: boolean;
  /** Why `maxCostUsd` stopped the matrix, when it did; a higher budget resumes it. */
  readonly budgetReached?: string;
}

/** The settings stored with a run (and in its fingerprint): everything but the environment, which holds secrets. */
function storableSettings(settings: AnnotatorSettings): AnnotatorSettings {
  return Object.fromEntries(Object.entries(settings).filter(([key, value]) => key !== 'env' && value !== undefined));
}

const RESUME_HINT = 'run the same bench again to resume';

/**
 * Refuses a bench whose clips are none of them on disk (a FERV39k list without its frames, a
 * manifest moved away) before any cell runs, and warns when some are missing.
 */
function checkMediaOnDisk(dataset: Dataset, selected: Dataset['items'], warn: ((warning: string) => void) | undefined): void {
  if (selected.length === 0) return;
  const { onDisk, firstMissing } = countOnDisk(selected);
  const where = dataset.mediaRoot ?? dataset.source;
  if (onDisk === 0) {
    throw new EmolabelError('invalid_input', `None of the ${selected.length.toLocaleString('en-US')} clips of ${dataset.source} is on disk (e.g. ${firstMissing}, looked for under ${where}); ` +
      'point the bench at the media (--frames-root for FERV39k), or check `emolabel dataset` first.', { path: dataset.source });
  }
  if (onDisk < selected.length) warn?.(`${(selected.length - onDisk).toLocaleString('en-US')} of ${selected.length.toLocaleString('en-US')} clips are not on disk (e.g. ${firstMissing}); they will be error rows`);
}

/**
 * Runs every cell of the matrix on the dataset and writes `report.json` and `report.html` to `outDir`.
 * Each cell is one run in the run store (`db`, default `outDir/bench.db`): the same bench again reuses
 * finished cells, resumes unfinished ones and answers repeated requests from the response cache; a
 * finished cell with `error` clips is run again (only those clips reach the annotator). Each cell's
 * results are exported to `outDir/<cell>/predictions.csv` when it ends or stops. Cost and latency count
 * cached answers at what they cost and took when sent.
 * Unknown strategies, taxonomies, models or prompts, and annotators that are not ready (a missing API
 * key), fail before anything runs; a cell that fails at run time is listed in the report's `failures`
 * and the others still run. On a stop signal, the report lists the cells done and the rest as failures.
 */
export async function runMatrix(options: MatrixOptions): Promise<MatrixResult> {
  const makeAnnotator = options.createAnnotator ?? createAnnotator;
  for (const strategy of options.strategies) getStrategy(strategy);
  const taxonomies = new Map(options.taxonomies.map((name) => [name, resolveTaxonomy(name)]));
  const normalised = new Map([...taxonomies].map(([name, taxonomy]) => [name, normaliseDatasetLabels(options.dataset, taxonomy)]));
  const takesPrompt = new Map<string, boolean>();
  const layouts = new Map<string, readonly string[]>();
  for (const model of options.models) {
    const probe = makeAnnotator(model, options.annotatorSettings ?? {});
    try {
      probe.checkReady?.();
      takesPrompt.set(model, 'prompt' in probe.settingsIdentity);
      layouts.set(model, probe.capabilities.layouts);
    } finally {
      await probe.close?.();
    }
  }
  if ([...takesPrompt.values()].some(Boolean)) for (const prompt of options.prompts) loadPrompt(prompt);
  const planned = planMatrixCells(options, (model) => takesPrompt.get(model) ?? true);
  const invalid = planned.flatMap((plan) => {
    const needs = getStrategy(plan.strategy).layout;
    const reads = layouts.get(plan.model) ?? [];
    return needs === undefined || reads.includes(needs) ? [] : [{ name: plan.name, error: `not run: ${plan.model} reads no ${needs} images (only ${reads.join(', ') || 'none'}); strategy ${plan.strategy} needs them` }];
  });
  const plans = planned.filter((plan) => !invalid.some((cell) => cell.name === plan.name));
  if (plans.length === 0) throw new EmolabelError('invalid_option', `No cell of the bench can run: ${invalid.map((cell) => `${cell.name} (${cell.error})`).join('; ')}.`);
  for (const cell of invalid) options.onWarning?.(`${cell.name}: ${cell.error}`);
  for (const warning of new Set([...normalised.values()].flatMap((dataset) => dataset.warnings ?? []))) options.onWarning?.(warning);
  const selected = selectMatrixItems(options.dataset.items, options.limit);
  checkMediaOnDisk(options.dataset, selected, options.onWarning);
  const selectedPaths = new Set(selected.map((item) => item.path));
  await mkdir(options.outDir, { recursive: true });
  const db = options.store === undefined ? resolve(options.db ?? join(options.outDir, 'bench.db')) : options.store.database.name;
  const store = options.store ?? RunStore.open(db);
  const stopped = () => options.stopSignal?.aborted === true || options.signal?.aborted === true;

  const cells: ReportCell[] = [];
  const failures: Array<{ name: string; error: string }> = [...invalid];
  let interrupted = false;
  let budgetReached: string | undefined;
  let spentByCells = 0;
  try {
    for (const [index, plan] of plans.entries()) {
      const event = { cell: plan, index, total: plans.length };
      if (budgetReached !== undefined) {
        failures.push({ name: plan.name, error: 'not run: --max-cost was reached; run the same bench with a higher --max-cost' });
        continue;
      }
      if (interrupted || stopped()) {
        interrupted = true;
        failures.push({ name: plan.name, error: `not run: the bench was interrupted; ${RESUME_HINT}` });
        continue;
      }
      const taxonomy = taxonomies.get(plan.taxonomy) as Taxonomy;
      const items = (normalised.get(plan.taxonomy)?.items ?? []).filter((item) => selectedPaths.has(item.path));
      const cellDir = join(options.outDir, plan.name);
      const file = join(cellDir, 'predictions.csv');
      try {
        options.onCell?.({ ...event, phase: 'start', pending: items.length });
        let ran: MatrixCellRun | undefined;
        if (isForeignPredictions(file) !== true) {
          const settings: AnnotatorSettings = { ...options.annotatorSettings, ...(plan.prompt === '-' ? {} : { prompt: plan.prompt }) };
          const annotator = makeAnnotator(plan.model, settings);
          try {
            ran = await runMatrixCell({
              ...matrixCellSettings(options), store, plan, items, cellDir, annotator, annotatorSettings: storableSettings(settings),
              maxCostUsd: options.maxCostUsd === undefined ? undefined : options.maxCostUsd - spentByCells,
              onProgress: (done, total) => options.onProgress?.(plan, done, total),
            });
          } finally {
            await annotator.close?.();
          }
          spentByCells += ran.run.costUsd;
          if (ran.stopped?.reason === 'budget') {
            budgetReached = `${plan.name}: ${ran.stopped.message}`;
            failures.push({ name: plan.name, error: `stopped after ${ran.run.done} of ${ran.run.total} clips: ${ran.stopped.message}` });
            options.onCell?.({ ...event, phase: 'failed', error: budgetReached, reused: ran.reused });
            continue;
          }
          if (ran.stopped) {
            interrupted = true;
            const error = `interrupted after ${ran.run.done} of ${ran.run.total} clips (run ${ran.run.id}); ${RESUME_HINT}`;
            failures.push({ name: plan.name, error });
            options.onCell?.({ ...event, phase: 'interrupted', error, reused: ran.reused });
            continue;
          }
        }
        const reused = ran?.reused ?? items.length;
        const truth = createLabelTable(`${options.dataset.source} (${plan.taxonomy})`, items);
        const scored = buildReportCell({
          name: plan.name, predictionsFile: file, truth, taxonomy, model: plan.model, strategy: plan.strategy, prompt: plan.prompt,
          reportDir: options.outDir, reused: reused > 0, strict: true,
        });
        // Cost from the request log: answers from the cache count at what they cost when sent.
        const result: ReportCell = ran === undefined ? scored : { ...scored, costUsd: ran.cost.usd, costPer1000: scored.items === 0 ? null : (ran.cost.usd / scored.items) * 1000 };
        cells.push(result);
        options.onCell?.({ ...event, phase: 'done', reused, result });
      } catch (error) {
        if (stopped()) interrupted = true;
        const message = stopped() ? `interrupted: ${describeError(error)}; ${RESUME_HINT}` : describeError(error);
        failures.push({ name: plan.name, error: message });
        options.onCell?.({ ...event, phase: stopped() ? 'interrupted' : 'failed', error: message });
      }
    }
  } finally {
    if (options.store === undefined) store.close();
  }

  const perLabel = Object.fromEntries(
    [...normalised].map(([name, dataset]) => {
      const items = dataset.items.filter((item) => selectedPaths.has(item.path));
      // Keyed by the taxonomy's own name (as the cells are), not the file a custom one came from.
      return [taxonomies.get(name)?.name ?? name, Object.fromEntries(countByLabel(items, taxonomies.get(name)?.labels ?? []).map(({ label, count }) => [label, count]))];
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
  return { report, files: await writeReport(options.outDir, report), db, interrupted, ...(budgetReached === undefined ? {} : { budgetReached }) };
}
