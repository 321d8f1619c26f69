import { basename, extname, relative } from 'node:path';
import { countByLabel } from '../datasets/dataset-labels.js';
import { EmolabelError } from '../errors.js';
import { type Evaluation, evaluatePredictions } from '../eval/evaluate-predictions.js';
import { type LabelTable, readLabelCsv } from '../eval/read-label-csv.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';
import { buildReportCell } from './build-report-cell.js';
import { writeReport } from './write-report.js';

/** What {@link evaluateFiles} scores: prediction files against gold labels, as `emolabel eval` does. */
export interface EvaluateFilesOptions {
  /** Prediction CSVs (absolute paths): `annotate --out` files or any CSV with id and label columns. */
  readonly predictions: readonly string[];
  /** A gold-label CSV (absolute path). @default each predictions file's `truth` column */
  readonly truth?: string;
  readonly taxonomy: Taxonomy;
  /** Count gold items without a prediction as wrong instead of leaving them out. @default false */
  readonly strict?: boolean;
  /** Column the files are matched on. @default id, else the first column */
  readonly idColumn?: string;
  /** @default 'label' */
  readonly predictionLabelColumn?: string;
  /** @default 'label' in a truth file, 'truth' in the predictions */
  readonly truthLabelColumn?: string;
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
  const truthColumn = options.truthLabelColumn ?? (options.truth === undefined ? 'truth' : 'label');
  if (options.truth === undefined && !predictionColumns.some((column) => column.toLowerCase() === truthColumn.toLowerCase())) {
    throw new EmolabelError('invalid_option', `Give the gold labels with \`truth\` <csv>: the predictions ${predictionsFile} have no "${truthColumn}" column to take them from.`);
  }
  return readLabelCsv(options.truth ?? predictionsFile, {
    taxonomy: options.taxonomy, role: 'truth', idColumn: options.idColumn, labelColumn: truthColumn, requireLabels: options.truth !== undefined,
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
    const predictions = readLabelCsv(file, { taxonomy: options.taxonomy, role: 'predictions', idColumn: options.idColumn, labelColumn: options.predictionLabelColumn ?? 'label' });
    const truth = readTruth(options, file, predictions.columns);
    return { file, name: names[index] ?? file, truth, evaluation: evaluatePredictions(predictions, truth, { taxonomy: options.taxonomy, strict: options.strict }) };
  });
}

/** Writes `report.json` and a self-contained `report.html` (one row per scored file) to `dir`; resolves to their paths. */
export async function writeEvaluationReport(
  dir: string,
  scored: readonly FileEvaluation[],
  options: Pick<EvaluateFilesOptions, 'taxonomy' | 'strict' | 'idColumn' | 'predictionLabelColumn'> & { readonly title?: string },
): Promise<{ json: string; html: string }> {
  const { taxonomy } = options;
  const cells = scored.map(({ file, name, truth }) =>
    buildReportCell({
      name, predictionsFile: file, truth, taxonomy, strict: options.strict ?? false, reportDir: dir,
      labelColumn: options.predictionLabelColumn ?? 'label', ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
    }),
  );
  const gold = scored[0]?.truth;
  const perLabel = Object.fromEntries(countByLabel(gold?.rows.flatMap((row) => (row.label === undefined ? [] : [{ label: row.label }])) ?? [], taxonomy.labels).map(({ label, count }) => [label, count]));
  return writeReport(dir, {
    title: options.title ?? `emolabel eval: ${scored.map(({ name }) => name).join(', ')}`,
    createdAt: new Date().toISOString(),
    source: { kind: 'truth CSV', path: gold?.file ?? '', items: Object.values(perLabel).reduce((sum, count) => sum + count, 0), perLabel: { [taxonomy.name]: perLabel } },
    strict: options.strict ?? false,
    cells,
    failures: [],
  });
}
