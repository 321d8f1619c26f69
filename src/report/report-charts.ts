import type { TopLevelSpec } from 'vega-lite';
import type { ReportCell } from './report-types.js';

export { costAccuracySpec } from './cost-accuracy-chart.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'Helvetica, Arial, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } } as const;

/** A short label of a cell for legends: its matrix coordinates, or its name. */
export function cellLabel(cell: ReportCell): string {
  const parts = [cell.model, cell.strategy, cell.prompt].filter((part): part is string => part !== undefined && part !== '-');
  return parts.length > 0 ? `${parts.join(' · ')} · ${cell.taxonomy}` : cell.name;
}

/**
 * Confusion-matrix heatmap of one cell: rows gold, columns predicted, shaded by the share of the gold
 * row (recall on the diagonal), with the count written in each square.
 */
export function confusionHeatmapSpec(cell: ReportCell): TopLevelSpec {
  const { labels, matrix, unpredicted } = cell.metrics.confusion;
  const columns = unpredicted ? [...labels, '(none)'] : [...labels];
  const values = labels.flatMap((truth, row) => {
    const counts = [...(matrix[row] ?? []), ...(unpredicted ? [unpredicted[row] ?? 0] : [])];
    const total = counts.reduce((sum, count) => sum + count, 0);
    return counts.map((count, column) => ({ truth, predicted: columns[column], count, share: total === 0 ? 0 : count / total }));
  });
  const size = Math.max(120, 34 * columns.length);
  return {
    $schema: SCHEMA,
    title: { text: cellLabel(cell), fontSize: 12 },
    data: { values },
    width: size,
    height: Math.max(120, 34 * labels.length),
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: columns, title: 'predicted', axis: { labelAngle: -40 } },
      y: { field: 'truth', type: 'nominal', sort: [...labels], title: 'gold' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, title: 'share of row' } } },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.55', value: 'white' }, value: 'black' },
        },
      },
    ],
    config: CONFIG,
  };
}

/** Grouped bars of per-class F1 (and recall in the tooltip data) for every cell of one taxonomy. */
export function perClassBarsSpec(cells: readonly ReportCell[], labels: readonly string[]): TopLevelSpec {
  const values = cells.flatMap((cell) =>
    labels.map((label) => {
      const entry = cell.metrics.perClass[label];
      return { cell: cellLabel(cell), label, f1: entry?.f1 ?? 0, recall: entry?.recall ?? 0, precision: entry?.precision ?? 0 };
    }),
  );
  return {
    $schema: SCHEMA,
    title: `Per-class F1 (${cells[0]?.taxonomy ?? ''})`,
    data: { values },
    width: { step: Math.max(5, Math.min(16, Math.floor(72 / Math.max(1, cells.length)))) },
    height: 220,
    mark: 'bar',
    encoding: {
      x: { field: 'label', type: 'nominal', sort: [...labels], title: null, axis: { labelAngle: -30 } },
      xOffset: { field: 'cell', type: 'nominal' },
      y: { field: 'f1', type: 'quantitative', title: 'F1', scale: { domain: [0, 1] } },
      color: { field: 'cell', type: 'nominal', title: 'cell', legend: { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 1000, symbolLimit: 0 } },
    },
    config: CONFIG,
  };
}

/** Accuracy of the accepted labels against the share accepted, as the confidence threshold falls. */
export function coverageSpec(cells: readonly ReportCell[]): TopLevelSpec {
  const values = cells.flatMap((cell) =>
    cell.coverage.map((point) => ({ cell: cellLabel(cell), coverage: point.coverage, accuracy: point.accuracy, threshold: point.threshold })),
  );
  return {
    $schema: SCHEMA,
    title: `Accuracy against coverage (${cells[0]?.taxonomy ?? ''})`,
    data: { values },
    width: 520,
    height: 280,
    mark: { type: 'line', interpolate: 'step-after', point: { size: 14 } },
    encoding: {
      x: { field: 'coverage', type: 'quantitative', title: 'coverage (share of clips labelled)', scale: { domain: [0, 1] } },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy of accepted labels', scale: { domain: [0, 1] } },
      color: { field: 'cell', type: 'nominal', title: 'cell', legend: { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 1000, symbolLimit: 0 } },
      order: { field: 'coverage', type: 'quantitative' },
    },
    config: CONFIG,
  };
}
