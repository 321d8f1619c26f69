import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import { EXPORT_FORMATS } from '../../output/export-formats.js';
import type { ExportFlags } from './export-action.js';

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`Expected --folder-fps to be a number above 0, got \`${value}\``);
  return number;
}

export const registerExportCommand: RegisterCommand = (program, io) => {
  program
    .command('export')
    .description("Write a run's results as CSV, JSONL, JSON or Label Studio tasks.")
    .argument('[run]', 'run id (default: the newest run)')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('csv'))
    .option('-o, --out <file>', 'write here instead of standard output')
    .option('--media-url <prefix>', 'Label Studio: URL prefix for media paths relative to the input root (default: its local-files storage URL of the absolute path)')
    .option('--no-convert-media', 'Label Studio: leave GIFs and frame folders as they are (image tasks) instead of writing H.264 MP4 beside the export')
    .option('--folder-fps <n>', 'Label Studio: frame rate of a frame folder made into MP4 (default: 25)', positiveNumber)
    .option('--reviewed', 'reviewed labels (emolabel review) win over model labels; each row says which (label_source)')
    .option('--batch-jsonl', 'instead of results: the requests waiting for a batch (annotate --batch), as OpenAI batch JSONL that `vllm run-batch` reads; read its output back with emolabel import-batch')
    .action(async (runId: string | undefined, flags: ExportFlags) => {
      const { runExportCommand } = await import('./export-action.js');
      await runExportCommand(runId, flags, io);
    });
};
