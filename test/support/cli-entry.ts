// Runs the CLI from the TypeScript sources, for tests that need a real child process
// (SIGKILL, SIGINT): node --import tsx test/support/cli-entry.ts annotate …
import { runCli } from '../../src/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
