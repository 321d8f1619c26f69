import { resolve } from 'node:path';
import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { counted } from '../plural.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
import { RunStore } from '../../store/run-store.js';
import { EXPORT_FORMATS, type ExportFormat, exportRun } from '../../output/export-run.js';
import { findRun } from '../../store/find-run.js';
import { exportReviewedRun, writeReviewedLabelStudioExport } from '../../review/export-reviewed.js';
import { type LabelStudioExport, writeLabelStudioExport } from '../../output/label-studio-export.js';
import { exportBatchJsonl } from '../../output/batch-jsonl.js';
import { EmolabelError } from '../../errors.js';
import { checkOutputWritable, writeOutputFile } from '../../output/write-output-file.js';

interface ExportFlags {
  readonly db: string;
  readonly format: ExportFormat;
  readonly out?: string;
  readonly mediaUrl?: string;
  readonly reviewed?: boolean;
  readonly batchJsonl?: boolean;
  readonly convertMedia: boolean;
  readonly folderFps?: number;
}

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
      const out = flags.out === undefined ? undefined : resolve(io.cwd, flags.out);
      if (out !== undefined) await checkOutputWritable(out, `--out ${flags.out}`);
      const store = RunStore.open(resolve(io.cwd, flags.db));
      try {
        const run = findRun(store, runId);
        if (flags.batchJsonl) {
          const { text, requests } = exportBatchJsonl(store, run);
          if (requests === 0) throw new EmolabelError('invalid_option', `Run ${run.id} has no requests waiting for a batch; make them with: emolabel annotate … --batch --no-wait`);
          if (out) await writeOutputFile(out, text);
          else io.stdout.write(text);
          io.stderr.write(`exported ${requests} requests of ${run.id} as OpenAI batch JSONL${flags.out ? ` → ${flags.out}` : ''}; run them (vllm run-batch -i … -o results.jsonl), then: emolabel import-batch results.jsonl\n`);
          return;
        }
        if (flags.format === 'label-studio' && out !== undefined) {
          const options = {
            mediaUrlPrefix: flags.mediaUrl, convertMedia: flags.convertMedia, folderFps: flags.folderFps,
            onWarning: (message: string) => io.stderr.write(`warning: ${message}\n`),
          };
          const written = flags.reviewed ? await writeReviewedLabelStudioExport(store, run, out, options) : await writeLabelStudioExport(store.getResults(run.id), out, { ...options, inputs: run.inputs, labels: run.labels });
          io.stderr.write(describeLabelStudioExport(run.id, written));
          return;
        }
        const text = flags.reviewed
          ? exportReviewedRun(store, run, flags.format, { mediaUrlPrefix: flags.mediaUrl })
          : exportRun(store, run, flags.format, { mediaUrlPrefix: flags.mediaUrl });
        if (flags.out) {
          // Whole or not at all: an earlier export at this path stays intact if writing fails.
          await writeOutputFile(out ?? resolve(io.cwd, flags.out), text);
          io.stderr.write(`exported ${run.id} (${run.done}/${counted(run.total, 'item')}) as ${flags.format} → ${flags.out}\n`);
        } else {
          io.stdout.write(text);
        }
      } finally {
        store.close();
      }
    });
};

function describeLabelStudioExport(runId: string, written: LabelStudioExport): string {
  const lines = written.projects.map((project) => `exported ${runId}: ${project.tasks} ${project.shownAs} tasks → ${project.tasksFile}, labelling config → ${project.configFile}`);
  if (written.mediaFolder) lines.push(`${written.converted} GIFs and frame folders as MP4 → ${written.mediaFolder} (serve it from the same root as your media)`);
  if (written.projects.length > 1) lines.push('images and clips need one Label Studio project each: import each tasks file with its config');
  return `${lines.join('\n')}\n`;
}
