/**
 * The real item worker, except that it dies (exit code 7) when given an item whose path ends in
 * `crash.jpg`: for testing how the pool survives a worker that crashes mid-item.
 */
import { parentPort } from 'node:worker_threads';
import type { WorkerRequest } from '../../src/pipeline/workers/worker-protocol.js';

// Registered before the real worker's listener, so it runs first.
parentPort?.on('message', (request: WorkerRequest) => {
  if (request.type === 'task' && request.item.path.endsWith('crash.jpg')) process.exit(7);
});
await import('../../src/pipeline/workers/item-worker.js');
