import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/main.js';

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

/** Runs the CLI in-process in `cwd`; resolves with its exit code and what it printed. */
export async function runCapturedCli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const io = capturedIo(cwd);
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}
