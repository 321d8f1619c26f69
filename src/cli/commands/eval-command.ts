import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import type { EvalFlags } from './eval-action.js';

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
      const { runEvalCommand } = await import('./eval-action.js');
      await runEvalCommand(flags, io, setExitCode);
    });
};
