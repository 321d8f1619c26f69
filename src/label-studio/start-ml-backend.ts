import { DEFAULT_ML_BACKEND_PORT } from './default-ml-backend-port.js';
import { createMlBackendApp, type MlBackendAppOptions } from './ml-backend-app.js';
import type { LabelStudioPredictor } from './label-studio-predictor.js';
import { serveLocally } from '../serve-local.js';

export { DEFAULT_ML_BACKEND_PORT };

export interface MlBackendServerOptions extends MlBackendAppOptions {
  readonly predictor: LabelStudioPredictor;
  /** Interface to bind; Label Studio in Docker reaches a host backend on 0.0.0.0 only. @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default DEFAULT_ML_BACKEND_PORT */
  readonly port?: number;
}

export interface MlBackendServer {
  /** What to enter as the model's URL in Label Studio's project settings. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves Label Studio's ML backend protocol for one predictor.
 * @example
 * const server = await startMlBackend({ predictor, port: 9090 });
 * console.log(`connect ${server.url} under Settings > Model`);
 */
export async function startMlBackend(options: MlBackendServerOptions): Promise<MlBackendServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? DEFAULT_ML_BACKEND_PORT;
  const app = createMlBackendApp(options.predictor, options.basicAuth ? { basicAuth: options.basicAuth } : {});
  const server = await serveLocally({ fetch: (request) => app.fetch(request), host, port: requestedPort, serving: 'the ML backend' });
  return { url: server.origin, port: server.port, close: server.close };
}
