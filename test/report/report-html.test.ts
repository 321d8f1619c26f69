import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLabelCsv } from '../../src/eval/read-label-csv.js';
import { buildReportCell } from '../../src/report/build-report-cell.js';
import { escapeHtml } from '../../src/report/report-html.js';
import type { BenchReport } from '../../src/report/report-types.js';
import { writeReport } from '../../src/report/write-report.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';

const temp = makeTempDir('emolabel-report-');
afterAll(temp.cleanup);

/** The `<section id=…>` blocks of a page, by id. */
function sections(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of html.matchAll(/<section id="([^"]+)">([\s\S]*?)<\/section>/g)) found.set(match[1] ?? '', match[2] ?? '');
  return found;
}
const svgs = (html: string) => [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((match) => match[0]);
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);

describe('report.html and report.json', () => {
  // Gold: 2 Angry, 2 Happy, 1 Sad. "tool-a" (annotate-like, with cost and latency) and "tool-b" (another tool's CSV, no cost).
  writeFileSync(join(temp.dir, 'truth.csv'), 'id,label\nv1,Angry\nv2,Angry\nv3,Happy\nv4,Happy\nv5,Sad\n');
  writeFileSync(
    join(temp.dir, 'tool-a.csv'),
    'id,label,confidence,cost_usd,duration_ms\nv1,Angry,0.9,0.002,1000\nv2,Sad,0.4,0.002,3000\nv3,Happy,0.8,0.002,2000\nv4,Happy,0.8,0.002,4000\nv5,,,0,500\n',
  );
  writeFileSync(join(temp.dir, 'tool-b.csv'), 'clip,label,confidence\nv1,happy,0.7\nv2,angry,0.6\nv3,HAPPY,0.9\nv4,sad,0.2\nv5,happy,0.5\n');
  const truth = readLabelCsv(join(temp.dir, 'truth.csv'), { taxonomy: basic7, role: 'truth' });
  const toolA = buildReportCell({ name: 'tool-a', predictionsFile: join(temp.dir, 'tool-a.csv'), truth, taxonomy: basic7, model: 'openai:gpt-4o-mini', strategy: 'frame', prompt: 'direct', reportDir: temp.dir });
  const toolB = buildReportCell({ name: 'tool-b', predictionsFile: join(temp.dir, 'tool-b.csv'), truth, taxonomy: basic7, reportDir: temp.dir });
  const report: BenchReport = {
    title: 'Two <tools> & a truth',
    createdAt: '2024-01-01T00:00:00.000Z',
    source: { kind: 'truth CSV', path: join(temp.dir, 'truth.csv'), items: 5, perLabel: { basic7: { Angry: 2, Happy: 2, Sad: 1 } } },
    strict: true,
    cells: [toolA, toolB],
    failures: [{ name: 'tool-c', error: 'every clip failed, e.g. missing key' }],
  };

  it('scores each CSV: strict metrics, cost per 1,000 clips, latency, coverage', () => {
    expect(toolA).toMatchObject({ items: 5, labelled: 4, predictionsFile: 'tool-a.csv', costUsd: 0.008, metrics: { n: 5, missing: 1, accuracy: 0.6 } });
    expect(toolA.costPer1000).toBeCloseTo(1.6, 10);
    expect(toolA.latency).toEqual({ meanMs: 2100, medianMs: 2000, p90Ms: 4000, clips: 5 });
    expect(toolA.coverage.map((point) => [point.threshold, point.accepted, point.accuracy])).toEqual([[0.9, 1, 1], [0.8, 3, 1], [0.4, 4, 0.75]]);
    expect(toolB).toMatchObject({ items: 5, labelled: 5, costUsd: null, costPer1000: null, latency: null, metrics: { accuracy: 0.4 } });
  });

  it('writes a self-contained page with every section and a chart per plot', async () => {
    const files = await writeReport(join(temp.dir, 'out'), report);
    const html = readFileSync(files.html, 'utf8');
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link |src="http|href="http/);
    expect(html).toContain('<title>Two &lt;tools&gt; &amp; a truth</title>');
    const parts = sections(html);
    expect([...parts.keys()]).toEqual(['results', 'cost-accuracy', 'coverage', 'per-class', 'confusion', 'failures', 'gold', 'definitions']);

    const rows = [...(parts.get('results') ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((match) => match[1] ?? '');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('<th>USD / 1,000 clips</th>');
    // tool-a: WAR 3/5 in %, best of the two; USD 0.008 over 5 clips → 1.60 per 1,000; median 2.00 s
    expect(rows[1]).toMatch(/openai:gpt-4o-mini<\/td><td class="text">frame<\/td><td class="text">direct<\/td><td class="text">basic7<\/td><td>5<\/td><td>4<\/td>/);
    expect(rows[1]).toMatch(/<td class="best">60\.0<\/td>/);
    expect(rows[1]).toMatch(/<td>1\.60<\/td><td>2\.00<\/td>$/);
    expect(rows[2]).toMatch(/<td colspan="3">tool-b<\/td>.*<td>40\.0<\/td>.*<td>–<\/td><td>–<\/td>$/);

    expect(svgs(parts.get('cost-accuracy') ?? '')).toHaveLength(1);
    expect(svgs(parts.get('coverage') ?? '')).toHaveLength(1);
    expect(svgs(parts.get('per-class') ?? '')).toHaveLength(1);
    const heatmaps = svgs(parts.get('confusion') ?? '');
    expect(heatmaps).toHaveLength(2);
    expect(parts.get('failures')).toContain('<b>tool-c</b>: every clip failed, e.g. missing key');

    const cost = svgs(parts.get('cost-accuracy') ?? '')[0] ?? '';
    expect(texts(cost)).toEqual(expect.arrayContaining(['Accuracy (WAR) against cost per 1,000 clips', 'openai:gpt-4o-mini', 'frame · direct']));
    expect(cost).toContain('class="mark-symbol role-mark');
    expect(svgs(parts.get('coverage') ?? '')[0]).toContain('class="mark-line role-mark');
    expect(svgs(parts.get('per-class') ?? '')[0]).toContain('class="mark-rect role-mark');
    expect(heatmaps[0]).toContain('class="mark-rect role-mark');
    expect(texts(svgs(parts.get('coverage') ?? '')[0] ?? '')).toEqual(expect.arrayContaining(['coverage (share of clips labelled)', 'tool-b']));
    // tool-a's heatmap: rows Angry [1 0 0 0 0 1 0 | 0], Happy [0 0 0 2 0 0 0 | 0], Sad [… | 1] with a (none) column
    const heatmapTexts = texts(heatmaps[0] ?? '');
    expect(heatmapTexts).toEqual(expect.arrayContaining(['(none)', 'openai:gpt-4o-mini · frame · direct · basic7', '2']));
    const cellCounts = heatmapTexts.filter((text) => /^\d+$/.test(text ?? '')).map(Number);
    expect(cellCounts.reduce((sum, count) => sum + count, 0)).toBe(5);
    expect(cellCounts.filter((count) => count > 0).sort()).toEqual([1, 1, 1, 2]);
    for (const svg of svgs(html)) {
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.split('<g').length).toBe(svg.split('</g>').length);
    }
  });

  it('escapes text for HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
