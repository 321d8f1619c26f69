import { relative, resolve } from 'node:path';
import { type CliIo, EXIT } from '../cli-io.js';
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

/** What `emolabel eval` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runEvalCommand(flags: EvalFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
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
}
