import { EXPORT_FORMATS, type ExportFormat } from './export-formats.js';
import { labelStudioTasksText } from './label-studio-export.js';
import { formatResults } from './write-results.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { RunRecord, RunStore } from '../store/run-store.js';

export { EXPORT_FORMATS, type ExportFormat };

export interface ExportOptions {
  /** Prefix for media URLs in Label Studio tasks, followed by the path relative to the input root (default: its local-files storage URL). */
  readonly mediaUrlPrefix?: string;
  /** Rewrites results before they are written (the review layer uses it to apply reviewed labels). */
  readonly transform?: (results: ClipResult[], run: RunRecord) => ClipResult[];
}

/** A run's results in an export format, as text. */
export function exportRun(store: RunStore, run: RunRecord, format: ExportFormat, options: ExportOptions = {}): string {
  const stored = store.getResults(run.id);
  const results = options.transform ? options.transform(stored, run) : stored;
  if (format === 'label-studio') {
    // Without reading media: `writeLabelStudioExport` adds clip timing, MP4 conversion and config.xml.
    return labelStudioTasksText(results, { inputs: run.inputs, mediaUrlPrefix: options.mediaUrlPrefix });
  }
  return formatResults(results, format, run.labels);
}
