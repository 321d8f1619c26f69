import { type CliIo, EXIT } from '../cli-io.js';
import { createInterruptController } from '../interrupt-controller.js';
import type { PathMapping } from '../../queue/path-map.js';
import { startQueueWorker } from '../../queue/queue-worker.js';
import { WORKER_ID } from '../../queue/worker-context.js';

export interface WorkerFlags {
  readonly queue: string;
  readonly concurrency: number;
  readonly workers?: number;
  readonly pathMap: PathMapping[];
  readonly stallTimeout: number;
  readonly quiet?: boolean;
}

/** What `emolabel worker` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runWorkerCommand(flags: WorkerFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
  const interrupt = createInterruptController(io);
  let labelled = 0;
  let failed = 0;
  const worker = await startQueueWorker({
    url: flags.queue, concurrency: flags.concurrency, workers: flags.workers, pathMap: flags.pathMap, env: io.env, stallTimeoutSeconds: flags.stallTimeout,
    onJob: ({ runId, itemId, error }) => {
      if (error === undefined) labelled += 1;
      else {
        failed += 1;
        if (!flags.quiet) io.stderr.write(`emolabel worker: run ${runId}, item ${itemId}: ${error}\n`);
      }
    },
  });
  io.stderr.write(`emolabel worker ${WORKER_ID.host}:${WORKER_ID.pid}: taking jobs from ${new URL(flags.queue).host}, ${flags.concurrency} at a time (Ctrl-C to stop after the jobs in hand)\n`);
  await new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true }));
  await worker.close();
  interrupt.dispose();
  io.stderr.write(`emolabel worker ${WORKER_ID.host}:${WORKER_ID.pid}: stopped; ${labelled} items labelled, ${failed} jobs failed\n`);
  setExitCode(EXIT.ok);
}
