/** The edges of the CLI, injected so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Subscribes to Ctrl-C (SIGINT) and to the signals that ask a process to end (SIGTERM, SIGHUP:
   * `kill`, a closed terminal, a container stopping); returns the unsubscribe. Absent in tests that do not need it.
   */
  readonly onInterrupt?: (handler: (signal?: NodeJS.Signals) => void) => () => void;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Ends the process quietly when the reader of `stream` goes away (`emolabel export | head -1`):
 * a write to a closed pipe fails with EPIPE, which is the reader's choice, not an error to print.
 * Other stream errors are thrown as before.
 */
export function exitQuietlyOnClosedPipe(stream: Pick<NodeJS.WriteStream, 'on'>, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
}

let pipesWatched = false;

/**
 * Resolves at the first interrupt {@link CliIo.onInterrupt} reports (Ctrl-C, SIGTERM, SIGHUP): how a
 * server command (`review`, `label-studio-backend`) knows to close. Never resolves without one.
 */
export function untilInterrupted(io: CliIo): Promise<void> {
  return new Promise((resolveStop) => {
    const unsubscribe = io.onInterrupt?.(() => {
      unsubscribe?.();
      resolveStop();
    });
  });
}

export function processIo(): CliIo {
  if (!pipesWatched) {
    pipesWatched = true;
    exitQuietlyOnClosedPipe(process.stdout);
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    onInterrupt: (handler) => {
      // Handled like Ctrl-C, so the run is stopped and saved instead of the process dying mid-run.
      for (const signal of STOP_SIGNALS) process.on(signal, handler);
      return () => {
        for (const signal of STOP_SIGNALS) process.off(signal, handler);
      };
    },
  };
}

/**
 * Exit codes: 0 all done; 1 the command failed; 2 usage error; 3 finished but some items failed;
 * 4 stopped early by the budget (resume with a higher --max-cost); 130 interrupted by Ctrl-C.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, someItemsFailed: 3, budgetReached: 4, interrupted: 130 } as const;
