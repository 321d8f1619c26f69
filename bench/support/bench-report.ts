import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';

/** One line naming the machine a bench ran on: CPU model, cores, memory, OS and Node version. */
export function describeMachine(): string {
  const model = cpus()[0]?.model.trim() || 'unknown CPU';
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  return `${model}, ${availableParallelism()} cores, ${memoryGiB} GiB, ${platform()} ${release()}, node ${process.version}`;
}

/** A GitHub-flavoured Markdown table. */
export function formatMarkdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Seconds since `started` (a `performance.now()` reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
