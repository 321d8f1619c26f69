import type { RegisterCommand } from '../register-command.js';
import { BUILT_IN_DATASET_KINDS } from '../../datasets/built-in-dataset-kinds.js';
import type { DatasetFlags } from './dataset-action.js';

export const registerDatasetCommand: RegisterCommand = (program, io, setExitCode) => {
  program
    .command('dataset')
    .description('Read a labelled dataset and print its clips per label; --truth writes the gold labels as a CSV for eval.')
    .argument('<kind>', `dataset layout: ${BUILT_IN_DATASET_KINDS}`)
    .argument('<path>', 'the dataset folder, manifest CSV or split list')
    .option('--scene <name>', 'ferv39k: keep only this scene (e.g. DailyLife)')
    .option('--frames-root <dir>', "ferv39k: folder holding <Scene>/<Emotion>/<clip> frame folders (FERV39k's 2_ClipsforFaceCrop)")
    .option('--path-column <name>', 'manifest: the column of media paths (default: path, else the one of image, clip, video, file … present)')
    .option('--id-column <name>', 'manifest: the column of item ids (default: id when present, else ids from the paths)')
    .option('-t, --taxonomy <name|file>', 'normalise labels to basic7, basic8 (keeps Contempt), ternary, or a taxonomy .json file', 'basic7')
    .option('--truth <csv>', 'write id,path,label of every item here (works without the media on disk)')
    .option('--json', 'print the counts as JSON')
    .action(async (kind: string, path: string, flags: DatasetFlags) => {
      const { runDatasetCommand } = await import('./dataset-action.js');
      await runDatasetCommand(kind, path, flags, io, setExitCode);
    });
};
