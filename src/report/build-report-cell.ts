import { relative, isAbsolute } from 'node:path';
import type { LatencySummary, ReportCell } from './report-types.js';
import { evaluatePredictions } from '../eval/evaluate-predictions.js';
import { evaluationToJson } from '../eval/format-metrics.js';
import { type LabelTable, readLabelCsv } from '../eval/read-label-csv.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** Options of {@link buildReportCell}. */
export interface BuildReportCellOptions {
  readonly name: string;
  /** Any CSV with id and label columns; `confidence`, `cost_usd` and `duration_ms` columns are used when present. */
  readonly predictionsFile: string;
  readonly truth: LabelTable;
  readonly taxonomy: Taxonomy;
  /** Count gold items without a prediction as wrong. @default true */
  readonly strict?: boolean;
  readonly model?: string;
  readonly strategy?: string;
  readonly prompt?: string;
  /** Folder the report is written to; `predictionsFile` is stored relative to it. */
  readonly reportDir?: string;
  readonly reused?: boolean;
  /** Column holding labels. @default 'label' */
  readonly labelColumn?: string;
  /** Column ids are matched on. @default 'id', else the first column */
  readonly idColumn?: string;
}

const quantile = (sorted: readonly number[], fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;

function latencyOf(durations: readonly number[]): LatencySummary | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length, medianMs, p90Ms: quantile(sorted, 0.9), clips: sorted.length };
}

/** Reads one predictions CSV and scores it against the truth: metrics, cost, latency and the coverage curve. */
export function buildReportCell(options: BuildReportCellOptions): ReportCell {
  const { taxonomy, truth } = options;
  const predictions = readLabelCsv(options.predictionsFile, {
    taxonomy,
    role: 'predictions',
    keepColumns: ['cost_usd', 'duration_ms'],
    ...(options.labelColumn === undefined ? {} : { labelColumn: options.labelColumn }),
    ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
  });
  const evaluation = evaluatePredictions(predictions, truth, { taxonomy, strict: options.strict ?? true });
  const goldKeys = new Set(truth.rows.filter((row) => row.label !== undefined).map((row) => row.key));
  const inCell = predictions.rows.filter((row) => goldKeys.has(row.key));
  const numbers = (column: string) =>
    inCell.map((row) => Number(row.extra?.[column] ?? Number.NaN)).filter((value) => Number.isFinite(value));
  const costs = numbers('cost_usd');
  const items = goldKeys.size;
  const costUsd = predictions.columns.some((column) => column.toLowerCase() === 'cost_usd') ? costs.reduce((sum, value) => sum + value, 0) : null;
  const file = options.reportDir !== undefined && isAbsolute(options.predictionsFile) ? relative(options.reportDir, options.predictionsFile) : options.predictionsFile;
  return {
    name: options.name,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
    taxonomy: taxonomy.name,
    predictionsFile: file,
    items,
    labelled: items - evaluation.missing,
    metrics: evaluationToJson(evaluation),
    costUsd,
    costPer1000: costUsd === null || items === 0 ? null : (costUsd / items) * 1000,
    latency: latencyOf(numbers('duration_ms')),
    coverage: evaluation.coverage,
    ...(options.reused === undefined ? {} : { reused: options.reused }),
  };
}
