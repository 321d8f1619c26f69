import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { DatasetItem } from '../datasets/dataset-loader.js';
import { EmolabelError } from '../errors.js';
import type { ClipResult } from '../pipeline/clip-result.js';
import type { ItemRequestCost } from '../store/request-log.js';

/** Columns of a matrix cell's `predictions.csv`; `emolabel eval` reads it like any predictions CSV. */
export const MATRIX_PREDICTION_COLUMNS = ['id', 'path', 'label', 'confidence', 'status', 'error', 'cost_usd', 'duration_ms', 'input_tokens', 'output_tokens', 'truth'] as const;

type PredictionRecord = Record<(typeof MATRIX_PREDICTION_COLUMNS)[number], string>;

/**
 * A result as a matrix prediction row, under the dataset item's id and gold label (in the cell's taxonomy).
 * `measured`, the clip's logged requests, gives cost and tokens at what the answers cost when sent
 * (a cached answer is not free to get) and the time the requests took; without it the result's own values are used.
 */
export function matrixPredictionRow(item: Pick<DatasetItem, 'id' | 'path'>, truth: string, result: ClipResult, measured?: ItemRequestCost): PredictionRecord {
  return {
    id: item.id,
    path: item.path,
    label: result.label ?? '',
    confidence: result.confidence === undefined ? '' : String(Math.round(result.confidence * 1e4) / 1e4),
    status: result.status,
    error: result.error ?? '',
    cost_usd: String(measured?.usd ?? result.costUsd),
    duration_ms: String(measured?.durationMs ?? result.durationMs),
    input_tokens: String(measured?.inputTokens ?? result.usage.inputTokens),
    output_tokens: String(measured?.outputTokens ?? result.usage.outputTokens),
    truth,
  };
}

/**
 * Whether a cell's `predictions.csv` came from another tool (no `status` column): such a file is
 * scored as it is and the cell is not run. Undefined when there is no file.
 */
export function isForeignPredictions(file: string): boolean | undefined {
  if (!existsSync(file)) return undefined;
  let header: string[] | undefined;
  try {
    [header] = parse(readFileSync(file, 'utf8'), { bom: true, skip_empty_lines: true, to_line: 1 }) as string[][];
  } catch (error) {
    throw new EmolabelError('invalid_input', `Cannot read ${file}: ${(error as Error).message}. Delete the file to rerun this cell.`, { cause: error, path: file });
  }
  return header !== undefined && !header.map((column) => column.trim().toLowerCase()).includes('status');
}

/** Writes a predictions file: the header and the rows. */
export async function writePredictions(file: string, rows: readonly Record<string, string>[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, stringify(rows.map((row) => MATRIX_PREDICTION_COLUMNS.map((column) => row[column] ?? '')), { header: true, columns: [...MATRIX_PREDICTION_COLUMNS] }));
}
