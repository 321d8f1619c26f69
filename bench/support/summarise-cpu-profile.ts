/**
 * Where the time of a `--cpu-prof` profile went: self time per function and per package/file,
 * biggest first, as a Markdown table.
 *
 *   node --cpu-prof --cpu-prof-dir bench/out/profiles --import tsx bench/provider-throughput.ts
 *   npx tsx bench/support/summarise-cpu-profile.ts bench/out/profiles/CPU.*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatMarkdownTable } from './bench-report.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/<package>` or the path from `src/`, `bench/`, `test/`; `(native)` for V8 internals. */
function whereOf(url: string): string {
  if (url === '') return '(native)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch?.[1]) return packageMatch[1];
  const sourceMatch = /\/((?:src|bench|test)\/.+)$/.exec(url);
  return sourceMatch?.[1] ?? url.replace(/^file:\/\//, '');
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByPlace = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const micros = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    total += micros;
    const place = whereOf(node.callFrame.url);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${place}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
    selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + micros);
  });
  const rows = (map: Map<string, number>) =>
    [...map].sort(([, a], [, b]) => b - a).slice(0, top).map(([name, micros]) => [name, (micros / 1000).toFixed(0), `${((100 * micros) / total).toFixed(1)}%`]);
  console.log(`${file}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${(total / 1e6).toFixed(1)} s sampled\n`);
  console.log(formatMarkdownTable(['where (self time)', 'ms', 'share'], rows(selfByPlace)));
  console.log('');
  console.log(formatMarkdownTable(['function (self time)', 'ms', 'share'], rows(selfByFunction)));
  console.log('');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '20' } } });
for (const file of positionals) summarise(file, Number(values.top));
