import type { RegisterCommand } from '../register-command.js';
import { concurrencyOption, integerOption } from '../parse-option.js';
import { addProviderLimitOptions } from '../provider-limit-options.js';
import type { BenchFlags } from './bench-action.js';

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
    .option('--path-column <name>', 'manifest: the column of media paths (default: path, else the one of image, clip, video, file … present)')
    .option('--id-column <name>', 'manifest: the column of item ids (default: id when present, else ids from the paths)')
    .option('-f, --frames <n>', 'frames sampled evenly from each clip', integerOption(1))
    .option('-c, --concurrency <n|auto>', 'requests in flight within a cell (auto: start at 4, follow the provider); for the local model, clips at once (auto: 2)', concurrencyOption, 'auto')
    .option('--base-url <url>', 'endpoint of an OpenAI-compatible server')
    .option('--api-key-env <name>', "environment variable holding the API key (default: the provider's usual one)")
    .option('--title <text>', 'title of the report')
    .option('-q, --quiet', 'no progress output');
  addProviderLimitOptions(command, 'stop before the bench (all its cells, earlier sessions included) would cost more than this many dollars')
    .action(async (datasetPath: string, flags: BenchFlags) => {
      const { runBenchCommand } = await import('./bench-action.js');
      await runBenchCommand(datasetPath, flags, io, setExitCode);
    });
};
