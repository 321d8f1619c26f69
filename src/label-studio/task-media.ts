import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { EmolabelError } from '../errors.js';
import { IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from '../media/media-item.js';

/** Where a Label Studio task's media come from, and where the backend keeps them. */
export interface TaskMediaOptions {
  /** Folder the downloaded media are kept in, by content hash. */
  readonly cacheDir: string;
  /** Label Studio's address, for paths it serves (`/data/upload/…`): `LABEL_STUDIO_URL`. */
  readonly labelStudioUrl?: string;
  /**
   * Its API token (`LABEL_STUDIO_API_KEY`), sent to Label Studio only: a legacy token as
   * `Authorization: Token …`; a personal access token (a JWT refresh token) is first exchanged at
   * `/api/token/refresh` for an access token, sent as `Authorization: Bearer …`.
   */
  readonly apiKey?: string;
  /**
   * A folder local-files paths (`/data/local-files/?d=…`) are read from directly, as Label Studio's
   * LOCAL_FILES_DOCUMENT_ROOT; a path that leads outside it is refused. Without it they are
   * downloaded from Label Studio.
   */
  readonly localFilesRoot?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const KNOWN_EXTENSIONS = new Set<string>([...IMAGE_EXTENSIONS, ...VIDEO_EXTENSIONS]);
const TYPE_EXTENSIONS: Record<string, string> = {
  'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'image/bmp': '.bmp', 'image/gif': '.gif',
  'video/mp4': '.mp4', 'video/webm': '.webm', 'video/quicktime': '.mov', 'video/x-matroska': '.mkv',
};

function extensionOf(pathname: string, contentType: string | null): string {
  const fromName = extname(decodeURIComponent(pathname)).toLowerCase();
  if (KNOWN_EXTENSIONS.has(fromName)) return fromName;
  return TYPE_EXTENSIONS[(contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''] ?? (fromName || '.bin');
}

/** A personal access token is a JWT (three base64url parts); a legacy token is 40 hex characters. */
const isPersonalAccessToken = (key: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(key);

/** Access tokens got from personal access tokens, by Label Studio origin and token (they live about 5 minutes). */
const accessTokens = new Map<string, Promise<string>>();

async function exchangePersonalAccessToken(origin: string, token: string, fetchImpl: typeof fetch): Promise<string> {
  const response = await fetchImpl(new URL('/api/token/refresh', origin), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh: token }) });
  const body = (await response.json().catch(() => ({}))) as { access?: unknown };
  if (!response.ok || typeof body.access !== 'string') throw new Error(`Label Studio refused the personal access token at /api/token/refresh (HTTP ${response.status}); check LABEL_STUDIO_API_KEY`);
  return body.access;
}

async function authorisation(origin: string, apiKey: string, fetchImpl: typeof fetch, renew: boolean): Promise<string> {
  if (!isPersonalAccessToken(apiKey)) return `Token ${apiKey}`;
  const key = `${origin} ${apiKey}`;
  if (renew || !accessTokens.has(key)) {
    const exchange = exchangePersonalAccessToken(origin, apiKey, fetchImpl);
    accessTokens.set(key, exchange);
    exchange.catch(() => accessTokens.delete(key));
  }
  return `Bearer ${await (accessTokens.get(key) as Promise<string>)}`;
}

function mediaError(url: string, problem: string): EmolabelError {
  return new EmolabelError('media_error', `Cannot read the task's media ${url}: ${problem}`);
}

/** A local-files path under the allowed root; `..` or a link that leads outside it is refused. */
function localFile(root: string, path: string, url: string): string {
  const base = realpathSync(root);
  const candidate = resolve(base, path.replace(/^\/+/, ''));
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw mediaError(url, `${candidate} does not exist under the local files root ${base}`);
  }
  const inside = relative(base, real);
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep)) throw mediaError(url, `it leads outside the local files root ${base}; refused`);
  return real;
}

/**
 * The local file of a task's media URL: http(s) URLs are downloaded (with the API token when they
 * point at Label Studio), Label Studio-relative paths (`/data/upload/…`, `/data/local-files/?d=…`)
 * are fetched from `labelStudioUrl` or, for local files under `localFilesRoot`, read in place.
 * Downloads are kept under `cacheDir` by the SHA-256 of their bytes, so the same media give the
 * same path (and the same run fingerprint) however often they are fetched.
 */
export async function fetchTaskMedia(url: string, options: TaskMediaOptions): Promise<string> {
  if (url.startsWith('/data/local-files/') && options.localFilesRoot !== undefined) {
    const path = new URL(url, 'http://label-studio.invalid').searchParams.get('d');
    if (!path) throw mediaError(url, 'it names no file (`?d=` is empty)');
    return localFile(options.localFilesRoot, path, url);
  }
  let target: URL;
  if (/^https?:\/\//i.test(url)) target = new URL(url);
  else if (url.startsWith('/')) {
    if (!options.labelStudioUrl) throw mediaError(url, 'it is a path on Label Studio; set LABEL_STUDIO_URL (and LABEL_STUDIO_API_KEY) so the backend can fetch it');
    target = new URL(url, options.labelStudioUrl);
  } else {
    throw mediaError(url, 'only http(s) URLs and Label Studio paths (/data/upload/…, /data/local-files/?d=…) are supported; for cloud storage, let Label Studio presign the URLs');
  }
  const toLabelStudio = options.labelStudioUrl !== undefined && target.origin === new URL(options.labelStudioUrl).origin;
  const fetchImpl = options.fetch ?? fetch;
  const download = async (renew: boolean) => {
    const headers: Record<string, string> = toLabelStudio && options.apiKey ? { authorization: await authorisation(target.origin, options.apiKey, fetchImpl, renew) } : {};
    return fetchImpl(target, { headers, redirect: 'follow' });
  };
  let response: Response;
  try {
    response = await download(false);
    // An access token from a personal access token expires after minutes: get a new one once.
    if (response.status === 401 && toLabelStudio && options.apiKey && isPersonalAccessToken(options.apiKey)) response = await download(true);
  } catch (error) {
    throw mediaError(url, (error as Error).message);
  }
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? (toLabelStudio ? '; check LABEL_STUDIO_API_KEY' : '; set LABEL_STUDIO_URL to this server so the API key is sent') : '';
    throw mediaError(url, `HTTP ${response.status}${hint}`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  const hash = createHash('sha256').update(bytes).digest('hex');
  await mkdir(options.cacheDir, { recursive: true });
  const path = join(options.cacheDir, `${hash}${extensionOf(target.pathname, response.headers.get('content-type'))}`);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
  return path;
}
