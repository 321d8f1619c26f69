import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo } from '../cli-io.js';
import type { BatchLineResult } from '../../annotators/batch-api.js';
import { openAiResultLine } from '../../annotators/llm/openai-batch.js';
import { describeError, EmolabelError } from '../../errors.js';
import { BatchStore } from '../../store/batch-store.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import { RunStore } from '../../store/run-store.js';

/** The lines of an OpenAI batch output file (what `vllm run-batch -o` writes), as results. */
function parseResults(text: string, file: string): BatchLineResult[] {
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new EmolabelError('invalid_input', `${file} line ${index + 1} is not JSON (${describeError(error)}); expected the output of vllm run-batch or an OpenAI batch output file.`, { path: file });
    }
    const result = openAiResultLine(parsed as Parameters<typeof openAiResultLine>[0]);
    if (!result) throw new EmolabelError('invalid_input', `${file} line ${index + 1} has no custom_id; expected the output of vllm run-batch or an OpenAI batch output file.`, { path: file });
    return [result];
  });
}

/** What `emolabel import-batch` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runImportBatchCommand(file: string, flags: { db: string }, io: CliIo): Promise<void> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EmolabelError('invalid_option', `Cannot read ${file}: ${describeError(error)}`, { path, cause: error });
  }
  const results = parseResults(text, file);
  const store = RunStore.open(resolve(io.cwd, flags.db));
  try {
    const { runs, unknown } = new BatchStore(store.database).importResults(results);
    if (runs.size === 0) throw new EmolabelError('invalid_input', `None of the ${results.length} results in ${file} answers a request waiting in ${store.database.name}; check --db, or export the requests again with: emolabel export <run> --batch-jsonl`);
    for (const [runId, count] of runs) io.stderr.write(`imported ${count} results into run ${runId}; finish it with: emolabel annotate --resume ${runId} --batch${flags.db === DEFAULT_DB_PATH ? '' : ` --db ${flags.db}`}\n`);
    if (unknown > 0) io.stderr.write(`${unknown} results answered no waiting request (already imported, or from another store) and were left out\n`);
  } finally {
    store.close();
  }
}
