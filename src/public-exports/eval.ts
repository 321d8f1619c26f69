// Public API of evaluation, datasets and reports; re-exported from src/index.ts.
export {
  computeClassificationMetrics, confusionMatrix,
  type ClassificationMetrics, type ClassMetrics, type ConfusionMatrix, type LabelPair,
} from '../eval/classification-metrics.js';
export { accuracyCoverageCurve, thresholdForAccuracy, type CoveragePoint, type ScoredPrediction } from '../eval/confidence-coverage.js';
export { evaluatePredictions, type Evaluation, type EvaluateOptions } from '../eval/evaluate-predictions.js';
export { evaluationToJson, formatEvaluation, formatMetrics, type EvaluationJson } from '../eval/format-metrics.js';
export { createLabelTable, matchKey, readLabelCsv, type LabelRow, type LabelTable, type ReadLabelCsvOptions } from '../eval/read-label-csv.js';

export type { Dataset, DatasetItem, DatasetLoader, DatasetLoadOptions } from '../datasets/dataset-loader.js';
export { detectDatasetKind, getDatasetLoader, listDatasetLoaders, registerDatasetLoader } from '../datasets/dataset-registry.js';
export { countByLabel, countOnDisk, normaliseDatasetLabels, writeTruthCsv } from '../datasets/dataset-labels.js';
export { folderPerClassLoader } from '../datasets/folder-per-class-loader.js';
export { manifestLoader } from '../datasets/manifest-loader.js';
export { ferv39kLoader, parseFerv39kList, type Ferv39kEntry } from '../datasets/ferv39k-loader.js';

export type { BenchReport, LatencySummary, ReportCell, ReportSource } from '../report/report-types.js';
export { buildReportCell, type BuildReportCellOptions } from '../report/build-report-cell.js';
export { buildReportHtml } from '../report/report-html.js';
export { writeReport } from '../report/write-report.js';
export { renderChartSvg } from '../report/render-chart.js';
