import { DEFAULT_REVIEW_PORT } from './default-review-port.js';
import { createReviewApp } from './review-app.js';
import type { LabelStudioOpinions } from './label-studio-opinions.js';
import { ReviewSession } from './review-session.js';
import { serveLocally } from '../serve-local.js';
import type { RunStore } from '../store/run-store.js';

export { DEFAULT_REVIEW_PORT };

/** Options of {@link startReviewServer}. */
export interface ReviewServerOptions {
  readonly store: RunStore;
  readonly runId: string;
  /** Name recorded with decisions when the page sends none. */
  readonly reviewer: string;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default DEFAULT_REVIEW_PORT */
  readonly port?: number;
  /** A Label Studio JSON export whose annotations and predictions show as other opinions. */
  readonly labelStudio?: LabelStudioOpinions;
}

/** A running review server. */
export interface ReviewServer {
  /** `http://127.0.0.1:8790/`: what to open in a browser. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and resolves once the server is closed. */
  close(): Promise<void>;
}

/** Whether `host` is a loopback address or name: `localhost`, any of 127.0.0.0/8, `::1`. */
function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/** Host headers a loopback server answers to: the address it is bound to and the usual loopback names, with its port. */
function loopbackHosts(host: string, port: number): string[] {
  const bound = host.includes(':') ? `[${host}]` : host;
  return [...new Set([bound, '127.0.0.1', 'localhost', '[::1]'])].map((name) => `${name}:${port}`);
}

/**
 * Serves the review app for one run. Bound to 127.0.0.1 unless `host` says otherwise; on a loopback
 * address (localhost, 127.0.0.0/8, ::1) the server also refuses other `Host` names (DNS rebinding).
 * @example
 * const server = await startReviewServer({ store: RunStore.open(), runId, reviewer: 'ana', port: 0 });
 * console.log(server.url);
 */
export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? DEFAULT_REVIEW_PORT;
  const session = new ReviewSession(options.store, options.runId, options.labelStudio);
  // The app is made once the port is known (port 0 picks one), so it can check Host against it.
  let fetchApp: ((request: Request) => Response | Promise<Response>) | undefined;
  const server = await serveLocally({
    fetch: (request) => fetchApp?.(request) ?? new Response('Starting', { status: 503 }),
    host, port: requestedPort, serving: 'the review page',
  });
  const app = createReviewApp(session, { reviewer: options.reviewer, ...(isLoopbackHost(host) ? { allowedHosts: loopbackHosts(host, server.port) } : {}) });
  fetchApp = (request) => app.fetch(request);
  return { url: `${server.origin}/`, port: server.port, close: server.close };
}
