/**
 * Start-up time of the built CLI: `node bin/emolabel.js --help`, `--version`, `annotate --help` and
 * a usage error, each against bare `node -e 0` measured in the same run, in alternation (so a busy
 * moment slows both alike). Each figure is the median of the repetitions; the ratio is the one to
 * read (target: `--help` within 4x bare node). Run `npm run build` first: bin/emolabel.js runs dist/.
 *
 *   npx tsx bench/startup-time.ts                         # 15 repetitions of each
 *   EMOLABEL_BENCH_REPEATS=31 npx tsx bench/startup-time.ts
 *   EMOLABEL_BENCH_BIN=/tmp/old/bin/emolabel.js npx tsx bench/startup-time.ts   # another build
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeMachine, formatMarkdownTable } from './support/bench-report.js';

const REPEATS = Number(process.env.EMOLABEL_BENCH_REPEATS ?? '15');
/** The CLI to time: this checkout's, or another build's (an older commit, for a before/after figure). */
const BIN = process.env.EMOLABEL_BENCH_BIN ?? fileURLToPath(new URL('../bin/emolabel.js', import.meta.url));

const COMMANDS: ReadonlyArray<{ readonly name: string; readonly args: readonly string[] }> = [
  { name: '`emolabel --help`', args: [BIN, '--help'] },
  { name: '`emolabel --version`', args: [BIN, '--version'] },
  { name: '`emolabel annotate --help`', args: [BIN, 'annotate', '--help'] },
  { name: '`emolabel annotate` (usage error)', args: [BIN, 'annotate'] },
];
const BARE = ['-e', '0'];

/** Wall-clock milliseconds of one `node …` process, start to exit. */
function timeOnce(args: readonly string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.error) throw result.error;
  return performance.now() - started;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

if (!existsSync(new URL('../dist/cli/main.js', pathToFileURL(BIN)))) {
  process.stderr.write('startup-time: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}

// One warm-up of each, so the first measured run does not pay for a cold file cache.
timeOnce(BARE);
for (const command of COMMANDS) timeOnce(command.args);

const bare: number[] = [];
const timings = COMMANDS.map(() => [] as number[]);
for (let repeat = 0; repeat < REPEATS; repeat += 1) {
  COMMANDS.forEach((command, index) => {
    bare.push(timeOnce(BARE));
    timings[index]!.push(timeOnce(command.args));
  });
}

const bareMedian = median(bare);
const rows = [
  ['`node -e 0` (bare)', bareMedian.toFixed(0), '1.0x'],
  ...COMMANDS.map((command, index) => {
    const ms = median(timings[index]!);
    return [command.name, ms.toFixed(0), `${(ms / bareMedian).toFixed(1)}x`];
  }),
];
process.stdout.write(`Start-up of ${BIN}, median of ${REPEATS} runs each, ${describeMachine()}\n\n`);
process.stdout.write(`${formatMarkdownTable(['command', 'ms', 'vs bare node'], rows)}\n`);
