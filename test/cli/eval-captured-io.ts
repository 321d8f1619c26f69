import type { CliIo } from '../../src/cli/cli-io.js';

/** A CLI io whose stdout and stderr are kept as strings. */
export function capturedIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    cwd,
    env: {},
    out: () => out,
    err: () => err,
  };
}
