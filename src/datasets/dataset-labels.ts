import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Dataset, DatasetItem } from './dataset-loader.js';
import { EmolabelError } from '../errors.js';
import { foldedInto, foldedWarning, normaliseLabel, type Taxonomy } from '../taxonomy/taxonomy.js';

/**
 * The dataset with every label in the taxonomy's canonical spelling (happy, HAPPINESS → Happy;
 * with ternary, Happy → positive). Throws listing the labels it cannot map and the valid ones.
 */
export function normaliseDatasetLabels(dataset: Dataset, taxonomy: Taxonomy): Dataset {
  const unknown = new Map<string, string>();
  const folded = new Map<string, { into: string; count: number }>();
  const items = dataset.items.map((item): DatasetItem => {
    const into = foldedInto(item.label, taxonomy);
    const spelling = item.label.trim().toLowerCase();
    if (into !== undefined) folded.set(spelling, { into, count: (folded.get(spelling)?.count ?? 0) + 1 });
    const label = normaliseLabel(item.label, taxonomy);
    if (label === undefined) {
      if (!unknown.has(item.label)) unknown.set(item.label, item.id);
      return item;
    }
    return { ...item, label };
  });
  if (unknown.size > 0) {
    const examples = [...unknown.entries()].slice(0, 5).map(([label, id]) => `"${label}" (e.g. ${id})`);
    throw new EmolabelError(
      'invalid_input',
      `Dataset ${dataset.source} has labels that ${taxonomy.name} does not know: ${examples.join(', ')}. ` +
        `Valid labels: ${taxonomy.labels.join(', ')} (or a spelling of a basic emotion); pass --taxonomy FILE.json for another label set.`,
      { path: dataset.source },
    );
  }
  const warnings = [...folded.entries()].map(([label, { into, count }]) => foldedWarning(label, into, count, taxonomy, `dataset ${dataset.source}`));
  return { ...dataset, items, ...(warnings.length === 0 ? {} : { warnings: [...(dataset.warnings ?? []), ...warnings] }) };
}


/** Items per label, in the taxonomy's order (labels with no items included, as 0). */
export function countByLabel(items: ReadonlyArray<Pick<DatasetItem, 'label'>>, labels: readonly string[]): Array<{ label: string; count: number }> {
  const counts = new Map(labels.map((label) => [label, 0]));
  for (const item of items) counts.set(item.label, (counts.get(item.label) ?? 0) + 1);
  return [...counts.entries()].map(([label, count]) => ({ label, count }));
}

/** How many items' media exist on disk, and the path of the first one that does not. */
export function countOnDisk(items: readonly DatasetItem[]): { onDisk: number; firstMissing?: string } {
  let onDisk = 0;
  let firstMissing: string | undefined;
  for (const item of items) {
    if (existsSync(item.path)) onDisk += 1;
    else firstMissing ??= item.path;
  }
  return firstMissing === undefined ? { onDisk } : { onDisk, firstMissing };
}

/** Writes `id,path,label` (and `scene` when items have one): the gold labels `emolabel eval --truth` reads. */
export async function writeTruthCsv(file: string, items: readonly DatasetItem[]): Promise<void> {
  const withScene = items.some((item) => item.scene !== undefined);
  const columns = withScene ? ['id', 'path', 'label', 'scene'] : ['id', 'path', 'label'];
  const rows = items.map((item) => (withScene ? [item.id, item.path, item.label, item.scene ?? ''] : [item.id, item.path, item.label]));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, stringify(rows, { header: true, columns }));
}
