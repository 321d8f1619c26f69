import { spawn } from 'node:child_process';

export interface ProcessOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/**
 * Runs a program to completion and collects its output. `onStdout` sees each chunk as it comes
 * (used to stream frames out of ffmpeg); stdout is then not collected.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { onStdout?: (chunk: Buffer) => void; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    const stdoutChunks: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (options.onStdout ? options.onStdout(chunk) : stdoutChunks.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      if (timer) clearTimeout(timer);
      resolve({ stdout: Buffer.concat(stdoutChunks), stderr: Buffer.concat(stderrChunks).toString('utf8'), exitCode });
    });
  });
}
