/**
 * Times one `annotate()` run of the built JavaScript in this fresh Node process, as the CLI runs it:
 * model loading and worker start-up included, no TypeScript loader anywhere (plain .mjs on purpose).
 * Prints one JSON line: seconds, CPU seconds of every thread of this process and of its children
 * (ffmpeg), CPU seconds the rest of the machine used meanwhile (Linux), items, frames, errors.
 *
 *   node bench/support/time-annotate.mjs '{"distDir":"…","paths":["…"],"options":{"workers":2}}'
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CLOCK_TICKS = 100;

/** Busy CPU seconds of the whole machine, and of this process's waited-for children, from /proc; undefined elsewhere. */
function readProcCpu() {
  if (!existsSync('/proc/stat')) return undefined;
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const machine = (ticks.slice(0, 8).reduce((sum, value) => sum + value, 0) - idle) / CLOCK_TICKS;
  const own = readFileSync('/proc/self/stat', 'utf8');
  const fields = own.slice(own.lastIndexOf(')') + 2).split(' ').map(Number);
  return { machine, children: ((fields[13] ?? 0) + (fields[14] ?? 0)) / CLOCK_TICKS };
}

/** @type {{ distDir: string; paths: string[]; options: Record<string, unknown> }} */
const request = JSON.parse(process.argv[2] ?? '{}');
const { annotate } = await import(pathToFileURL(join(request.distDir, 'pipeline/annotate.js')).href);
const procBefore = readProcCpu();
const cpuBefore = process.cpuUsage();
const started = performance.now();
/** @type {{ results: Array<{ framesUsed: number; status: string }> }} */
const { results } = await annotate(request.paths, request.options);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const procAfter = readProcCpu();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const childSeconds = procBefore && procAfter ? procAfter.children - procBefore.children : 0;
console.log(JSON.stringify({
  seconds,
  cpuSeconds,
  childSeconds,
  othersSeconds: procBefore && procAfter ? Math.max(0, procAfter.machine - procBefore.machine - cpuSeconds - childSeconds) : undefined,
  items: results.length,
  frames: results.reduce((sum, result) => sum + result.framesUsed, 0),
  errors: results.filter((result) => result.status === 'error').length,
}));
