import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { DatasetItem } from '../datasets/dataset-loader.js';
import { EmolabelError } from '../errors.js';
import type { ClipResult } from '../pipeline/clip-result.js';

/** Columns of a bench cell's `predictions.csv`; `emolabel eval` reads it like any predictions CSV. */
export const BENCH_PREDICTION_COLUMNS = ['id', 'path', 'label', 'confidence', 'status', 'error', 'cost_usd', 'duration_ms', 'input_tokens', 'output_tokens', 'truth'] as const;

type PredictionRecord = Record<(typeof BENCH_PREDICTION_COLUMNS)[number], string>;

/** A result as a bench prediction row, under the dataset item's id and gold label (in the cell's taxonomy). */
export function benchPredictionRow(item: Pick<DatasetItem, 'id' | 'path'>, truth: string, result: ClipResult): PredictionRecord {
  return {
    id: item.id,
    path: item.path,
    label: result.label ?? '',
    confidence: result.confidence === undefined ? '' : String(Math.round(result.confidence * 1e4) / 1e4),
    status: result.status,
    error: result.error ?? '',
    cost_usd: String(result.costUsd),
    duration_ms: String(result.durationMs),
    input_tokens: String(result.usage.inputTokens),
    output_tokens: String(result.usage.outputTokens),
    truth,
  };
}

/**
 * The rows of an existing cell file worth keeping on resume: everything but `error` rows (retried).
 * A file this version did not write (no `status` column) is kept whole: the cell counts as done.
 */
export function readKeptPredictions(file: string): { rows: Record<string, string>[]; columns: string[] } | undefined {
  if (!existsSync(file)) return undefined;
  let records: Record<string, string>[];
  try {
    records = parse(readFileSync(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    throw new EmolabelError('invalid_input', `Cannot resume from ${file}: ${(error as Error).message}. Delete the file to rerun this cell.`, { cause: error, path: file });
  }
  const columns = Object.keys(records[0] ?? {});
  return { rows: records.filter((record) => record.status !== 'error'), columns };
}

/** Starts (or restarts) a predictions file with a header and the kept rows. */
export async function writePredictions(file: string, rows: readonly Record<string, string>[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, stringify(rows.map((row) => BENCH_PREDICTION_COLUMNS.map((column) => row[column] ?? '')), { header: true, columns: [...BENCH_PREDICTION_COLUMNS] }));
}

/** Appends rows as results arrive, one whole line per row, so an interrupted run loses at most the rows in flight. */
export async function appendPredictions(file: string, rows: readonly PredictionRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await appendFile(file, stringify(rows.map((row) => BENCH_PREDICTION_COLUMNS.map((column) => row[column]))));
}
