import { resolve } from 'node:path';
import type { CliIo } from '../cli-io.js';
import { counted } from '../plural.js';
import type { ExportFormat } from '../../output/export-formats.js';
import { exportRun } from '../../output/export-run.js';
import { RunStore } from '../../store/run-store.js';
import { findRun } from '../../store/find-run.js';
import { exportReviewedRun, writeReviewedLabelStudioExport } from '../../review/export-reviewed.js';
import { type LabelStudioExport, writeLabelStudioExport } from '../../output/label-studio-export.js';
import { exportBatchJsonl } from '../../output/batch-jsonl.js';
import { EmolabelError } from '../../errors.js';
import { checkOutputWritable, writeOutputFile } from '../../output/write-output-file.js';

export interface ExportFlags {
  readonly db: string;
  readonly format: ExportFormat;
  readonly out?: string;
  readonly mediaUrl?: string;
  readonly reviewed?: boolean;
  readonly batchJsonl?: boolean;
  readonly convertMedia: boolean;
  readonly folderFps?: number;
}

/** What `emolabel export` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runExportCommand(runId: string | undefined, flags: ExportFlags, io: CliIo): Promise<void> {
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
}

function describeLabelStudioExport(runId: string, written: LabelStudioExport): string {
  const lines = written.projects.map((project) => `exported ${runId}: ${project.tasks} ${project.shownAs} tasks → ${project.tasksFile}, labelling config → ${project.configFile}`);
  if (written.mediaFolder) lines.push(`${written.converted} GIFs and frame folders as MP4 → ${written.mediaFolder} (serve it from the same root as your media)`);
  if (written.projects.length > 1) lines.push('images and clips need one Label Studio project each: import each tasks file with its config');
  return `${lines.join('\n')}\n`;
}
