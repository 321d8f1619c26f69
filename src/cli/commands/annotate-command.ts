import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { choiceOption, concurrencyOption, integerOption, numberOption } from '../parse-option.js';
import { addProviderLimitOptions } from '../provider-limit-options.js';
import { EmolabelError } from '../../errors.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import type { AnnotateFlags } from './annotate-action.js';

export const registerAnnotateCommand: RegisterCommand = (program, io, setExitCode) => {
  const command = program
    .command('annotate')
    .description('Label the facial emotion of images, videos and frame folders.')
    .argument('[inputs...]', 'image files, video files and folders (walked recursively)')
    .option('-o, --out <file>', 'write results to a .csv, .jsonl or .json file (default: print a table)')
    .option('-m, --model <id>', 'annotator, provider:model', 'local')
    .option('-s, --strategy <name>', 'frame (majority vote), mean (average probabilities), multi (all frames in one LLM request) or grid (frames tiled into one image)', 'frame')
    .option('-t, --taxonomy <name|file>', 'basic7, basic8 (keeps Contempt), ternary, or a taxonomy .json file', 'basic7')
    .option('-f, --frames <n>', 'frames sampled evenly from each video or frame folder', integerOption(1), 8)
    .addOption(new Option('--faces <mode>', 'largest face per frame, all faces, or none (whole frames)').choices(['largest', 'all', 'none']).default('largest'))
    .option('--face-margin <fraction>', 'margin added around each face box, as a fraction of its size', numberOption(0, 2), 0)
    .option('--manifest <csv>', 'a CSV of media paths (relative to the CSV) with optional label and id columns')
    .option('--path-column <name>', 'with --manifest: the column of media paths (default: path, else the one of image, clip, video, file … present)')
    .option('--id-column <name>', 'with --manifest: the column of item ids (default: id when present, else ids from the paths)')
    .option('--clip-folders', 'treat every folder of images as one clip (FERV39k layout)')
    .option('-c, --concurrency <n|auto>', 'requests in flight to an LLM; auto starts at 4 and grows until the provider pushes back (429) or --max-concurrency; for the local model, items at once (auto: 2)', concurrencyOption, 'auto')
    .option('--max-concurrency <n>', 'ceiling of --concurrency auto', integerOption(1), 64)
    .option('--workers <n>', 'worker threads for decoding, face detection and the local model; 1: main thread only (default: one per core up to --concurrency for the local model, 1 for LLMs)', integerOption(1))
    .option('--save-frames <dir>', 'also write the sampled frames and face crops as JPEG here')
    .option('-q, --quiet', 'no progress output')
    .option('--base-url <url>', 'endpoint of an OpenAI-compatible server (Ollama, vLLM, LM Studio …)')
    .option('--api-key-env <name>', "environment variable holding the API key (default: the provider's usual one)")
    .option('--prompt <mode>', 'LLM prompt mode: direct, au-cot or hint')
    .addOption(new Option('--detail <level>', 'LLM image detail').argParser(choiceOption(['low', 'high', 'auto'])))
    .option('--image-size <px>', 'longest side of each image sent to an LLM (default 512)', integerOption(32))
    .option('--max-images <n>', 'most images per LLM request, replacing the price table value (1: multi sends a grid)', integerOption(1))
    .option('--price-table <file>', 'JSON price table whose entries replace the bundled ones')
    .option('--max-output-tokens <n>', 'cap on the tokens of one LLM answer, reasoning included (default 1024; 4096 for models that reason)', integerOption(16))
    .addOption(new Option('--reasoning-effort <level>', 'how much a reasoning model may think: none, minimal, low, medium, high (default low for models that reason)').argParser(choiceOption(['none', 'minimal', 'low', 'medium', 'high'])))
    .addOption(new Option('--service-tier <tier>', "OpenAI's processing tier: flex answers slower at the batch price, without a batch (models that offer it)").argParser(choiceOption(['default', 'flex'])))
    .option('--dry-run', 'sample frames and crop faces, print estimated tokens and dollars per item and in total; send nothing')
    .option('--db <path>', 'the run store (SQLite)', DEFAULT_DB_PATH)
    .option('--resume <run>', 'finish this run with its stored inputs and options (running the same command again also resumes)')
    .option('--take-over', 'run a run another session holds (its process is gone, but its lease is not yet stale)')
    .option('--batch', "send the requests through the provider's batch API: half price, answers within 24 h (openai:, anthropic:, google:); see docs/batch.md")
    .option('--no-wait', 'with --batch: submit the batches and exit; the same command again (or --resume) collects them')
    .addOption(new Option('--batch-follow-ups <where>', 'with --batch: repairs and re-asks of batch answers go online or in the next batch').choices(['online', 'batch']).default('online'))
    .addOption(new Option('--batch-retries <where>', 'with --batch: expired, cancelled and transiently failed lines go in a follow-up batch or online').choices(['batch', 'online']).default('batch'))
    .option('--batch-poll <seconds>', 'with --batch: time between polls of the batches', numberOption(0.001), 30)
    .option('--queue <redis-url>', 'coordinate: queue one job per item on this Redis for `emolabel worker` processes to label (see docs/workers.md)');
  addProviderLimitOptions(command, 'stop before the run would cost more than this many dollars')
    // Loaded only when the command runs: help and usage errors stay light.
    .action(async (inputs: string[], flags: AnnotateFlags) => {
      if (inputs.length === 0 && !flags.manifest && !flags.resume) {
        throw new EmolabelError('invalid_option', 'Give at least one input path, or --manifest <csv>. Example: emolabel annotate clips/ --out labels.csv');
      }
      const { runAnnotateCommand } = await import('./annotate-action.js');
      await runAnnotateCommand(inputs, flags, io, setExitCode);
    });
};
