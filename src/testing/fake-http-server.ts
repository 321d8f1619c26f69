import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/**
 * What a fake provider does with the next request: answer the schema (`ok`), refuse through the
 * provider's refusal field (`refusal`), answer a sentence instead of JSON (`sentence`), answer
 * something that does not fit the schema (`malformed-answer`), spend the whole output budget
 * thinking and answer nothing, cut off (`cut-off`, as reasoning models do), fail with 429 + Retry-After
 * (`rate-limit`) or a 5xx (`server-error`), send a body that is not JSON (`malformed-body`), or wait
 * longer than any test timeout (`slow`).
 */
export type FakeMode = 'ok' | 'refusal' | 'sentence' | 'malformed-answer' | 'cut-off' | 'rate-limit' | 'server-error' | 'malformed-body' | 'slow';

/** A JPEG the fake received, decoded far enough to know its size. */
export interface ReceivedImage {
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly sha: string;
}

/** One request as the fake received it; `body` has every image replaced by `<jpeg WxH sha256:…>`. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  readonly body: unknown;
  readonly images: readonly ReceivedImage[];
}

/** What a fake answers: an HTTP status, headers and a body. */
export interface FakeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON; strings as they are. */
  readonly body: unknown;
}

/** Answers a recorded request in one provider's wire format. */
export type FakeResponder = (request: RecordedRequest, mode: FakeMode) => FakeResponse | Promise<FakeResponse>;

/** A running fake server: where it listens, what it received, and what to do with the next requests. */
export interface FakeServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** Modes for the next requests, in order; after them every request is `ok`. */
  queue(...modes: FakeMode[]): void;
  close(): Promise<void>;
}

const BASE64_JPEG = /^\/9j\/[A-Za-z0-9+/=]+$/;
const DATA_URL = /^data:image\/jpeg;base64,(.+)$/;

async function describeJpeg(base64: string): Promise<ReceivedImage> {
  const bytes = Buffer.from(base64, 'base64');
  const metadata = await sharp(bytes).metadata();
  if (metadata.format !== 'jpeg') throw new Error(`expected a JPEG, got ${metadata.format}`);
  return { width: metadata.width ?? 0, height: metadata.height ?? 0, bytes: bytes.length, sha: createHash('sha256').update(bytes).digest('hex').slice(0, 10) };
}

/** Replaces every base64 JPEG (bare or as a data URL) in a JSON value by a short description. */
export async function elideImages(value: unknown, images: ReceivedImage[]): Promise<unknown> {
  if (typeof value === 'string') {
    const dataUrl = DATA_URL.exec(value);
    const base64 = dataUrl ? dataUrl[1] : BASE64_JPEG.test(value) && value.length > 200 ? value : undefined;
    if (base64 === undefined) return value;
    const image = await describeJpeg(base64);
    images.push(image);
    return `${dataUrl ? 'data:image/jpeg;base64,' : ''}<jpeg ${image.width}x${image.height} sha256:${image.sha}>`;
  }
  // One at a time, so `images` keeps the order of the body.
  if (Array.isArray(value)) {
    const elided: unknown[] = [];
    for (const entry of value) elided.push(await elideImages(entry, images));
    return elided;
  }
  if (value !== null && typeof value === 'object') {
    const elided: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) elided[key] = await elideImages(entry, images);
    return elided;
  }
  return value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** How long `slow` waits: far beyond the short timeouts tests give, and cut short when the server closes. */
export const SLOW_RESPONSE_MS = 30_000;

/**
 * A real HTTP server on 127.0.0.1 (a free port) that records each request and answers it with
 * `respond` in the mode queued for it. Fake the network, not the client.
 */
