import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { DEFAULT_ML_BACKEND_PORT } from './default-ml-backend-port.js';
import { createMlBackendApp, type MlBackendAppOptions } from './ml-backend-app.js';
import type { LabelStudioPredictor } from './label-studio-predictor.js';
import { EmolabelError } from '../errors.js';

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
  const server = serve({ fetch: (request) => app.fetch(request), hostname: host, port: requestedPort });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${requestedPort} is in use; pick another with --port` : error.message;
      reject(new EmolabelError('invalid_option', `Cannot serve the ML backend on ${host}:${requestedPort}: ${reason}.`, { cause: error }));
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    }),
  };
}
