import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';

/** Each command file adds itself to the program and reports its exit code through `setExitCode`. */
export type RegisterCommand = (program: Command, io: CliIo, setExitCode: (code: number) => void) => void;
