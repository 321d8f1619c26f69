import { OPENAI_BATCH_ENDPOINT } from '../annotators/llm/openai-batch.js';
import { BatchStore } from '../store/batch-store.js';
import type { RunRecord, RunStore } from '../store/run-store.js';

/**
 * The requests of `run` that wait for a batch, as an OpenAI batch input file (JSONL, one
 * `{custom_id, method, url, body}` per line): what `vllm run-batch -i` reads, or OpenAI's Batch API.
 * The bodies are the run's own provider requests, so `import-batch` of the output answers exactly them.
 */
export function exportBatchJsonl(store: RunStore, run: RunRecord): { text: string; requests: number } {
  const lines = new BatchStore(store.database).pendingLines(run.id);
  const text = lines.map((line) => JSON.stringify({ custom_id: line.customId, method: 'POST', url: OPENAI_BATCH_ENDPOINT, body: line.body })).join('\n');
  return { text: lines.length === 0 ? '' : `${text}\n`, requests: lines.length };
}
