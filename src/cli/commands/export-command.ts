import { resolve } from 'node:path';
import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
import { RunStore } from '../../store/run-store.js';
import { EXPORT_FORMATS, type ExportFormat, exportRun } from '../../output/export-run.js';
import { findRun } from '../../store/find-run.js';
import { exportReviewedRun } from '../../review/export-reviewed.js';
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
        const text = flags.reviewed
          ? exportReviewedRun(store, run, flags.format, { mediaUrlPrefix: flags.mediaUrl })
          : exportRun(store, run, flags.format, { mediaUrlPrefix: flags.mediaUrl });
        if (flags.out) {
          // Whole or not at all: an earlier export at this path stays intact if writing fails.
          await writeOutputFile(out ?? resolve(io.cwd, flags.out), text);
          io.stderr.write(`exported ${run.id} (${run.done}/${run.total} items) as ${flags.format} → ${flags.out}\n`);
        } else {
          io.stdout.write(text);
        }
      } finally {
        store.close();
      }
    });
};
