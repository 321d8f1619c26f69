import type { RegisterCommand } from '../register-command.js';
import { integerOption, numberOption } from '../parse-option.js';
import { parsePathMapping, type PathMapping } from '../../queue/path-map.js';
import type { WorkerFlags } from './worker-action.js';

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
      const { runWorkerCommand } = await import('./worker-action.js');
      await runWorkerCommand(flags, io, setExitCode);
    });
};
