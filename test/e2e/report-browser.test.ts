import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeClassificationMetrics } from '../../src/eval/classification-metrics.js';
import { evaluationToJson } from '../../src/eval/format-metrics.js';
import type { BenchReport, ReportCell } from '../../src/report/report-types.js';
import { writeReport } from '../../src/report/write-report.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { makeTempDir } from '../support/make-clips.js';

const CHROMIUM = process.env.EMOLABEL_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const outputDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'test-output');

/** A cell whose predictions are right on `correct` of 40 items, at `cost` dollars per 1,000 clips. */
function cell(model: string, strategy: string, prompt: string, taxonomy: string, correct: number, cost: number): ReportCell {
  const labels = basic7.labels;
  const pairs = Array.from({ length: 40 }, (_, index) => {
    const truth = labels[index % labels.length] as string;
    return { truth, predicted: index < correct ? truth : (labels[(index + 1) % labels.length] as string) };
  });
  const metrics = { taxonomy, strict: true, missing: 0, missingIds: [], extra: 0, unknownPredictions: 0, warnings: [], coverage: [], ...computeClassificationMetrics(pairs, labels) };
  return {
    name: `${model}__${strategy}__${prompt}__${taxonomy}`, model, strategy, prompt, taxonomy, predictionsFile: 'p.csv', items: 40, labelled: 40,
    metrics: evaluationToJson(metrics), costUsd: (cost * 40) / 1000, costPer1000: cost, latency: null,
    coverage: [{ threshold: 0.9, accepted: 10, coverage: 0.25, accuracy: 0.9 }, { threshold: 0.5, accepted: 40, coverage: 1, accuracy: correct / 40 }],
  };
}

/** A 32-cell matrix as a bench of 4 models writes it: a free local model, identical cells, costs over four decades. */
function manyCells(): ReportCell[] {
  const models: Array<[string, number]> = [['local', 0], ['openai:gpt-4o-mini-2024-07-18', 0.9], ['anthropic:claude-haiku-4-5-20251001', 4.2], ['google:gemini-2.5-flash-lite-preview', 0.07]];
  const cells: ReportCell[] = [];
  for (const [model, base] of models) {
    for (const [strategyIndex, strategy] of ['frame', 'mean', 'multi', 'grid'].entries()) {
      for (const [promptIndex, prompt] of (model === 'local' ? ['-'] : ['direct', 'au-cot']).entries()) {
        const correct = model === 'local' ? 18 : 20 + ((strategyIndex * 3 + promptIndex * 5 + base * 7) % 12);
        const cost = base * (strategy === 'grid' ? 0.25 : strategy === 'multi' ? 0.6 : 1) * (prompt === 'au-cot' ? 1.8 : 1);
        cells.push(cell(model, strategy, prompt, 'basic7', Math.round(correct), cost));
      }
    }
  }
  return cells;
}

function report(cells: ReportCell[]): BenchReport {
  return { title: 'Many cells', createdAt: '2026-12-01T00:00:00.000Z', source: { kind: 'folder', path: '/data', items: 40, perLabel: { basic7: {} } }, strict: true, cells, failures: [] };
}

describe.skipIf(!hasChromium)('report charts in a real browser (Chromium)', () => {
  const temp = makeTempDir('emolabel-report-e2e-');
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    mkdirSync(outputDir, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  it('draws 32 cells readably: labels that do not overprint, tooltips, ×n for identical cells, whole legend names, a decade log axis', async () => {
    const files = await writeReport(join(temp.dir, 'many'), report(manyCells()));
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    await page.goto(`file://${files.html}`);
    const chart = page.locator('#cost-accuracy svg');
    await chart.screenshot({ path: join(outputDir, 'report-cost-accuracy.png') });
    await page.locator('#coverage svg').first().screenshot({ path: join(outputDir, 'report-coverage.png') });
    await page.locator('#per-class svg').first().screenshot({ path: join(outputDir, 'report-per-class.png') });
    await page.locator('#confusion svg').first().screenshot({ path: join(outputDir, 'report-confusion.png') });
    // Point labels: none overlaps another.
    const boxes = await chart.locator('.role-mark text').evaluateAll((nodes) => nodes.map((node) => {
      const box = (node as unknown as { getBoundingClientRect(): { x: number; y: number; width: number; height: number } }).getBoundingClientRect();
      return { x: box.x, y: box.y, width: box.width, height: box.height, text: node.textContent ?? '' };
    }));
    expect(boxes.length).toBeGreaterThan(0);
    expect(boxes.length).toBeLessThan(20);
    const overlapping = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height).map((b) => `${a.text} / ${b.text}`));
    expect(overlapping).toEqual([]);
    const svg = readFileSync(files.html, 'utf8').match(/<section id="cost-accuracy">[\s\S]*?<\/section>/)?.[0] ?? '';
    // Every point has a tooltip naming its cells; the local model's identical free cells are one point ×4.
    expect((svg.match(/<title>/g) ?? []).length).toBeGreaterThanOrEqual(25);
    expect(svg).toContain('<title>local · frame · basic7');
    expect(svg).toMatch(/×4/);
    // Whole model names in the legend, and decade ticks with the free cells at $0.
    expect(svg).toContain('>anthropic:claude-haiku-4-5-20251001<');
    expect(svg).toContain('>$0 (free)<');
    expect(svg).toMatch(/>\$1</);
    expect(svg).toMatch(/>\$0\.1</);
    await page.close();
  }, 60_000);

  it('does not collapse when every cell is free: accuracy per cell instead', async () => {
    const free = manyCells().filter((each) => each.model === 'local').map((each, index) => ({ ...each, name: `local-${index}`, strategy: `s${index}`, costPer1000: 0, costUsd: 0 }));
    const files = await writeReport(join(temp.dir, 'free'), report(free));
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`file://${files.html}`);
    await page.locator('#cost-accuracy svg').screenshot({ path: join(outputDir, 'report-cost-free.png') });
    const svg = readFileSync(files.html, 'utf8').match(/<section id="cost-accuracy">[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(svg).toContain('every cell cost $0, so cost tells none apart');
    expect((svg.match(/<title>/g) ?? []).length).toBe(4);
    await page.close();
  }, 60_000);
});
