/**
 * Times one `annotate()` run of the built JavaScript in this fresh Node process, as the CLI runs it:
 * model loading and worker start-up included, no TypeScript loader anywhere (plain .mjs on purpose).
 * Prints one JSON line: seconds, CPU seconds of every thread of this process, items, frames, errors.
 *
 *   node bench/support/time-annotate.mjs '{"distDir":"…","paths":["…"],"options":{"workers":2}}'
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** @type {{ distDir: string; paths: string[]; options: Record<string, unknown> }} */
const request = JSON.parse(process.argv[2] ?? '{}');
const { annotate } = await import(pathToFileURL(join(request.distDir, 'pipeline/annotate.js')).href);
const cpuBefore = process.cpuUsage();
const started = performance.now();
/** @type {{ results: Array<{ framesUsed: number; status: string }> }} */
const { results } = await annotate(request.paths, request.options);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  items: results.length,
  frames: results.reduce((sum, result) => sum + result.framesUsed, 0),
  errors: results.filter((result) => result.status === 'error').length,
}));
