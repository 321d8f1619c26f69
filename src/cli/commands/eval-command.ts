import { basename, extname, relative, resolve } from 'node:path';
import type { RegisterCommand } from '../register-command.js';
import { EXIT } from '../cli-io.js';
import { EmolabelError } from '../../errors.js';
import { type Evaluation, evaluatePredictions } from '../../eval/evaluate-predictions.js';
import { evaluationToJson, formatEvaluation } from '../../eval/format-metrics.js';
import { type LabelTable, readLabelCsv } from '../../eval/read-label-csv.js';
import { buildReportCell } from '../../report/build-report-cell.js';
import { writeReport } from '../../report/write-report.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';
import { countByLabel } from '../../datasets/dataset-labels.js';
import type { Taxonomy } from '../../taxonomy/taxonomy.js';

/** Parsed flags of `emolabel eval`. */
export interface EvalFlags {
  readonly pred: string[];
  readonly truth?: string;
  readonly taxonomy: string;
  readonly strict?: boolean;
  readonly json?: boolean;
  readonly idColumn?: string;
  readonly predLabel: string;
  readonly truthLabel?: string;
  readonly report?: string;
  readonly title?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function readTruth(flags: EvalFlags, predFile: string, predColumns: readonly string[], taxonomy: Taxonomy, cwd: string): LabelTable {
  const truthColumn = flags.truthLabel ?? (flags.truth === undefined ? 'truth' : 'label');
  if (flags.truth === undefined && !predColumns.some((column) => column.toLowerCase() === truthColumn.toLowerCase())) {
    throw new EmolabelError('invalid_option', `Give the gold labels with --truth <csv>: the predictions ${predFile} have no "${truthColumn}" column to take them from.`);
  }
  return readLabelCsv(flags.truth === undefined ? predFile : resolve(cwd, flags.truth), {
    taxonomy,
    role: 'truth',
    idColumn: flags.idColumn,
    labelColumn: truthColumn,
    requireLabels: flags.truth !== undefined,
  });
}

/** A cell name per predictions file: its name without extension, or its path when names repeat. */
function cellNames(files: readonly string[], cwd: string): string[] {
  const stems = files.map((file) => basename(file, extname(file)));
  return stems.map((stem, index) => (stems.indexOf(stem) === stems.lastIndexOf(stem) ? stem : relative(cwd, files[index] ?? '')));
}

export const registerEvalCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('eval')
    .description('Score predictions against gold labels: accuracy (WAR), balanced accuracy (UAR), macro precision/recall/F1, kappa, per class, confusion matrix.')
    .option('-p, --pred <csv>', 'predictions: annotate --out CSV or any CSV with id and label columns (repeat to compare several)', collect)
    .option('--truth <csv>', "gold labels: a CSV with id and label columns (default: the predictions' truth column, from annotate --manifest)")
    .option('-t, --taxonomy <name|file>', 'basic7, ternary (collapses both sides), or a taxonomy .json file', 'basic7')
    .option('--strict', 'count gold items without a prediction as wrong instead of leaving them out')
    .option('--json', 'print the metrics as one JSON object (an array of them for several --pred)')
    .option('--id-column <name>', 'column the files are matched on (default: id, else the first column)')
    .option('--pred-label <column>', 'column of the predictions holding the label', 'label')
    .option('--truth-label <column>', 'column of the truth file holding the label (default: label, or truth when reading it from the predictions)')
    .option('--report <dir>', 'also write report.json and a self-contained report.html (one row per --pred) to this folder')
    .option('--title <text>', 'title of the --report')
    .action(async (flags: EvalFlags) => {
      const predFiles = (flags.pred ?? []).map((file) => resolve(io.cwd, file));
      if (predFiles.length === 0) {
        throw new EmolabelError('invalid_option', 'Give the predictions with --pred <csv>. Example: emolabel eval --pred labels.csv --truth gold.csv');
      }
      const taxonomy = resolveTaxonomy(flags.taxonomy);
      const names = cellNames(predFiles, io.cwd);
      const evaluations: Array<{ file: string; evaluation: Evaluation; truth: LabelTable }> = predFiles.map((predFile) => {
        const predictions = readLabelCsv(predFile, { taxonomy, role: 'predictions', idColumn: flags.idColumn, labelColumn: flags.predLabel });
        const truth = readTruth(flags, predFile, predictions.columns, taxonomy, io.cwd);
        return { file: predFile, truth, evaluation: evaluatePredictions(predictions, truth, { taxonomy, strict: flags.strict }) };
      });
      const shown = (file: string) => (relative(io.cwd, file).startsWith('..') ? file : relative(io.cwd, file));
      if (flags.json) {
        const objects = evaluations.map(({ file, evaluation }) => (evaluations.length === 1 ? evaluationToJson(evaluation) : { predictions: shown(file), ...evaluationToJson(evaluation) }));
        io.stdout.write(`${JSON.stringify(evaluations.length === 1 ? objects[0] : objects, null, 2)}\n`);
      } else {
        const texts = evaluations.map(({ file, evaluation }) =>
          formatEvaluation(evaluation, { predictions: shown(file), truth: flags.truth ?? `${shown(file)} (truth column)` }),
        );
        io.stdout.write(texts.join('\n'));
      }
      if (flags.report !== undefined) {
        const dir = resolve(io.cwd, flags.report);
        const cells = evaluations.map(({ file, truth }, index) =>
          buildReportCell({
            name: names[index] ?? shown(file), predictionsFile: file, truth, taxonomy, strict: flags.strict ?? false, reportDir: dir,
            labelColumn: flags.predLabel, ...(flags.idColumn === undefined ? {} : { idColumn: flags.idColumn }),
          }),
        );
        const gold = evaluations[0]?.truth;
        const perLabel = Object.fromEntries(countByLabel(gold?.rows.flatMap((row) => (row.label === undefined ? [] : [{ label: row.label }])) ?? [], taxonomy.labels).map(({ label, count }) => [label, count]));
        const files = await writeReport(dir, {
          title: flags.title ?? `emolabel eval: ${names.join(', ')}`,
          createdAt: new Date().toISOString(),
          source: { kind: 'truth CSV', path: gold?.file ?? '', items: Object.values(perLabel).reduce((sum, count) => sum + count, 0), perLabel: { [taxonomy.name]: perLabel } },
          strict: flags.strict ?? false,
          cells,
          failures: [],
        });
        io.stderr.write(`Report: ${shown(files.html)}\n`);
      }
      setExitCode(EXIT.ok);
    });
};
