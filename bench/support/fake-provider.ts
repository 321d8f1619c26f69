import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The fake provider running in a child process (see fake-provider-server.ts). */
export interface FakeProviderProcess {
  /** Base URL to pass as `baseUrl`. */
  readonly url: string;
  readonly pid: number;
  /** The child's resident set size now, in bytes (Linux only; undefined elsewhere). */
  rssBytes(): number | undefined;
  /** CPU seconds the child has used so far (Linux only; undefined elsewhere). */
  cpuSeconds(): number | undefined;
  /** Stops the server; resolves with the number of requests it received. */
  close(): Promise<number>;
  /** Requests the server turned away with a 429 (with limits), known once it is closed. */
  rejected(): number;
}

const serverScript = join(dirname(fileURLToPath(import.meta.url)), 'fake-provider-server.ts');

/** Resident set size of a process from /proc, in bytes; undefined where /proc is not there. */
export function processRssBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used so far, from /proc (Linux only; undefined elsewhere). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the fake OpenAI-compatible provider in a child process; every answer waits `answerDelayMs`; `limits` (FakeProviderLimits) add an account's 429s. */
export async function startFakeProviderProcess(answerDelayMs: number, limits?: object): Promise<FakeProviderProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', serverScript, String(answerDelayMs), ...(limits ? [JSON.stringify(limits)] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const messages: Array<Record<string, unknown>> = [];
  const waiting: Array<(message: Record<string, unknown>) => void> = [];
  lines.on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    const next = waiting.shift();
    if (next) next(message);
    else messages.push(message);
  });
  const nextMessage = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const queued = messages.shift();
    if (queued) return resolve(queued);
    waiting.push(resolve);
    child.once('exit', (code) => reject(new Error(`the fake provider exited with code ${code}`)));
  });
  const { url } = await nextMessage();
  if (typeof url !== 'string' || child.pid === undefined) throw new Error('the fake provider did not print its URL');
  const pid = child.pid;
  let rejected = 0;
  return {
    rejected: () => rejected,
    url,
    pid,
    rssBytes: () => processRssBytes(pid),
    cpuSeconds: () => processCpuSeconds(pid),
    close: async () => {
      const answer = nextMessage();
      child.kill('SIGTERM');
      const { requests, rejected: turnedAway } = await answer;
      rejected = typeof turnedAway === 'number' ? turnedAway : 0;
      return typeof requests === 'number' ? requests : 0;
    },
  };
}
