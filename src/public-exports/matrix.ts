// `emolabel/matrix`: the benchmark matrix behind `emolabel bench` (models × strategies × prompts × taxonomies
// on a dataset) and the report it is scored into (report.json, report.html, charts). The Bench* names are the
// names these had before src/matrix/ (at the package root then), kept so code using them still builds.
import { type MatrixCellEvent, type MatrixOptions, runMatrix } from '../matrix/run-matrix.js';
import { matrixCellName, planMatrixCells, selectMatrixItems, type MatrixCellPlan, type MatrixSpec } from '../matrix/matrix-spec.js';

export { runMatrix, type MatrixCellEvent, type MatrixOptions, type MatrixResult } from '../matrix/run-matrix.js';
export { matrixCellName, planMatrixCells, selectMatrixItems, type MatrixCellPlan, type MatrixSpec } from '../matrix/matrix-spec.js';

export type { BenchReport, LatencySummary, ReportCell, ReportSource } from '../report/report-types.js';
export { buildReportCell, type BuildReportCellOptions } from '../report/build-report-cell.js';
export { buildReportHtml } from '../report/report-html.js';
export { writeReport } from '../report/write-report.js';
export { renderChartSvg } from '../report/render-chart.js';

/** @deprecated Use {@link runMatrix}; same function. */
export const runBench: typeof runMatrix = runMatrix;
/** @deprecated Use {@link MatrixCellEvent}. */
export type BenchCellEvent = MatrixCellEvent;
/** @deprecated Use {@link MatrixOptions}. */
export type BenchOptions = MatrixOptions;
/** @deprecated Use {@link matrixCellName}; same function. */
export const benchCellName: typeof matrixCellName = matrixCellName;
/** @deprecated Use {@link planMatrixCells}; same function. */
export const planBenchCells: typeof planMatrixCells = planMatrixCells;
/** @deprecated Use {@link selectMatrixItems}; same function. */
export const selectBenchItems: typeof selectMatrixItems = selectMatrixItems;
/** @deprecated Use {@link MatrixCellPlan}. */
export type BenchCellPlan = MatrixCellPlan;
/** @deprecated Use {@link MatrixSpec}. */
export type BenchMatrix = MatrixSpec;
export { writeEvaluationReport } from '../report/evaluation-report.js';
