import { parse } from 'csv-parse/sync';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabelCsv } from '../../src/eval/read-label-csv.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { formatResults } from '../../src/output/write-results.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';

const result = (overrides: Partial<ClipResult>): ClipResult => ({
  id: 'a', path: '/data/a.jpg', kind: 'image', faceIndex: 0, label: 'Happy', confidence: 0.9, frameLabels: ['Happy'], framesUsed: 1,
  faceFound: true, model: 'openai:gpt-4o-mini', strategy: 'frame', taxonomy: 'basic7', status: 'ok', usage: { inputTokens: 10, outputTokens: 2 },
  costUsd: 0.0001, warnings: [], frames: [], durationMs: 5, ...overrides,
});

describe('CSV cells that a spreadsheet would run as formulas', () => {
  const risky = [
    result({ id: '=HYPERLINK("http://evil","x")', path: '/data/=1+1.jpg', rationale: '=cmd|" /C calc"!A0' }),
    result({ id: '+sum', path: '/data/+x.jpg', rationale: '+1' }),
    result({ id: '-neg', path: '/data/-x.jpg', rationale: '-2+3' }),
    result({ id: '@at', path: '/data/@x.jpg', rationale: '@SUM(A1)' }),
    result({ id: '\ttab', path: '/data/\tx.jpg', rationale: '\t=1' }),
    result({ id: '\rcr', path: '/data/\rx.jpg', rationale: '\r=1' }),
  ];

  it('come out of the CSV writer as text, with a leading apostrophe', () => {
    const rows = parse(formatResults(risky, 'csv', ['Happy']), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((row) => row.id)).toEqual(["'=HYPERLINK(\"http://evil\",\"x\")", "'+sum", "'-neg", "'@at", "'\ttab", "'\rcr"]);
    expect(rows.map((row) => row.rationale)).toEqual(["'=cmd|\" /C calc\"!A0", "'+1", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1"]);
    // A path starts with its folder, so only a relative one could start a formula; it is left alone here.
    expect(rows[0]?.path).toBe('/data/=1+1.jpg');
    // Numbers stay numbers.
    expect(rows[0]?.confidence).toBe('0.9');
  });

  it('keep ordinary cells and JSON output as they are', () => {
    const plain = parse(formatResults([result({ rationale: 'Cheeks raised.' })], 'csv', ['Happy']), { columns: true }) as Array<Record<string, string>>;
    expect(plain[0]).toMatchObject({ id: 'a', rationale: 'Cheeks raised.', label: 'Happy' });
    const jsonl = formatResults(risky, 'jsonl', ['Happy']).trim().split('\n').map((line) => JSON.parse(line) as { id: string; rationale: string });
    expect(jsonl.map((record) => record.id)).toEqual(risky.map((entry) => entry.id));
    expect((JSON.parse(formatResults(risky, 'json', ['Happy'])) as Array<{ rationale: string }>)[0]?.rationale).toBe('=cmd|" /C calc"!A0');
  });

  it('are read back by eval as they were', () => {
    const { dir, cleanup } = makeTempDir('emolabel-csv-cells-');
    try {
      const file = join(dir, 'predictions.csv');
      writeFileSync(file, formatResults(risky.slice(0, 4), 'csv', ['Happy']));
      const table = readLabelCsv(file, { role: 'predictions', taxonomy: basic7 });
      expect(table.rows.map((row) => row.id)).toEqual(risky.slice(0, 4).map((entry) => entry.id));
    } finally {
      cleanup();
    }
  });
});
