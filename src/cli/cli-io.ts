/** The edges of the CLI, injected so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** Exit codes: 0 all done; 1 the command failed; 2 usage error; 3 finished but some items failed. */
export const EXIT = { ok: 0, failed: 1, usage: 2, someItemsFailed: 3 } as const;
