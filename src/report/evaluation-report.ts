import { countByLabel } from '../datasets/dataset-labels.js';
import type { EvaluateFilesOptions, FileEvaluation } from '../eval/evaluate-files.js';
import { buildReportCell } from './build-report-cell.js';
import { writeReport } from './write-report.js';

/** Writes `report.json` and a self-contained `report.html` (one row per scored file) to `dir`; resolves to their paths. */
export async function writeEvaluationReport(
  dir: string,
  scored: readonly FileEvaluation[],
  options: Pick<EvaluateFilesOptions, 'taxonomy' | 'strict' | 'idColumn' | 'predictionLabelColumn'> & { readonly title?: string },
): Promise<{ json: string; html: string }> {
  const { taxonomy } = options;
  const cells = scored.map(({ file, name, truth }) =>
    buildReportCell({
      name, predictionsFile: file, truth, taxonomy, strict: options.strict ?? false, reportDir: dir,
      labelColumn: options.predictionLabelColumn ?? 'label', ...(options.idColumn === undefined ? {} : { idColumn: options.idColumn }),
    }),
  );
  const gold = scored[0]?.truth;
  const perLabel = Object.fromEntries(countByLabel(gold?.rows.flatMap((row) => (row.label === undefined ? [] : [{ label: row.label }])) ?? [], taxonomy.labels).map(({ label, count }) => [label, count]));
  return writeReport(dir, {
    title: options.title ?? `emolabel eval: ${scored.map(({ name }) => name).join(', ')}`,
    createdAt: new Date().toISOString(),
    source: { kind: 'truth CSV', path: gold?.file ?? '', items: Object.values(perLabel).reduce((sum, count) => sum + count, 0), perLabel: { [taxonomy.name]: perLabel } },
    strict: options.strict ?? false,
    cells,
    failures: [],
  });
}
