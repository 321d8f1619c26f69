import { resolve } from 'node:path';
import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { counted } from '../plural.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
import { RunStore } from '../../store/run-store.js';
import { EXPORT_FORMATS, type ExportFormat, exportRun } from '../../output/export-run.js';
import { findRun } from '../../store/find-run.js';
import { exportReviewedRun } from '../../review/export-reviewed.js';
import { checkOutputWritable, writeOutputFile } from '../../output/write-output-file.js';

interface ExportFlags {
  readonly db: string;
  readonly format: ExportFormat;
  readonly out?: string;
  readonly mediaUrl?: string;
  readonly reviewed?: boolean;
}

export const registerExportCommand: RegisterCommand = (program, io) => {
  program
    .command('export')
    .description("Write a run's results as CSV, JSONL, JSON or Label Studio tasks.")
    .argument('[run]', 'run id (default: the newest run)')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('csv'))
    .option('-o, --out <file>', 'write here instead of standard output')
    .option('--media-url <prefix>', 'Label Studio: prefix for media paths (default: its local-files storage URL)')
    .option('--reviewed', 'reviewed labels (emolabel review) win over model labels; each row says which (label_source)')
    .action(async (runId: string | undefined, flags: ExportFlags) => {
      const out = flags.out === undefined ? undefined : resolve(io.cwd, flags.out);
      if (out !== undefined) await checkOutputWritable(out, `--out ${flags.out}`);
      const store = RunStore.open(resolve(io.cwd, flags.db));
      try {
        const run = findRun(store, runId);
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
