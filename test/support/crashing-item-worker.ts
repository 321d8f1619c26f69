/**
 * The real item worker, except that it dies (exit code 7) when given an item whose path ends in
 * `crash.jpg`: for testing how the pool survives a worker that crashes mid-item.
 */
import { parentPort } from 'node:worker_threads';
import '../../src/pipeline/workers/item-worker.js';
import type { WorkerRequest } from '../../src/pipeline/workers/worker-protocol.js';

// Runs after the real worker's listener has started the item, before the item can answer.
parentPort?.on('message', (request: WorkerRequest) => {
  if (request.type === 'task' && request.item.path.endsWith('crash.jpg')) process.exit(7);
});
