/**
 * Runs every bench script in bench/ one after another (helpers under bench/support/ are not benches),
 * each in its own Node process so none inherits another's loaded models or warm caches. Each script
 * prints its own table as it goes; a summary with every table follows at the end.
 *
 *   npm run bench                          # all of them
 *   npm run bench -- local-model-speed     # only the scripts whose name contains one of these words
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, formatMarkdownTable, secondsSince } from './support/bench-report.js';

interface BenchRun {
  readonly name: string;
  readonly exitCode: number;
  readonly seconds: number;
  /** The Markdown table lines the script printed. */
  readonly tables: string[];
}

const benchDirectory = dirname(fileURLToPath(import.meta.url));

/** The bench scripts: every `.ts` file directly in bench/ except this one. */
function listBenchScripts(filters: readonly string[]): string[] {
  return readdirSync(benchDirectory)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && name !== 'run-all.ts')
    .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
    .sort();
}

function runBench(name: string): Promise<BenchRun> {
  const started = performance.now();
  const tables: string[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDirectory, name)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      tables.push(...lines.filter((line) => line.startsWith('|')));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending.startsWith('|')) tables.push(pending);
      resolve({ name, exitCode: code ?? 1, seconds: secondsSince(started), tables });
    });
  });
}

async function main(): Promise<void> {
  const scripts = listBenchScripts(process.argv.slice(2));
  if (scripts.length === 0) {
    console.error(`No bench script in ${benchDirectory} matches [${process.argv.slice(2).join(', ')}].`);
    process.exitCode = 1;
    return;
  }
  const runs: BenchRun[] = [];
  for (const script of scripts) {
    console.log(`\n=== ${script} ===`);
    runs.push(await runBench(script));
  }
  console.log(`\n=== summary: ${describeMachine()} ===\n`);
  console.log(formatMarkdownTable(['bench', 'exit code', 'seconds'], runs.map((run) => [run.name, String(run.exitCode), run.seconds.toFixed(0)])));
  for (const run of runs.filter((each) => each.tables.length > 0)) console.log(`\n${run.name}\n\n${run.tables.join('\n')}`);
  process.exitCode = runs.some((run) => run.exitCode !== 0) ? 1 : 0;
}

await main();
