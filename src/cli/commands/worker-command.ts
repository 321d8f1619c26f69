import type { RegisterCommand } from '../register-command.js';
import { EXIT } from '../cli-io.js';
import { createInterruptController } from '../interrupt-controller.js';
import { integerOption, numberOption } from '../parse-option.js';
import { parsePathMapping, type PathMapping } from '../../queue/path-map.js';
import { startQueueWorker } from '../../queue/queue-worker.js';
import { WORKER_ID } from '../../queue/worker-context.js';

interface WorkerFlags {
  readonly queue: string;
  readonly concurrency: number;
  readonly workers?: number;
  readonly pathMap: PathMapping[];
  readonly stallTimeout: number;
  readonly quiet?: boolean;
}

export const registerWorkerCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('worker')
    .description('Label the items that `emolabel annotate --queue` queues on a Redis, with this machine\'s cores and keys, until stopped.')
    .requiredOption('--queue <redis-url>', 'the Redis of the queue, e.g. redis://queue-host:6379')
    .option('-c, --concurrency <n>', 'items this process labels at once', integerOption(1), 8)
    .option('--workers <n>', 'worker threads for decoding, face detection and the local model (as annotate --workers)', integerOption(1))
    .option('--path-map <from=to>', 'the coordinator\'s media folder FROM is mounted at TO here (repeatable)', (value: string, previous: PathMapping[]) => [...previous, parsePathMapping(value)], [])
    .option('--stall-timeout <seconds>', 'a job whose worker stops renewing its lock this long is handed to another worker', numberOption(1), 30)
    .option('-q, --quiet', 'no line per failed item')
    .action(async (flags: WorkerFlags) => {
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
    });
};
