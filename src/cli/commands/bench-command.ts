import { relative, resolve } from 'node:path';
import type { RegisterCommand } from '../register-command.js';
import { EXIT } from '../cli-io.js';
import { createInterruptController } from '../interrupt-controller.js';
import { integerOption } from '../parse-option.js';
import { addProviderLimitOptions, type ProviderLimitFlags, resilienceOptionsFromFlags } from '../provider-limit-options.js';
import { datasetLoadOptions } from './dataset-command.js';
import { detectDatasetKind, getDatasetLoader } from '../../datasets/dataset-registry.js';
import { formatMetric } from '../../eval/format-metrics.js';
import { runMatrix } from '../../matrix/run-matrix.js';

/** Parsed flags of `emolabel bench`. */
export interface BenchFlags extends ProviderLimitFlags {
  readonly out: string;
  readonly models: string;
  readonly strategies: string;
  readonly prompts: string;
  readonly taxonomies: string;
  readonly limit?: number;
  readonly datasetKind?: string;
  readonly scene?: string;
  readonly framesRoot?: string;
  readonly frames?: number;
  readonly concurrency: number;
  readonly baseUrl?: string;
  readonly apiKeyEnv?: string;
  readonly title?: string;
  readonly quiet?: boolean;
  /** The run store; default `<out>/bench.db`. */
  readonly db?: string;
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function listOption(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

export const registerBenchCommand: RegisterCommand = (program, io, setExitCode) => {
  const command = program
    .command('bench')
    .description('Run a matrix of models × strategies × prompts × taxonomies on a labelled dataset; write report.json and a self-contained report.html.')
    .argument('<dataset>', 'a folder per class, a path,label manifest CSV, or a FERV39k split list')
    .requiredOption('-o, --out <dir>', 'output folder: report.json, report.html, bench.db and <cell>/predictions.csv')
    .option('--db <path>', 'run store (SQLite) holding one run per cell and the response cache (default: <out>/bench.db; .emolabel/emolabel.db shares the cache with annotate)')
    .option('--models <ids>', 'comma-separated annotators, provider:model', 'local')
    .option('--strategies <names>', 'comma-separated strategies (frame, mean, multi, grid …)', 'frame')
    .option('--prompts <modes>', 'comma-separated LLM prompt modes (direct, au-cot …); the local model ignores them', 'direct')
    .option('--taxonomies <names>', 'comma-separated taxonomies: basic7, ternary, or .json files', 'basic7')
    .option('--limit <n>', 'label only n clips, drawn round-robin across labels', integerOption(1))
    .option('--dataset-kind <kind>', 'folder, manifest or ferv39k (default: guessed from the path)')
    .option('--scene <name>', 'ferv39k: keep only this scene (e.g. DailyLife)')
    .option('--frames-root <dir>', 'ferv39k: folder holding <Scene>/<Emotion>/<clip> frame folders')
    .option('-f, --frames <n>', 'frames sampled evenly from each clip', integerOption(1))
    .option('-c, --concurrency <n>', 'clips labelled at once', integerOption(1), 2)
    .option('--base-url <url>', 'endpoint of an OpenAI-compatible server')
    .option('--api-key-env <name>', "environment variable holding the API key (default: the provider's usual one)")
    .option('--title <text>', 'title of the report')
    .option('-q, --quiet', 'no progress output');
  addProviderLimitOptions(command, 'stop before the bench (all its cells, earlier sessions included) would cost more than this many dollars')
    .action(async (datasetPath: string, flags: BenchFlags) => {
      const path = resolve(io.cwd, datasetPath);
      const kind = flags.datasetKind ?? detectDatasetKind(path);
      const dataset = await getDatasetLoader(kind).load(path, datasetLoadOptions(kind, flags, io.cwd));
      const outDir = resolve(io.cwd, flags.out);
      const log = (text: string) => (flags.quiet ? undefined : io.stderr.write(text));
      const interrupt = createInterruptController(io);
      const bench = runMatrix({
        dataset,
        outDir,
        ...(flags.db === undefined ? {} : { db: resolve(io.cwd, flags.db) }),
        stopSignal: interrupt.signal,
        models: listOption(flags.models),
        strategies: listOption(flags.strategies),
        prompts: listOption(flags.prompts),
        taxonomies: listOption(flags.taxonomies),
        concurrency: flags.concurrency,
        ...(flags.limit === undefined ? {} : { limit: flags.limit }),
        ...(flags.frames === undefined ? {} : { frames: flags.frames }),
        ...(flags.scene === undefined ? {} : { scene: flags.scene }),
        ...(flags.title === undefined ? {} : { title: flags.title }),
        annotatorSettings: { baseUrl: flags.baseUrl, apiKeyEnv: flags.apiKeyEnv, env: io.env },
        cache: flags.cache,
        ...(flags.maxCost === undefined ? {} : { maxCostUsd: flags.maxCost }),
        resilience: resilienceOptionsFromFlags(flags),
        onWarning: (warning) => io.stderr.write(`Warning: ${warning}\n`),
        onCell: (event) => {
          const prefix = `[${event.index + 1}/${event.total}] ${event.cell.name}`;
          if (event.phase === 'start') log(`${prefix}: ${event.pending} clip(s)\n`);
          else if (event.phase === 'failed') log(`${prefix}: failed: ${event.error}\n`);
          else if (event.phase === 'interrupted') log(`${prefix}: ${event.error}\n`);
          else {
            const cell = event.result;
            log(`${prefix}: WAR ${formatMetric(cell?.metrics.accuracy)}  UAR ${formatMetric(cell?.metrics.balancedAccuracy)}  macro-F1 ${formatMetric(cell?.metrics.macroF1)}${event.reused ? `  (${event.reused} reused)` : ''}\n`);
          }
        },
      }).finally(interrupt.dispose);
      const { report, files, interrupted, budgetReached } = await bench;
      const shown = (file: string) => (relative(io.cwd, file).startsWith('..') ? file : relative(io.cwd, file));
      if (interrupted) {
        io.stdout.write(`${report.cells.length} cell(s) scored before the interruption: ${shown(files.html)}, ${shown(files.json)}\n`);
        io.stderr.write('emolabel: bench interrupted; run the same command again to resume (finished cells are reused, the rest pick up where they stopped).\n');
        return setExitCode(EXIT.interrupted);
      }
      if (budgetReached !== undefined) {
        io.stdout.write(`${report.cells.length} cell(s) scored before the budget ran out: ${shown(files.html)}, ${shown(files.json)}\n`);
        io.stderr.write(`emolabel: ${budgetReached}\n`);
        return setExitCode(EXIT.budgetReached);
      }
      const failed = report.failures.length > 0 ? `, ${report.failures.length} failed (${report.failures.map((failure) => failure.name).join(', ')})` : '';
      io.stdout.write(`${report.cells.length} cell(s) scored${failed}: ${shown(files.html)}, ${shown(files.json)}\n`);
      setExitCode(report.failures.length > 0 ? EXIT.someItemsFailed : EXIT.ok);
    });
};
