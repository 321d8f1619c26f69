import type { TopLevelSpec } from 'vega-lite';
import type { ReportCell } from './report-types.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'Helvetica, Arial, sans-serif', view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } } as const;
/** Legends show whole names: a model id cut to "openai:gpt-4o-mi…" reads as another model. */
const LEGEND = { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 1000, symbolLimit: 0 } as const;

/** One point of the chart: a cell, or several cells with the same cost and accuracy (drawn once, counted). */
interface CostPoint {
  readonly cells: string;
  readonly count: number;
  readonly model: string;
  readonly taxonomy: string;
  readonly detail: string;
  readonly cost: number;
  /** Where the point is drawn: its cost, or the floor of the log axis for a free cell. */
  readonly x: number;
  readonly accuracy: number;
  readonly frontier: boolean;
  readonly tooltip: string;
}

const dollars = (value: number) => (value === 0 ? '$0' : value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(value < 10 ? 2 : 0)}`);
const detailOf = (cell: ReportCell) => [cell.strategy, cell.prompt].filter((part) => part !== undefined && part !== '-').join(' · ');
const nameOf = (cell: ReportCell) => [cell.model, detailOf(cell), cell.taxonomy].filter(Boolean).join(' · ') || cell.name;

/** Cells with a cost and an accuracy, identical (cost, accuracy, model, taxonomy) ones merged into one counted point. */
function pointsOf(cells: readonly ReportCell[], floor: number): CostPoint[] {
  const groups = new Map<string, ReportCell[]>();
  for (const cell of cells) {
    if (cell.costPer1000 === null || cell.metrics.accuracy === null) continue;
    const key = JSON.stringify([cell.costPer1000.toPrecision(6), cell.metrics.accuracy.toFixed(6), cell.model ?? cell.name, cell.taxonomy]);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const points = [...groups.values()].map((group) => {
    const first = group[0] as ReportCell;
    const cost = first.costPer1000 as number;
    const accuracy = first.metrics.accuracy as number;
    const names = group.map(nameOf);
    return {
      cells: names.join('; '), count: group.length, model: first.model ?? first.name, taxonomy: first.taxonomy,
      detail: group.length > 1 ? `${detailOf(first) || first.name} ×${group.length}` : detailOf(first) || first.name,
      cost, x: cost > 0 ? cost : floor, accuracy, frontier: false,
      tooltip: `${names.join('\n')}\naccuracy ${(100 * accuracy).toFixed(1)}% · ${dollars(cost)} per 1,000 clips`,
    };
  });
  // The cells worth naming: none cheaper is at least as accurate (per taxonomy).
  return points.map((point) => ({
    ...point,
    frontier: !points.some((other) => other !== point && other.taxonomy === point.taxonomy && other.cost <= point.cost && other.accuracy >= point.accuracy
      && (other.cost < point.cost || other.accuracy > point.accuracy)),
  }));
}

/** Powers of ten from `low` to `high`: the ticks of a log axis that reads as one. */
function decades(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let exponent = Math.floor(Math.log10(low)); exponent <= Math.ceil(Math.log10(high)); exponent += 1) ticks.push(10 ** exponent);
  return ticks;
}

/**
 * Accuracy (WAR) against cost per 1,000 clips, one point per cell (colour: model, shape: taxonomy),
 * readable for 10-50 cells: a log cost axis with ticks at whole decades (free cells sit at its left
 * end, ticked `$0`), names written only beside the cells no cheaper cell beats (the others in their
 * tooltip), identical cells drawn once with `×n`, full model names in the legend. When every cell
 * is free, accuracy per cell instead, since cost tells nothing apart.
 */
export function costAccuracySpec(cells: readonly ReportCell[]): TopLevelSpec {
  const positive = cells.flatMap((cell) => (cell.costPer1000 !== null && cell.costPer1000 > 0 ? [cell.costPer1000] : []));
  if (positive.length === 0) return freeCellsSpec(cells);
  const low = Math.min(...positive);
  const high = Math.max(...positive);
  const floor = 10 ** (Math.floor(Math.log10(low)) - 1);
  const values = pointsOf(cells, floor);
  const anyFree = values.some((point) => point.cost === 0);
  const ticks = decades(anyFree ? floor : low, high);
  return {
    $schema: SCHEMA,
    title: 'Accuracy (WAR) against cost per 1,000 clips',
    data: { values },
    width: 620,
    height: 340,
    encoding: {
      x: {
        field: 'x', type: 'quantitative', title: 'USD per 1,000 clips (log scale)',
        scale: { type: 'log', domain: [ticks[0] ?? floor, ticks.at(-1) ?? high], nice: false },
        axis: { values: ticks, labelExpr: `datum.value <= ${floor * 1.000001} && ${anyFree} ? '$0 (free)' : '$' + format(datum.value, '~g')`, grid: true, gridOpacity: 0.4 },
      },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (WAR)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
    },
    layer: [
      // A ring around a point that stands for several identical cells (only when there is one: an empty layer draws an empty group).
      ...(values.some((point) => point.count > 1) ? [{
        transform: [{ filter: 'datum.count > 1' }],
        mark: { type: 'point' as const, filled: false, size: 360, strokeWidth: 1.5, color: '#555' },
        encoding: { description: { field: 'tooltip', type: 'nominal' as const } },
      }] : []),
      {
        mark: { type: 'point', filled: true, size: 90, opacity: 0.85, stroke: 'white', strokeWidth: 0.8 },
        encoding: {
          color: { field: 'model', type: 'nominal', title: 'model', legend: LEGEND },
          shape: { field: 'taxonomy', type: 'nominal', title: 'taxonomy', legend: LEGEND },
          description: { field: 'tooltip', type: 'nominal' },
        },
      },
      {
        transform: [{ filter: 'datum.frontier || datum.count > 1' }],
        mark: { type: 'text', align: 'left', dx: 9, dy: -7, fontSize: 10, color: '#333' },
        encoding: { text: { field: 'detail', type: 'nominal' } },
      },
    ],
    config: CONFIG,
  };
}

/** Every cell cost $0: accuracy per cell, best first, so free cells do not pile up on one line. */
function freeCellsSpec(cells: readonly ReportCell[]): TopLevelSpec {
  const values = cells
    .filter((cell) => cell.metrics.accuracy !== null)
    .map((cell) => ({ cell: nameOf(cell), model: cell.model ?? cell.name, taxonomy: cell.taxonomy, accuracy: cell.metrics.accuracy, tooltip: `${nameOf(cell)}\naccuracy ${(100 * (cell.metrics.accuracy ?? 0)).toFixed(1)}% · $0` }));
  return {
    $schema: SCHEMA,
    title: { text: 'Accuracy (WAR) per cell', subtitle: 'every cell cost $0, so cost tells none apart' },
    data: { values },
    width: { step: 22 },
    height: 260,
    mark: { type: 'point', filled: true, size: 90 },
    encoding: {
      x: { field: 'cell', type: 'nominal', sort: '-y', title: null, axis: { labelAngle: -40, labelLimit: 260 } },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy (WAR)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
      color: { field: 'model', type: 'nominal', title: 'model', legend: LEGEND },
      shape: { field: 'taxonomy', type: 'nominal', title: 'taxonomy', legend: LEGEND },
      description: { field: 'tooltip', type: 'nominal' },
    },
    config: CONFIG,
  };
}
