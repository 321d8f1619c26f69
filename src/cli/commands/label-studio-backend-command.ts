import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { choiceOption, integerOption, numberOption } from '../parse-option.js';
import { addProviderLimitOptions } from '../provider-limit-options.js';
import { DEFAULT_ML_BACKEND_PORT } from '../../label-studio/default-ml-backend-port.js';
import { DEFAULT_DB_PATH } from '../../store/default-db-path.js';
import type { BackendFlags } from './label-studio-backend-action.js';

export const registerLabelStudioBackendCommand: RegisterCommand = (program, io, setExitCode) => {
  const command = program
    .command('label-studio-backend')
    .description("Serve Label Studio's ML backend protocol: connect it under a project's Settings > Model to get emolabel predictions live.")
    .option('-p, --port <n>', 'port to listen on (0 picks a free one)', integerOption(0), DEFAULT_ML_BACKEND_PORT)
    .option('--host <address>', 'interface to bind (0.0.0.0 when Label Studio runs in Docker or on another machine)', '127.0.0.1')
    .option('-m, --model <id>', 'annotator, provider:model', 'local')
    .option('-s, --strategy <name>', 'frame, mean, multi or grid', 'frame')
    .option('-t, --taxonomy <name|file>', "basic7, ternary, or a taxonomy .json file; the project's label names are mapped onto it", 'basic7')
    .option('-f, --frames <n>', 'frames sampled evenly from each video', integerOption(1), 8)
    .addOption(new Option('--faces <mode>', 'largest face per frame, all faces (a track and a timeline each), or none').choices(['largest', 'all', 'none']).default('largest'))
    .option('--face-margin <fraction>', 'margin added around each face box', numberOption(0, 2), 0)
    .option('--base-url <url>', 'endpoint of an OpenAI-compatible server')
    .option('--api-key-env <name>', "environment variable holding the provider's API key")
    .option('--prompt <mode>', 'LLM prompt mode: direct, au-cot or hint')
    .addOption(new Option('--detail <level>', 'LLM image detail').argParser(choiceOption(['low', 'high', 'auto'])))
    .option('--image-size <px>', 'longest side of each image sent to an LLM', integerOption(32))
    .option('--max-output-tokens <n>', 'cap on the tokens of one LLM answer', integerOption(16))
    .option('-c, --concurrency <n>', 'items of one predict request labelled at once', integerOption(1), 2)
    .option('--db <path>', 'the run store (SQLite): every predict is a stored run, re-predicts are answered from it', DEFAULT_DB_PATH)
    .option('--media-cache <dir>', 'where downloaded task media are kept (default: label-studio-media beside the run store)')
    .option('--local-files-root <dir>', "read /data/local-files/?d=… paths from this folder (Label Studio's LOCAL_FILES_DOCUMENT_ROOT) instead of downloading them")
    .option('--basic-auth-user <name>', 'require this basic-auth user (default: BASIC_AUTH_USER)')
    .option('--basic-auth-pass <password>', 'and this password (default: BASIC_AUTH_PASS)');
  addProviderLimitOptions(command, 'stop predicting once the runs would cost more than this many dollars')
    .action(async (flags: BackendFlags) => {
      const { runLabelStudioBackendCommand } = await import('./label-studio-backend-action.js');
      await runLabelStudioBackendCommand(flags, io, setExitCode);
    });
};
