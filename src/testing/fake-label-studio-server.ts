import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';

/** A request the stand-in Label Studio received. */
export interface LabelStudioMediaRequest {
  readonly path: string;
  readonly authorization?: string;
  readonly status: number;
}

/** A stand-in Label Studio serving task media as the real one does: only with `Authorization: Token <key>`. */
export interface FakeLabelStudio {
  /** `http://127.0.0.1:PORT`: what LABEL_STUDIO_URL is set to. */
  readonly origin: string;
  readonly requests: LabelStudioMediaRequest[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.mp4': 'video/mp4', '.gif': 'image/gif' };

/**
 * Serves `files` (URL path → local file, e.g. `/data/upload/1/a1b2-face.jpg`, or
 * `/data/local-files/?d=faces/a.jpg` with its query) to requests carrying `Token <apiKey>`, as
 * Label Studio serves uploads and local files; 401 without the token, 404 for anything else. With
 * `personalAccessToken`, `POST /api/token/refresh {refresh}` answers an access token, and
 * `Bearer <the newest access token>` is accepted too.
 */
export async function startFakeLabelStudio(files: Readonly<Record<string, string>>, apiKey: string, options: { personalAccessToken?: string } = {}): Promise<FakeLabelStudio> {
  const requests: LabelStudioMediaRequest[] = [];
  let accessTokens = 0;
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const authorization = request.headers.authorization;
    if (path === '/api/token/refresh' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const refresh = (JSON.parse(body || '{}') as { refresh?: string }).refresh;
        const ok = options.personalAccessToken !== undefined && refresh === options.personalAccessToken;
        requests.push({ path, status: ok ? 200 : 401 });
        accessTokens += ok ? 1 : 0;
        response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { access: `access-${accessTokens}` } : { detail: 'Token is invalid or expired', code: 'token_not_valid' }));
      });
      return;
    }
    const file = files[path];
    const allowed = authorization === `Token ${apiKey}` || (accessTokens > 0 && authorization === `Bearer access-${accessTokens}`);
    const status = !allowed ? 401 : file === undefined ? 404 : 200;
    requests.push({ path, status, ...(authorization === undefined ? {} : { authorization }) });
    if (status !== 200 || file === undefined) {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: status === 401 ? 'Authentication credentials were not provided.' : 'Not found.' }));
      return;
    }
    readFile(file).then(
      (bytes) => response.writeHead(200, { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' }).end(bytes),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
