import type { RegisterCommand } from '../register-command.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';

export const registerImportBatchCommand: RegisterCommand = (program, io) => {
  program
    .command('import-batch')
    .description('Read the output of a batch run elsewhere (vllm run-batch, an OpenAI batch output file) into the runs waiting for it.')
    .argument('<results.jsonl>', 'one {custom_id, response: {status_code, body}, error} per line')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .action(async (file: string, flags: { db: string }) => {
      const { runImportBatchCommand } = await import('./import-batch-action.js');
      await runImportBatchCommand(file, flags, io);
    });
};
