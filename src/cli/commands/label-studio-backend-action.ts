import { dirname, join, resolve } from 'node:path';
import { EXIT, type CliIo, untilInterrupted } from '../cli-io.js';
import { type RunSpecFlags, runSpecFromFlags, type SessionFlags, sessionFromFlags } from '../run-flags.js';
import { createAnnotator } from '../../annotators/annotator-registry.js';
import { EmolabelError } from '../../errors.js';
import { LabelStudioPredictor } from '../../label-studio/label-studio-predictor.js';
import { startMlBackend } from '../../label-studio/start-ml-backend.js';
import { RunStore } from '../../store/run-store.js';
import { getStrategy } from '../../strategies/strategy-registry.js';

export interface BackendFlags extends RunSpecFlags, SessionFlags {
  readonly db: string;
  readonly port: number;
  readonly host: string;
  readonly mediaCache?: string;
  readonly localFilesRoot?: string;
  readonly basicAuthUser?: string;
  readonly basicAuthPass?: string;
}

/** What `emolabel label-studio-backend` does once its flags are parsed; loaded only when the command runs, so help stays light. */
export async function runLabelStudioBackendCommand(flags: BackendFlags, io: CliIo, setExitCode: (code: number) => void): Promise<void> {
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
    const stopped = untilInterrupted(io);
    io.stdout.write(`emolabel ML backend for Label Studio: ${predictor.modelVersion}\n`);
    io.stdout.write(`Connect ${server.url} under your project's Settings > Model${user ? ' (with basic auth)' : ''}. Press Ctrl-C to stop.\n`);
    if (!io.env.LABEL_STUDIO_URL) io.stderr.write('note: LABEL_STUDIO_URL is not set: tasks whose media are Label Studio paths (/data/upload/…) get no prediction.\n');
    await stopped;
    await server.close();
    setExitCode(EXIT.ok);
  } finally {
    store.close();
  }
}
