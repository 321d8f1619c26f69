import { dirname, join, resolve } from 'node:path';
import { Option } from 'commander';
import type { RegisterCommand } from '../register-command.js';
import { EXIT } from '../cli-io.js';
import { choiceOption, integerOption, numberOption } from '../parse-option.js';
import { addProviderLimitOptions } from '../provider-limit-options.js';
import { type RunSpecFlags, runSpecFromFlags, type SessionFlags, sessionFromFlags } from '../run-flags.js';
import { createAnnotator } from '../../annotators/annotator-registry.js';
import { EmolabelError } from '../../errors.js';
import { LabelStudioPredictor } from '../../label-studio/label-studio-predictor.js';
import { DEFAULT_ML_BACKEND_PORT, startMlBackend } from '../../label-studio/start-ml-backend.js';
import { DEFAULT_DB_PATH } from '../../store/open-database.js';
import { RunStore } from '../../store/run-store.js';
import { getStrategy } from '../../strategies/strategy-registry.js';

interface BackendFlags extends RunSpecFlags, SessionFlags {
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly mediaCache?: string;
  readonly localFilesRoot?: string;
  readonly basicAuthUser?: string;
  readonly basicAuthPass?: string;
}

function untilStopped(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

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
      getStrategy(flags.strategy);
      const spec = runSpecFromFlags([], flags, io.cwd);
      createAnnotator(spec.model, spec.annotatorSettings).checkReady?.();
      const user = flags.basicAuthUser ?? io.env.BASIC_AUTH_USER;
      const password = flags.basicAuthPass ?? io.env.BASIC_AUTH_PASS;
      if ((user === undefined) !== (password === undefined)) throw new EmolabelError('invalid_option', 'Give both --basic-auth-user and --basic-auth-pass (or BASIC_AUTH_USER and BASIC_AUTH_PASS), or neither.');
      const db = resolve(io.cwd, flags.db);
      const store = RunStore.open(db);
      try {
        const predictor = new LabelStudioPredictor({
          spec,
          session: { ...sessionFromFlags(flags, io.cwd), store },
          media: {
            cacheDir: flags.mediaCache ? resolve(io.cwd, flags.mediaCache) : join(dirname(db), 'label-studio-media'),
            ...(io.env.LABEL_STUDIO_URL ? { labelStudioUrl: io.env.LABEL_STUDIO_URL } : {}),
            ...(io.env.LABEL_STUDIO_API_KEY ? { apiKey: io.env.LABEL_STUDIO_API_KEY } : {}),
            ...(flags.localFilesRoot ? { localFilesRoot: resolve(io.cwd, flags.localFilesRoot) } : {}),
          },
          onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
        });
        const server = await startMlBackend({ predictor, host: flags.host, port: flags.port, ...(user && password ? { basicAuth: { user, password } } : {}) });
        const stopped = untilStopped();
        io.stdout.write(`emolabel ML backend for Label Studio: ${predictor.modelVersion}\n`);
        io.stdout.write(`Connect ${server.url} under your project's Settings > Model${user ? ' (with basic auth)' : ''}. Press Ctrl-C to stop.\n`);
        if (!io.env.LABEL_STUDIO_URL) io.stderr.write('note: LABEL_STUDIO_URL is not set: tasks whose media are Label Studio paths (/data/upload/…) get no prediction.\n');
        await stopped;
        await server.close();
        setExitCode(EXIT.ok);
      } finally {
        store.close();
      }
    });
};
