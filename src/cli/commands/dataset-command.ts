import { resolve } from 'node:path';
import type { RegisterCommand } from '../register-command.js';
import { EXIT } from '../cli-io.js';
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
  readonly taxonomy: string;
  readonly truth?: string;
  readonly json?: boolean;
}

const FLAG_OF_OPTION: Record<keyof DatasetLoadOptions, string> = { scene: '--scene', framesRoot: '--frames-root' };

/** Loader options from flags, rejecting flags the loader does not take. */
export function datasetLoadOptions(kind: string, flags: Pick<DatasetFlags, 'scene' | 'framesRoot'>, cwd: string): DatasetLoadOptions {
  const loader = getDatasetLoader(kind);
  const options: DatasetLoadOptions = {
    ...(flags.scene === undefined ? {} : { scene: flags.scene }),
    ...(flags.framesRoot === undefined ? {} : { framesRoot: resolve(cwd, flags.framesRoot) }),
  };
  for (const key of Object.keys(options) as (keyof DatasetLoadOptions)[]) {
    if (!loader.options.includes(key)) {
      const takers = listDatasetLoaders().filter((other) => other.options.includes(key)).map((other) => other.kind);
      throw new EmolabelError('invalid_option', `${FLAG_OF_OPTION[key]} does not apply to a ${kind} dataset; it is for ${takers.join(', ') || 'no loader'}.`);
    }
  }
  return options;
}

export const registerDatasetCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('dataset')
    .description('Read a labelled dataset and print its clips per label; --truth writes the gold labels as a CSV for eval.')
    .argument('<kind>', `dataset layout: ${listDatasetLoaders().map((loader) => `${loader.kind} (${loader.description})`).join('; ')}`)
    .argument('<path>', 'the dataset folder, manifest CSV or split list')
    .option('--scene <name>', 'ferv39k: keep only this scene (e.g. DailyLife)')
    .option('--frames-root <dir>', "ferv39k: folder holding <Scene>/<Emotion>/<clip> frame folders (FERV39k's 2_ClipsforFaceCrop)")
    .option('-t, --taxonomy <name|file>', 'normalise labels to basic7, basic8 (keeps Contempt), ternary, or a taxonomy .json file', 'basic7')
    .option('--truth <csv>', 'write id,path,label of every item here (works without the media on disk)')
    .option('--json', 'print the counts as JSON')
    .action(async (kind: string, path: string, flags: DatasetFlags) => {
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
    });
};
