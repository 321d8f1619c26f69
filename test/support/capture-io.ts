import type { CliIo } from '../../src/cli/cli-io.js';

/** A CLI io whose output is kept in strings, for running commands in-process. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    cwd,
    env,
    out: () => stdout,
    err: () => stderr,
  };
}
