import type { CoveragePoint } from '../eval/confidence-coverage.js';
import type { EvaluationJson } from '../eval/format-metrics.js';

/** Seconds a clip took to label, over the clips that report a duration. */
export interface LatencySummary {
  readonly meanMs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly clips: number;
}

/** One scored set of predictions: a cell of the bench matrix, or one predictions CSV given to eval. */
export interface ReportCell {
  /** Unique name, also the cell's folder under a bench output (`local__frame__direct__basic7`). */
  readonly name: string;
  readonly model?: string;
  readonly strategy?: string;
  readonly prompt?: string;
  readonly taxonomy: string;
  /** The predictions CSV, relative to the report's folder when inside it. */
  readonly predictionsFile: string;
  /** Gold items in the cell. */
  readonly items: number;
  /** Gold items with a predicted label. */
  readonly labelled: number;
  /** Metrics over the gold items (`strict`: items without a label count wrong). */
  readonly metrics: EvaluationJson;
  /** Total provider cost of the cell, when the CSV has a `cost_usd` column. */
  readonly costUsd: number | null;
  /** Cost per 1,000 clips: costUsd / items × 1000. */
  readonly costPer1000: number | null;
  readonly latency: LatencySummary | null;
  /** Accuracy against coverage when only labels at or above a confidence threshold are accepted. */
  readonly coverage: readonly CoveragePoint[];
  /** Predictions were already on disk and reused (bench resume). */
  readonly reused?: boolean;
}

/** What the report is about: the dataset (or truth CSV) the cells were scored on. */
export interface ReportSource {
  readonly kind: string;
  readonly path: string;
  readonly scene?: string;
  readonly items: number;
  /** Gold items per label, per taxonomy scored. */
  readonly perLabel: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The content of `report.json`; `report.html` is drawn from it. */
export interface BenchReport {
  readonly title: string;
  readonly createdAt: string;
  readonly source: ReportSource;
  /** The dimensions of the matrix, when the report comes from `emolabel bench`. */
  readonly matrix?: {
    readonly models: readonly string[];
    readonly strategies: readonly string[];
    readonly prompts: readonly string[];
    readonly taxonomies: readonly string[];
    readonly limit?: number;
  };
  /** Items without a label were counted wrong. */
  readonly strict: boolean;
  readonly cells: readonly ReportCell[];
  /** Cells that could not run, with the reason. */
  readonly failures: ReadonlyArray<{ readonly name: string; readonly error: string }>;
}
