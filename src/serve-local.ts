import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { EmolabelError } from './errors.js';

/** An HTTP server that {@link serveLocally} started. */
export interface LocalServer {
  /** `http://host:port`, the host as a browser on this machine reaches it (`0.0.0.0` shown as `127.0.0.1`). */
  readonly origin: string;
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Serves `fetch` on `host:port` (0 picks a free port) and resolves once it listens: the review page
 * and the Label Studio ML backend. A port in use fails naming it and `--port`; `serving` says what
 * could not be served (`the review page`).
 */
export async function serveLocally(options: {
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly host: string;
  readonly port: number;
  readonly serving: string;
}): Promise<LocalServer> {
  const { host } = options;
  const server = serve({ fetch: options.fetch, hostname: host, port: options.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${options.port} is in use; pick another with --port` : error.message;
      reject(new EmolabelError('invalid_option', `Cannot serve ${options.serving} on ${host}:${options.port}: ${reason}.`, { cause: error }));
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    origin: `http://${shownHost}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    }),
  };
}
