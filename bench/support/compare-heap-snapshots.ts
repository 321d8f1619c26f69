/**
 * What grew between two V8 heap snapshots (from run-memory.ts with EMOLABEL_BENCH_HEAP_SNAPSHOTS=1,
 * or `v8.writeHeapSnapshot`): objects and self size per constructor, biggest growth first.
 *
 *   npx tsx bench/support/compare-heap-snapshots.ts before.heapsnapshot after.heapsnapshot [--top 20]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatMarkdownTable } from './bench-report.js';

interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

/** Count and self size per `type:name` (constructor name for objects). */
function tally(file: string): Map<string, { count: number; size: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const [typeField, nameField, sizeField] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const types = heap.snapshot.meta.node_types[0];
  const totals = new Map<string, { count: number; size: number }>();
  for (let offset = 0; offset < heap.nodes.length; offset += fields.length) {
    const type = types[heap.nodes[offset + (typeField ?? 0)] ?? 0] ?? '?';
    const name = type === 'object' || type === 'closure' ? (heap.strings[heap.nodes[offset + (nameField ?? 1)] ?? 0] ?? '?') : '';
    const key = `${type}${name ? `: ${name}` : ''}`;
    const entry = totals.get(key) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += heap.nodes[offset + (sizeField ?? 3)] ?? 0;
    totals.set(key, entry);
  }
  return totals;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '20' } } });
const [beforeFile, afterFile] = positionals;
if (!beforeFile || !afterFile) throw new Error('Give two .heapsnapshot files: before and after.');
const before = tally(beforeFile);
const after = tally(afterFile);
const rows = [...after]
  .map(([key, entry]) => ({ key, count: entry.count - (before.get(key)?.count ?? 0), size: entry.size - (before.get(key)?.size ?? 0) }))
  .sort((a, b) => b.size - a.size)
  .slice(0, Number(values.top));
console.log(formatMarkdownTable(['kind: constructor', 'objects added', 'KiB added'], rows.map((row) => [row.key, String(row.count), (row.size / 1024).toFixed(0)])));