export async function startFakeHttpServer(respond: FakeResponder): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const modes: FakeMode[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer(async (incoming, outgoing) => {
    try {
      const rawBody = await readBody(incoming);
      const images: ReceivedImage[] = [];
      let body: unknown = rawBody;
      try {
        body = await elideImages(JSON.parse(rawBody), images);
      } catch {
        // Not JSON: keep the text.
      }
      const headers = Object.fromEntries(Object.entries(incoming.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : String(value)]));
      const recorded: RecordedRequest = { method: incoming.method ?? '', path: incoming.url ?? '', headers, rawBody, body, images };
      requests.push(recorded);
      const mode = modes.shift() ?? 'ok';
      const response = await respond(recorded, mode);
      const send = () => {
        const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
        outgoing.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
        outgoing.end(text);
      };
      if (mode !== 'slow') return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!outgoing.destroyed) send();
      }, SLOW_RESPONSE_MS);
      timers.add(timer);
    } catch (error) {
      outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ error: { message: `fake server failed: ${(error as Error).message}` } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    queue: (...next) => void modes.push(...next),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The labels a request's JSON schema allows, found at `properties.label.enum`. */
export function schemaLabels(schema: unknown): string[] {
  const label = (schema as { properties?: { label?: { enum?: unknown } } } | undefined)?.properties?.label;
  return Array.isArray(label?.enum) ? label.enum.map(String) : [];
}

/** Whether the schema asks for action units first (the au-cot prompt). */
export function schemaWantsActionUnits(schema: unknown): boolean {
  return Boolean((schema as { properties?: Record<string, unknown> } | undefined)?.properties?.actionUnits);
}

/** The largest frame number a schema allows (its `frames[].index` maximum), or 0 when it asks for no frames. */
export function schemaFrameCount(schema: unknown): number {
  const frames = (schema as { properties?: { frames?: { items?: { properties?: { index?: { maximum?: unknown } } } } } } | undefined)?.properties?.frames;
  const maximum = frames?.items?.properties?.index?.maximum;
  return typeof maximum === 'number' ? maximum : 0;
}

/** How a fake answers beyond the label: abstain with a reason, or say whether the hint was followed. */
export interface FakeAnswerOptions {
  /** Abstain (when the schema has `abstain`) with this reason. */
  readonly abstain?: string;
  /** What `hintFollowed` says, when the schema asks. @default true */
  readonly hintFollowed?: boolean;
}

/**
 * A plausible answer for a schema: `preferred` when the schema allows it, else the first label that
 * means a happy face (`Happy`, `positive`), else the first label; with action units when asked, and
 * with exactly the other fields the schema has (v1: `faceVisible`; v2: `abstain`, each frame's label,
 * the peak frame, the label each action unit suggests, `hintFollowed`).
 */
export function fakeAnswer(schema: unknown, preferred?: string, options: FakeAnswerOptions = {}): Record<string, unknown> {
  const labels = schemaLabels(schema);
  const properties = (schema as { properties?: Record<string, { items?: { properties?: Record<string, unknown> } }> } | undefined)?.properties ?? {};
  const label = (preferred && labels.includes(preferred) ? preferred : undefined) ?? labels.find((name) => /^(happy|positive)$/i.test(name)) ?? labels[0] ?? 'Happy';
  const frameCount = schemaFrameCount(schema);
  const suggests = Boolean(properties.actionUnits?.items?.properties?.suggests);
  const abstain = 'abstain' in properties ? (options.abstain ?? null) : undefined;
  return {
    ...('abstain' in properties ? { abstain } : { faceVisible: true }),
    ...('peakFrame' in properties ? { peakFrame: Math.max(1, Math.ceil(frameCount / 2)) } : {}),
    ...(schemaWantsActionUnits(schema)
      ? {
          actionUnits: [
            { unit: 'AU6', name: 'cheek raiser', intensity: 'C', ...(suggests ? { suggests: label } : {}) },
            { unit: 'AU12', name: 'lip corner puller', intensity: 'D', ...(suggests ? { suggests: label } : {}) },
          ],
          interpretation: 'AU6 with AU12 is a Duchenne smile.',
        }
      : {}),
    label,
    confidence: abstain ? 0 : 0.82,
    distribution: Object.fromEntries(labels.map((name) => [name, name === label ? 0.82 : 0.18 / Math.max(1, labels.length - 1)])),
    ...(frameCount > 0 ? { frames: Array.from({ length: frameCount }, (_, index) => ({ index: index + 1, label })) } : {}),
    rationale: abstain ? 'The face cannot be read.' : 'Raised cheeks and pulled-up lip corners.',
    ...('hintFollowed' in properties ? { hintFollowed: options.hintFollowed ?? true } : {}),
  };
}

/** Roughly a token per four characters of the text in a request, as the fakes bill text. */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
