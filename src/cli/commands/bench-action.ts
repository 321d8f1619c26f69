import { relative, resolve } from 'node:path';
import { type CliIo, EXIT } from '../cli-io.js';
import { type ProviderLimitFlags, resilienceOptionsFromFlags } from '../provider-limit-options.js';
import { createInterruptController } from '../interrupt-controller.js';
import { datasetLoadOptions } from './dataset-action.js';
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
  readonly pathColumn?: string;
  readonly idColumn?: string;
  readonly frames?: number;
  readonly concurrency: number | 'auto';
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

/** What `emolabel bench` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runBenchCommand(datasetPath: string, flags: BenchFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
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
}
