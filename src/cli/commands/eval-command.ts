import { resolve } from 'node:path';
import type { RegisterCommand } from '../main.js';
import { EXIT } from '../cli-io.js';
import { EmolabelError } from '../../errors.js';
import { evaluatePredictions } from '../../eval/evaluate-predictions.js';
import { evaluationToJson, formatEvaluation } from '../../eval/format-metrics.js';
import { readLabelCsv } from '../../eval/read-label-csv.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';

/** Parsed flags of `emolabel eval`. */
export interface EvalFlags {
  readonly pred: string;
  readonly truth?: string;
  readonly taxonomy: string;
  readonly strict?: boolean;
  readonly json?: boolean;
  readonly idColumn?: string;
  readonly predLabel: string;
  readonly truthLabel: string;
}

export const registerEvalCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('eval')
    .description('Score predictions against gold labels: accuracy (WAR), balanced accuracy (UAR), macro precision/recall/F1, kappa, per class, confusion matrix.')
    .requiredOption('-p, --pred <csv>', 'predictions: annotate --out CSV or any CSV with id and label columns')
    .option('--truth <csv>', "gold labels: a CSV with id and label columns (default: the predictions' truth column, from annotate --manifest)")
    .option('-t, --taxonomy <name|file>', 'basic7, ternary (collapses both sides), or a taxonomy .json file', 'basic7')
    .option('--strict', 'count gold items without a prediction as wrong instead of leaving them out')
    .option('--json', 'print the metrics as one JSON object')
    .option('--id-column <name>', 'column the two files are matched on (default: id, else the first column)')
    .option('--pred-label <column>', 'column of the predictions holding the label', 'label')
    .option('--truth-label <column>', 'column of the truth file holding the label (default: label, or truth when reading it from the predictions)')
    .action((flags: EvalFlags) => {
      const taxonomy = resolveTaxonomy(flags.taxonomy);
      const predFile = resolve(io.cwd, flags.pred);
      const truthFile = flags.truth === undefined ? predFile : resolve(io.cwd, flags.truth);
      const predictions = readLabelCsv(predFile, { taxonomy, role: 'predictions', idColumn: flags.idColumn, labelColumn: flags.predLabel });
      if (flags.truth === undefined && !predictions.columns.some((column) => column.toLowerCase() === (flags.truthLabel ?? 'truth').toLowerCase())) {
        throw new EmolabelError(
          'invalid_option',
          `Give the gold labels with --truth <csv>: the predictions ${predFile} have no "${flags.truthLabel ?? 'truth'}" column to take them from.`,
        );
      }
      const truth = readLabelCsv(truthFile, {
        taxonomy,
        role: 'truth',
        idColumn: flags.idColumn,
        labelColumn: flags.truthLabel ?? (flags.truth === undefined ? 'truth' : 'label'),
        requireLabels: flags.truth !== undefined,
      });
      const evaluation = evaluatePredictions(predictions, truth, { taxonomy, strict: flags.strict });
      if (flags.json) io.stdout.write(`${JSON.stringify(evaluationToJson(evaluation), null, 2)}\n`);
      else io.stdout.write(formatEvaluation(evaluation, { predictions: flags.pred, truth: flags.truth ?? `${flags.pred} (truth column)` }));
      setExitCode(EXIT.ok);
    });
};
