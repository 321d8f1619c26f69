import { relative, resolve } from 'node:path';
import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { EXIT } from '../cli-io.js';
import { EmolabelError } from '../../errors.js';
import { evaluationToJson, formatEvaluation } from '../../eval/format-metrics.js';
import { evaluateFiles } from '../../eval/evaluate-files.js';
import type { UnknownLabelPolicy } from '../../eval/read-label-csv.js';
import { writeEvaluationReport } from '../../report/evaluation-report.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';

/** Parsed flags of `emolabel eval`. */
export interface EvalFlags {
  readonly pred: string[];
  readonly truth?: string;
  readonly taxonomy: string;
  readonly strict?: boolean;
  readonly json?: boolean;
  readonly idColumn?: string;
  readonly pathColumn?: string;
  readonly unknownLabels: UnknownLabelPolicy;
  readonly predLabel?: string;
  readonly truthLabel?: string;
  readonly report?: string;
  readonly title?: string;
  readonly predSource: 'annotations' | 'predictions';
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const registerEvalCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('eval')
    .description('Score predictions against gold labels: accuracy (WAR), balanced accuracy (UAR), macro precision/recall/F1, kappa, per class, confusion matrix.')
    .option('-p, --pred <file>', 'predictions: annotate --out CSV, any CSV with id and label columns, or a Label Studio JSON export (repeat to compare several)', collect)
    .option('--truth <file>', "gold labels: a CSV with id and label columns, or a Label Studio JSON export (its annotations) (default: the predictions' truth column, from annotate --manifest)")
    .addOption(new Option('--pred-source <what>', 'a Label Studio export given as --pred: read its annotations or its predictions').choices(['annotations', 'predictions']).default('annotations'))
    .option('-t, --taxonomy <name|file>', 'basic7, basic8 (keeps Contempt), ternary (collapses both sides), or a taxonomy .json file', 'basic7')
    .option('--strict', 'count gold items without a prediction as wrong instead of leaving them out')
    .option('--json', 'print the metrics as one JSON object (an array of them for several --pred)')
    .option('--id-column <name>', 'column the files are matched on (default: id, else path, image, clip, video, file …, else the first column)')
    .option('--path-column <name>', 'column of media paths, matched (from each file\'s folder) when ids differ (default: path)')
    .addOption(new Option('--unknown-labels <policy>', 'predictions with a label outside the taxonomy: count them wrong, skip them, or stop with an error').choices(['wrong', 'skip', 'error']).default('wrong'))
    .option('--pred-label <column>', 'column of the predictions holding the label (default: prediction, predicted, pred, else label, emotion, expression, class)')
    .option('--truth-label <column>', 'column of the truth file holding the label (default: label, or truth when reading it from the predictions)')
    .option('--report <dir>', 'also write report.json and a self-contained report.html (one row per --pred) to this folder')
    .option('--title <text>', 'title of the --report')
    .action(async (flags: EvalFlags) => {
      const predFiles = (flags.pred ?? []).map((file) => resolve(io.cwd, file));
      if (predFiles.length === 0) {
        throw new EmolabelError('invalid_option', 'Give the predictions with --pred <csv>. Example: emolabel eval --pred labels.csv --truth gold.csv');
      }
      const taxonomy = resolveTaxonomy(flags.taxonomy);
      const options = {
        predictions: predFiles, ...(flags.truth === undefined ? {} : { truth: resolve(io.cwd, flags.truth) }), taxonomy, strict: flags.strict ?? false,
        idColumn: flags.idColumn, pathColumn: flags.pathColumn, unknownLabels: flags.unknownLabels,
        predictionLabelColumn: flags.predLabel, truthLabelColumn: flags.truthLabel, predictionSource: flags.predSource,
      };
      const evaluations = evaluateFiles(options, io.cwd);
      for (const warning of new Set(evaluations.flatMap(({ evaluation }) => evaluation.warnings))) io.stderr.write(`Warning: ${warning}\n`);
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
        const files = await writeEvaluationReport(resolve(io.cwd, flags.report), evaluations, { ...options, ...(flags.title === undefined ? {} : { title: flags.title }) });
        io.stderr.write(`Report: ${shown(files.html)}\n`);
      }
      setExitCode(EXIT.ok);
    });
};
