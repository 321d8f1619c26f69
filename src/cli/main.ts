import { Command, CommanderError } from 'commander';
import { type CliIo, EXIT, processIo } from './cli-io.js';
import { registerAnnotateCommand } from './commands/annotate-command.js';
import { registerBatchesCommand } from './commands/batches-command.js';
import { registerBenchCommand } from './commands/bench-command.js';
import { registerDatasetCommand } from './commands/dataset-command.js';
import { registerEvalCommand } from './commands/eval-command.js';
import { registerExportCommand } from './commands/export-command.js';
import { registerLabelStudioBackendCommand } from './commands/label-studio-backend-command.js';
import { registerImportBatchCommand } from './commands/import-batch-command.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerReviewCommand } from './commands/review-command.js';
import { registerRunsCommand } from './commands/runs-command.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { withFlagNames } from './flag-names.js';
import type { RegisterCommand } from './register-command.js';
import { EmolabelError } from '../errors.js';
import { EMOLABEL_VERSION } from '../version.js';

const COMMANDS: readonly RegisterCommand[] = [registerAnnotateCommand, registerRunsCommand, registerBatchesCommand, registerExportCommand, registerImportBatchCommand, registerReviewCommand, registerLabelStudioBackendCommand, registerEvalCommand, registerDatasetCommand, registerBenchCommand, registerModelsCommand, registerWorkerCommand];

/**
 * Runs the emolabel CLI on `argv` (without `node` and the script) and resolves to the exit code.
 * Errors become one clear line on stderr, never a stack trace (set EMOLABEL_DEBUG=1 for one).
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('emolabel')
    .description('Label facial emotion in videos, frame folders and images.')
    .version(EMOLABEL_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of COMMANDS) register(program, io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (io.env.EMOLABEL_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`emolabel: ${withFlagNames(message)}\n`);
    return error instanceof EmolabelError && (error.code === 'invalid_option' || error.code === 'unknown_model') ? EXIT.usage : EXIT.failed;
  }
}
