import type { RegisterCommand } from '../register-command.js';
import { integerOption } from '../parse-option.js';
import { DEFAULT_REVIEW_PORT } from '../../review/default-review-port.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import type { ReviewFlags } from './review-action.js';

export const registerReviewCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('review')
    .description('Serve a local web page to check and fix a run\'s labels, most likely wrong first; decisions are saved in the run store.')
    .argument('[run]', 'run id or a unique prefix of one (default: the newest run)')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .option('-p, --port <n>', 'port to listen on (0 picks a free one)', integerOption(0), DEFAULT_REVIEW_PORT)
    .option('--host <address>', 'interface to bind; anything but 127.0.0.1/localhost exposes the page to your network', '127.0.0.1')
    .option('--label-studio <export.json>', "show a Label Studio JSON export's annotations and predictions as other opinions (matched on item ids)")
    .option('--reviewer <name>', 'name recorded with each decision (default: EMOLABEL_REVIEWER or your login name)')
    .action(async (runId: string | undefined, flags: ReviewFlags) => {
      const { runReviewCommand } = await import('./review-action.js');
      await runReviewCommand(runId, flags, io, setExitCode);
    });
};
