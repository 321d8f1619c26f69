import { confusionHeatmapSpec, costAccuracySpec, coverageSpec, perClassBarsSpec } from './report-charts.js';
import type { BenchReport, ReportCell } from './report-types.js';
import { renderChartSvg } from './render-chart.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
body{font-family:Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;font-size:.85rem}th,td{padding:.3rem .6rem;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child,td.text{text-align:left}th{background:#f5f5f5}td.best{font-weight:bold;color:#0a5}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}.note{color:#666;font-size:.85rem}
dl{font-size:.9rem}dt{font-weight:bold;margin-top:.5rem}dd{margin-left:1rem}`;

const METRIC_COLUMNS: ReadonlyArray<{ title: string; value: (cell: ReportCell) => number | null }> = [
  { title: 'macro precision', value: (cell) => cell.metrics.macroPrecision },
  { title: 'WAR (accuracy)', value: (cell) => cell.metrics.accuracy },
  { title: 'UAR (balanced)', value: (cell) => cell.metrics.balancedAccuracy },
  { title: 'macro F1', value: (cell) => cell.metrics.macroF1 },
  { title: 'kappa', value: (cell) => cell.metrics.kappa },
];

const percent = (value: number | null) => (value === null ? '–' : `${(100 * value).toFixed(1)}`);

function groupByTaxonomy(cells: readonly ReportCell[]): Map<string, ReportCell[]> {
  const groups = new Map<string, ReportCell[]>();
  for (const cell of cells) groups.set(cell.taxonomy, [...(groups.get(cell.taxonomy) ?? []), cell]);
  return groups;
}

function resultsTable(cells: readonly ReportCell[]): string {
  const best = new Map<string, number>();
  for (const cell of cells) {
    METRIC_COLUMNS.forEach((column, index) => {
      const value = column.value(cell);
      const key = `${cell.taxonomy}/${index}`;
      if (value !== null && value > (best.get(key) ?? Number.NEGATIVE_INFINITY)) best.set(key, value);
    });
  }
  const header = ['model', 'strategy', 'prompt', 'taxonomy', 'clips', 'labelled', ...METRIC_COLUMNS.map((column) => column.title), 'USD / 1,000 clips', 'median s / clip'];
  const rows = cells.map((cell) => {
    const metrics = METRIC_COLUMNS.map((column, index) => {
      const value = column.value(cell);
      const isBest = value !== null && cells.length > 1 && value === best.get(`${cell.taxonomy}/${index}`);
      return `<td${isBest ? ' class="best"' : ''}>${percent(value)}</td>`;
    });
    const cost = cell.costPer1000 === null ? '–' : cell.costPer1000.toFixed(cell.costPer1000 < 1 ? 4 : 2);
    const latency = cell.latency === null ? '–' : (cell.latency.medianMs / 1000).toFixed(2);
    const text = (value: string | undefined) => `<td class="text">${escapeHtml(value ?? '–')}</td>`;
    const name = cell.model === undefined ? `<td colspan="3">${escapeHtml(cell.name)}</td>` : `${text(cell.model)}${text(cell.strategy)}${text(cell.prompt)}`;
    return `<tr>${name}${text(cell.taxonomy)}<td>${cell.items}</td><td>${cell.labelled}</td>${metrics.join('')}<td>${cost}</td><td>${latency}</td></tr>`;
  });
  return `<table id="results-table"><thead><tr>${header.map((title) => `<th>${escapeHtml(title)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function goldTable(report: BenchReport): string {
  return Object.entries(report.source.perLabel)
    .map(([taxonomy, counts]) => {
      const cells = Object.entries(counts).map(([label, count]) => `<tr><td>${escapeHtml(label)}</td><td>${count}</td></tr>`);
      return `<table><thead><tr><th>${escapeHtml(taxonomy)}</th><th>clips</th></tr></thead><tbody>${cells.join('')}</tbody></table>`;
    })
    .join('');
}

const figure = (svg: string, caption: string) => `<figure>${svg}<figcaption class="note">${escapeHtml(caption)}</figcaption></figure>`;

const DEFINITIONS = `<dl>
<dt>WAR (accuracy)</dt><dd>Correct clips / clips: recall weighted by class size.</dd>
<dt>UAR (balanced accuracy)</dt><dd>Mean recall over the classes present in the gold labels.</dd>
<dt>Macro precision</dt><dd>Mean precision over the classes that are gold or predicted (a class never predicted has precision 0); the FER literature's "average precision".</dd>
<dt>Macro F1</dt><dd>Mean per-class F1 over the same classes.</dd>
<dt>Kappa</dt><dd>Cohen's kappa: agreement beyond chance, (observed − expected) / (1 − expected).</dd>
<dt>Coverage</dt><dd>Share of labelled clips accepted when only labels with confidence at or above a threshold are kept; the curve shows the accuracy of the accepted ones.</dd>
</dl>`;

/** The self-contained HTML report: tables and inline SVG charts, no scripts, no external files. */
export async function buildReportHtml(report: BenchReport): Promise<string> {
  const cells = report.cells;
  const byTaxonomy = groupByTaxonomy(cells);
  const withCost = cells.filter((cell) => cell.costPer1000 !== null);
  const costChart = withCost.length > 0
    ? figure(await renderChartSvg(costAccuracySpec(cells)), 'Colour: model; shape: taxonomy. Named: the cells no cheaper cell beats; ×n: n identical cells. Hover a point for its cells. Cost axis is logarithmic; free cells sit at its left end.')
    : '<p class="note">No predictions file had a cost_usd column, so there is nothing to plot.</p>';
  const coverageCharts: string[] = [];
  const perClassCharts: string[] = [];
  for (const [, group] of byTaxonomy) {
    const withCoverage = group.filter((cell) => cell.coverage.length > 0);
    if (withCoverage.length > 0) coverageCharts.push(figure(await renderChartSvg(coverageSpec(withCoverage)), 'Each step accepts the clips at the next lower confidence.'));
    perClassCharts.push(figure(await renderChartSvg(perClassBarsSpec(group, group[0]?.metrics.confusion.labels ?? [])), 'F1 per class, one bar per cell.'));
  }
  const heatmaps: string[] = [];
  for (const cell of cells) heatmaps.push(figure(await renderChartSvg(confusionHeatmapSpec(cell)), `${cell.name}: ${cell.predictionsFile}`));
  const source = report.source;
  const matrix = report.matrix
    ? `<p>Matrix: models ${escapeHtml(report.matrix.models.join(', '))}; strategies ${escapeHtml(report.matrix.strategies.join(', '))}; prompts ${escapeHtml(report.matrix.prompts.join(', '))}; taxonomies ${escapeHtml(report.matrix.taxonomies.join(', '))}${report.matrix.limit === undefined ? '' : `; first ${report.matrix.limit} clips`}.</p>`
    : '';
  const failures = report.failures.length === 0
    ? ''
    : `<section id="failures"><h2>Cells that failed</h2><ul>${report.failures.map((failure) => `<li><b>${escapeHtml(failure.name)}</b>: ${escapeHtml(failure.error)}</li>`).join('')}</ul></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(report.title)}</h1>
<p>${escapeHtml(source.kind)} ${escapeHtml(source.path)}${source.scene ? `, scene ${escapeHtml(source.scene)}` : ''}: ${source.items} clips. Generated ${escapeHtml(report.createdAt)}.</p>
${matrix}
<p class="note">${report.strict ? 'Clips without a label (failed, abstained, refused) count as wrong.' : 'Clips without a label are left out of the metrics.'} Metrics in %.</p></header>
<section id="results"><h2>Results</h2>${resultsTable(cells)}<p class="note">Bold: best per taxonomy.</p></section>
<section id="cost-accuracy"><h2>Cost against accuracy</h2>${costChart}</section>
<section id="coverage"><h2>Accuracy against coverage</h2><div class="charts">${coverageCharts.join('') || '<p class="note">No predictions had confidences.</p>'}</div></section>
<section id="per-class"><h2>Per-class F1</h2><div class="charts">${perClassCharts.join('')}</div></section>
<section id="confusion"><h2>Confusion matrices</h2><p class="note">Rows: gold; columns: predicted; shade: share of the row.</p><div class="charts">${heatmaps.join('')}</div></section>
${failures}
<section id="gold"><h2>Gold labels</h2><div class="charts">${goldTable(report)}</div></section>
<section id="definitions"><h2>Definitions</h2>${DEFINITIONS}</section>
<footer class="note">${cells.length} cell(s). Data: report.json.</footer>
</body></html>
`;
}
