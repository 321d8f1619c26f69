import { resolve } from 'node:path';
import { type CliIo, EXIT } from '../cli-io.js';
import { countByLabel, countOnDisk, normaliseDatasetLabels, writeTruthCsv } from '../../datasets/dataset-labels.js';
import type { DatasetLoadOptions } from '../../datasets/dataset-loader.js';
import { getDatasetLoader, listDatasetLoaders } from '../../datasets/dataset-registry.js';
import { EmolabelError } from '../../errors.js';
import { formatTable } from '../../eval/format-metrics.js';
import { resolveTaxonomy } from '../../taxonomy/load-taxonomy.js';

/** Parsed flags of `emolabel dataset`. */
export interface DatasetFlags {
  readonly scene?: string;
  readonly framesRoot?: string;
  readonly pathColumn?: string;
  readonly idColumn?: string;
  readonly taxonomy: string;
  readonly truth?: string;
  readonly json?: boolean;
}

const FLAG_OF_OPTION: Record<keyof DatasetLoadOptions, string> = { scene: '--scene', framesRoot: '--frames-root', pathColumn: '--path-column', idColumn: '--id-column' };

/** Loader options from flags, rejecting flags the loader does not take. */
export function datasetLoadOptions(kind: string, flags: Pick<DatasetFlags, 'scene' | 'framesRoot' | 'pathColumn' | 'idColumn'>, cwd: string): DatasetLoadOptions {
  const loader = getDatasetLoader(kind);
  const options: DatasetLoadOptions = {
    ...(flags.scene === undefined ? {} : { scene: flags.scene }),
    ...(flags.framesRoot === undefined ? {} : { framesRoot: resolve(cwd, flags.framesRoot) }),
    ...(flags.pathColumn === undefined ? {} : { pathColumn: flags.pathColumn }),
    ...(flags.idColumn === undefined ? {} : { idColumn: flags.idColumn }),
  };
  for (const key of Object.keys(options) as (keyof DatasetLoadOptions)[]) {
    if (!loader.options.includes(key)) {
      const takers = listDatasetLoaders().filter((other) => other.options.includes(key)).map((other) => other.kind);
      throw new EmolabelError('invalid_option', `${FLAG_OF_OPTION[key]} does not apply to a ${kind} dataset; it is for ${takers.join(', ') || 'no loader'}.`);
    }
  }
  return options;
}

/** What `emolabel dataset` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runDatasetCommand(kind: string, path: string, flags: DatasetFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
  const taxonomy = resolveTaxonomy(flags.taxonomy);
  const loader = getDatasetLoader(kind);
  const raw = await loader.load(resolve(io.cwd, path), datasetLoadOptions(kind, flags, io.cwd));
  const dataset = normaliseDatasetLabels(raw, taxonomy);
  for (const warning of dataset.warnings ?? []) io.stderr.write(`Warning: ${warning}\n`);
  const counts = countByLabel(dataset.items, taxonomy.labels);
  const { onDisk, firstMissing } = countOnDisk(dataset.items);
  if (flags.truth) await writeTruthCsv(resolve(io.cwd, flags.truth), dataset.items);
  if (flags.json) {
    const summary = {
      kind: dataset.kind,
      source: dataset.source,
      ...(flags.scene === undefined ? {} : { scene: flags.scene }),
      taxonomy: taxonomy.name,
      items: dataset.items.length,
      onDisk,
      perLabel: Object.fromEntries(counts.map(({ label, count }) => [label, count])),
      ...(flags.truth ? { truth: flags.truth } : {}),
    };
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const total = dataset.items.length;
    const percent = (count: number) => (total === 0 ? '-' : `${((100 * count) / total).toFixed(1)}%`);
    const scene = flags.scene === undefined ? '' : `, scene ${flags.scene}`;
    io.stdout.write(`${dataset.kind} dataset ${dataset.source}${scene}: ${total} item(s), labels in ${taxonomy.name}\n\n`);
    io.stdout.write(`${formatTable([['label', 'items', 'share'], ...counts.map(({ label, count }) => [label, String(count), percent(count)]), ['total', String(total), percent(total)]])}\n\n`);
    const hint = firstMissing === undefined ? '' : ` (not found, e.g. ${firstMissing}${kind === 'ferv39k' ? '; point --frames-root at the clips' : ''})`;
    io.stdout.write(`Media on disk: ${onDisk} of ${total}${hint}\n`);
    if (flags.truth) io.stdout.write(`Gold labels written to ${flags.truth}\n`);
  }
  setExitCode(EXIT.ok);
}
