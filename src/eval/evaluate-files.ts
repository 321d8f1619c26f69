import { basename, extname, relative } from 'node:path';
import { EmolabelError } from '../errors.js';
import { type Evaluation, evaluatePredictions } from './evaluate-predictions.js';
import { LABEL_COLUMN_NAMES, type LabelTable, PREDICTION_COLUMN_NAMES, readLabelCsv, type UnknownLabelPolicy } from './read-label-csv.js';
import { isLabelStudioExport, type LabelStudioSource, readLabelStudioExport } from './read-label-studio-export.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';

/** What {@link evaluateFiles} scores: prediction files against gold labels, as `emolabel eval` does. */
export interface EvaluateFilesOptions {
  /** Prediction CSVs (absolute paths): `annotate --out` files, any CSV with id and label columns, or Label Studio JSON exports. */
  readonly predictions: readonly string[];
  /** A gold-label CSV or a Label Studio JSON export (absolute path). @default each predictions file's `truth` column */
  readonly truth?: string;
  readonly taxonomy: Taxonomy;
  /** Count gold items without a prediction as wrong instead of leaving them out. @default false */
  readonly strict?: boolean;
  /** Column the files are matched on. @default id, else the first usual item column (path, image, clip, video, file …), else the first column */
  readonly idColumn?: string;
  /** Column of media paths, matched when ids differ. @default 'path' */
  readonly pathColumn?: string;
  /** Predictions with a label the taxonomy does not know: counted `wrong`, `skip`ped, or an `error`. @default 'wrong' */
  readonly unknownLabels?: UnknownLabelPolicy;
  /** @default prediction, predicted, pred, else label (or emotion, expression, class) */
  readonly predictionLabelColumn?: string;
  /** @default 'label' (or emotion, expression, class) in a truth file, 'truth' in the predictions */
  readonly truthLabelColumn?: string;
  /**
   * What a Label Studio JSON export given as predictions is read from: its `annotations` (another
   * team's labels) or its `predictions` (a model's). A truth export is always read from its annotations.
   * @default 'annotations'
   */
  readonly predictionSource?: LabelStudioSource;
}

/** One scored predictions file. */
export interface FileEvaluation {
  readonly file: string;
  /** Its name in reports: the file name without extension, or its path relative to `cwd` when names repeat. */
  readonly name: string;
  readonly evaluation: Evaluation;
  readonly truth: LabelTable;
}

function readTruth(options: EvaluateFilesOptions, predictionsFile: string, predictionColumns: readonly string[]): LabelTable {
  if (options.truth !== undefined && isLabelStudioExport(options.truth)) return readLabelStudioExport(options.truth, { taxonomy: options.taxonomy, role: 'truth', source: 'annotations' });
  const truthColumn = options.truthLabelColumn ?? (options.truth === undefined ? 'truth' : undefined);
  if (options.truth === undefined && truthColumn !== undefined && !predictionColumns.some((column) => column.toLowerCase() === truthColumn.toLowerCase())) {
    throw new EmolabelError('invalid_option', `Give the gold labels with \`truth\` <csv>: the predictions ${predictionsFile} have no "${truthColumn}" column to take them from.`);
  }
  return readLabelCsv(options.truth ?? predictionsFile, {
    taxonomy: options.taxonomy, role: 'truth', idColumn: options.idColumn, pathColumn: options.pathColumn, labelColumn: truthColumn, requireLabels: options.truth !== undefined,
  });
}

/** A name per predictions file: its name without extension, or its path when names repeat. */
function fileNames(files: readonly string[], cwd: string): string[] {
  const stems = files.map((file) => basename(file, extname(file)));
  return stems.map((stem, index) => (stems.indexOf(stem) === stems.lastIndexOf(stem) ? stem : relative(cwd, files[index] ?? '')));
}

/**
 * Scores each predictions file against the gold labels: accuracy, balanced accuracy, per-class
 * precision/recall/F1, kappa, the confusion matrix.
 * @example const [scored] = evaluateFiles({ predictions: ['/runs/labels.csv'], truth: '/data/gold.csv', taxonomy: basic7 });
 */
export function evaluateFiles(options: EvaluateFilesOptions, cwd = process.cwd()): FileEvaluation[] {
  const names = fileNames(options.predictions, cwd);
  return options.predictions.map((file, index) => {
    const predictions = isLabelStudioExport(file)
      ? readLabelStudioExport(file, { taxonomy: options.taxonomy, role: 'predictions', source: options.predictionSource ?? 'annotations', unknownLabels: options.unknownLabels ?? 'wrong' })
      : readLabelCsv(file, {
        taxonomy: options.taxonomy, role: 'predictions', idColumn: options.idColumn, pathColumn: options.pathColumn,
        labelColumn: options.predictionLabelColumn, labelColumnNames: [...PREDICTION_COLUMN_NAMES, ...LABEL_COLUMN_NAMES], unknownLabels: options.unknownLabels ?? 'wrong',
      });
    const truth = readTruth(options, file, predictions.columns);
    return { file, name: names[index] ?? file, truth, evaluation: evaluatePredictions(predictions, truth, { taxonomy: options.taxonomy, strict: options.strict }) };
  });
}
