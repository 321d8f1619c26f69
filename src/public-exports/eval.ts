// `emolabel/eval`: scoring predictions against gold labels (metrics, coverage, label CSVs) and the
// dataset loaders that read gold labels. Loads no CLI, web server or chart code.
export {
  computeClassificationMetrics, confusionMatrix,
  type ClassificationMetrics, type ClassMetrics, type ConfusionMatrix, type LabelPair,
} from '../eval/classification-metrics.js';
export { accuracyCoverageCurve, thresholdForAccuracy, type CoveragePoint, type ScoredPrediction } from '../eval/confidence-coverage.js';
export { evaluatePredictions, type Evaluation, type EvaluateOptions } from '../eval/evaluate-predictions.js';
export { evaluationToJson, formatEvaluation, formatMetrics, type EvaluationJson } from '../eval/format-metrics.js';
export { createLabelTable, matchKey, readLabelCsv, type LabelRow, type LabelTable, type ReadLabelCsvOptions } from '../eval/read-label-csv.js';
export { isLabelStudioExport, labelStudioTaskId, readLabelStudioExport, type LabelStudioSource, type ReadLabelStudioExportOptions } from '../eval/read-label-studio-export.js';

export type { Dataset, DatasetItem, DatasetLoader, DatasetLoadOptions } from '../datasets/dataset-loader.js';
export { detectDatasetKind, getDatasetLoader, listDatasetLoaders, registerDatasetLoader } from '../datasets/dataset-registry.js';
export { countByLabel, countOnDisk, normaliseDatasetLabels, writeTruthCsv } from '../datasets/dataset-labels.js';
export { folderPerClassLoader } from '../datasets/folder-per-class-loader.js';
export { manifestLoader } from '../datasets/manifest-loader.js';
export { ferv39kLoader, parseFerv39kList, type Ferv39kEntry } from '../datasets/ferv39k-loader.js';
export { evaluateFiles, type EvaluateFilesOptions, type FileEvaluation } from '../eval/evaluate-files.js';
