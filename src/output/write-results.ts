import { extname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { csvSafeRow } from './csv-cell.js';
import { toCsvRow, toJsonRecord } from './result-row.js';
import { writeOutputFile } from './write-output-file.js';
import { EmolabelError } from '../errors.js';
import type { ClipResult } from '../pipeline/clip-result.js';

export type OutputFormat = 'csv' | 'jsonl' | 'json';

/** The format an output path asks for by its extension: .csv, .jsonl/.ndjson or .json. */
export function outputFormatOf(path: string): OutputFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  if (extension === '.json') return 'json';
  throw new EmolabelError('invalid_option', `Cannot tell the output format of "${path}": use a .csv, .jsonl or .json file name.`);
}

/** Serialises results in a format; `labels` are the taxonomy's labels (one probability column each). */
export function formatResults(results: readonly ClipResult[], format: OutputFormat, labels: readonly string[]): string {
  if (format === 'jsonl') return results.map((result) => JSON.stringify(toJsonRecord(result))).join('\n') + (results.length ? '\n' : '');
  if (format === 'json') return `${JSON.stringify(results.map(toJsonRecord), null, 2)}\n`;
  const includeFace = results.some((result) => result.faceIndex > 0);
  // Cells a spreadsheet would run as formulas (a file named =1+1.jpg, a rationale) are made text.
  const rows = results.map((result) => csvSafeRow(toCsvRow(result, labels, includeFace)));
  const header = rows[0] ? Object.keys(rows[0]) : ['id', 'path', 'label', 'confidence', 'status', 'error'];
  return stringify(rows, { header: true, columns: header });
}

/**
 * Writes results to `path` in the format its extension names, creating folders as needed; whole or
 * not at all (a temporary file in the same folder, renamed over `path`).
 */
export async function writeResults(path: string, results: readonly ClipResult[], labels: readonly string[]): Promise<void> {
  await writeOutputFile(path, formatResults(results, outputFormatOf(path), labels));
}
