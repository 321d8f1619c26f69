import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { originGuard } from './origin-guard.js';
import { renderReviewPage } from './page/review-page.js';
import type { ReviewAgreement } from './review-agreement.js';
import { MediaUnavailableError, placeholderSvg, ReviewMedia } from './review-media.js';
import { quoteInput } from './quote-input.js';
import { byteRange, clipWebm } from './review-clip.js';
import type { ReviewQueueFilter } from './review-queue.js';
import type { ReviewSession } from './review-session.js';
import { EmolabelError } from '../errors.js';
import { CLIP_STATUSES, type ClipStatus } from '../pipeline/clip-result.js';
import { DECISION_KINDS, type DecisionKind } from '../store/review-store.js';

/** Options of {@link createReviewApp}. */
export interface ReviewAppOptions {
  /** Name recorded with decisions when the page sends none. */
  readonly reviewer: string;
  /** `Host` values the app answers to; see {@link originGuard}. Unset: any. */
  readonly allowedHosts?: readonly string[];
}

/** The last few clips cut for the page (a reviewer goes back and forth over a handful of items). */
class ClipCache {
  private readonly clips = new Map<string, Promise<{ webm: Buffer; startSec: number }>>();

  get(result: Parameters<typeof clipWebm>[0] & { faceIndex: number }): Promise<{ webm: Buffer; startSec: number }> {
    const key = `${result.path}#${result.id}`;
    const cached = this.clips.get(key);
    if (cached) return cached;
    const made = clipWebm(result);
    made.catch(() => this.clips.delete(key));
    this.clips.set(key, made);
    while (this.clips.size > 8) this.clips.delete(this.clips.keys().next().value as string);
    return made;
  }
}

/** Largest request body the app reads (64 KiB): a decision is a few hundred bytes. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

const STATUSES: readonly ClipStatus[] = CLIP_STATUSES;
const REVIEWED = ['all', 'reviewed', 'unreviewed'] as const;

/** The agreement as the page's header needs it (the confusion matrix stays on the server). */
function progressOf(agreement: ReviewAgreement) {
  const { metrics: _metrics, ...progress } = agreement;
  return progress;
}

function parseFace(raw: string | undefined): number | undefined {
  return raw !== undefined && /^\d{1,4}$/.test(raw) ? Number(raw) : undefined;
}

function parseFilter(context: Context): ReviewQueueFilter {
  const label = context.req.query('label');
  const status = context.req.query('status');
  const reviewed = context.req.query('reviewed');
  if (status !== undefined && !STATUSES.includes(status as ClipStatus)) throw new EmolabelError('invalid_input', `Expected status to be one of ${STATUSES.join(', ')}, got ${quoteInput(status)}.`);
  if (reviewed !== undefined && !(REVIEWED as readonly string[]).includes(reviewed)) throw new EmolabelError('invalid_input', `Expected reviewed to be one of ${REVIEWED.join(', ')}, got ${quoteInput(reviewed)}.`);
  return {
    ...(label === undefined ? {} : { label }),
    ...(status === undefined ? {} : { status: status as ClipStatus }),
    ...(reviewed === undefined ? {} : { reviewed: reviewed as (typeof REVIEWED)[number] }),
  };
}

function reviewerOf(body: Record<string, unknown>, fallback: string): string {
  const name = typeof body.reviewer === 'string' ? body.reviewer.trim() : '';
  return name !== '' && name.length <= 100 ? name : fallback;
}

async function jsonBody(context: Context): Promise<Record<string, unknown>> {
  try {
    const body: unknown = await context.req.json();
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // Reported below as the same invalid input.
  }
  throw new EmolabelError('invalid_input', 'Expected a JSON object in the request body.');
}

/**
 * The review web app for one run: the page, its JSON API and its pictures. Testable without a
 * socket through `app.request()`; `startReviewServer` serves it on a port.
 *
 * Routes: `GET /` page · `GET /api/run` · `GET /api/queue?label&status&reviewed` · `GET /api/item?item&face`
 * · `GET /api/progress` · `POST /api/decisions {itemId, faceIndex, label, decision?, note?, reviewer?}` · `POST /api/undo {reviewer?}`
 * · `GET /media/frame?item&face&frame` · `GET /media/crop?item&face&frame` · `GET /media/clip?item&face` (a video's
 * stretch around its sampled frames, WebM, byte ranges).
 */
export function createReviewApp(session: ReviewSession, options: ReviewAppOptions): Hono {
  const app = new Hono();
  const media = new ReviewMedia();
  const clips = new ClipCache();
  app.use('*', originGuard(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}));
  app.use('*', bodyLimit({
    maxSize: MAX_REQUEST_BODY_BYTES,
    onError: (context) => context.json({ error: `The request body is above the ${MAX_REQUEST_BODY_BYTES / 1024} KiB limit; send one decision at a time.` }, 413),
  }));
  app.use('*', async (context, next) => {
    await next();
    context.header('X-Content-Type-Options', 'nosniff');
    // Other sites may not load the pictures (or time them) through <img>: same-origin only.
    context.header('Cross-Origin-Resource-Policy', 'same-origin');
    context.header('Referrer-Policy', 'no-referrer');
    context.header('Cache-Control', context.res.headers.get('Cache-Control') ?? 'no-store');
    if (!context.res.headers.has('Content-Security-Policy')) context.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  });

  app.get('/', (context) => {
    const nonce = randomBytes(16).toString('base64');
    context.header('Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self'; media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    context.header('X-Frame-Options', 'DENY');
    return context.html(renderReviewPage(nonce));
  });
  app.get('/api/run', (context) => context.json({ ...session.summary(), reviewer: options.reviewer }));
  app.get('/api/progress', (context) => context.json(progressOf(session.agreement())));
  app.get('/api/queue', (context) => {
    const items = session.queue(parseFilter(context));
    return context.json({ items, count: items.length });
  });
  app.get('/api/item', (context) => {
    const item = context.req.query('item');
    const face = parseFace(context.req.query('face'));
    const detail = item === undefined || face === undefined ? undefined : session.detail(item, face);
    return detail ? context.json(detail) : context.json({ error: `No item ${quoteInput(item ?? '')} with face ${face ?? '?'} in this run.` }, 404);
  });
  app.post('/api/decisions', async (context) => {
    const body = await jsonBody(context);
    const faceIndex = typeof body.faceIndex === 'number' ? body.faceIndex : Number.NaN;
    const kind = body.decision ?? 'label';
    const shapeOk = typeof body.itemId === 'string' && Number.isInteger(faceIndex) && faceIndex >= 0 && (DECISION_KINDS as readonly unknown[]).includes(kind)
      && (body.label === undefined || typeof body.label === 'string') && (body.note === undefined || typeof body.note === 'string') && (kind !== 'label' || typeof body.label === 'string');
    if (!shapeOk) {
      throw new EmolabelError('invalid_input', `Expected {"itemId": string, "faceIndex": whole number, "label": string, "decision"?: ${DECISION_KINDS.join(' | ')}, "note"?: string} (a label needed for decision label).`);
    }
    const choice = { decision: kind as DecisionKind, ...(typeof body.label === 'string' ? { label: body.label } : {}), ...(typeof body.note === 'string' ? { note: body.note } : {}) };
    const decision = session.decide(body.itemId as string, faceIndex, choice, reviewerOf(body, options.reviewer));
    return context.json({ decision, progress: progressOf(session.agreement()) });
  });
  app.post('/api/undo', async (context) => {
    const body = await jsonBody(context);
    const undone = session.undo(reviewerOf(body, options.reviewer));
    return context.json({ undone: undone ?? null, progress: progressOf(session.agreement()) });
  });
  app.get('/media/clip', async (context) => {
    const item = context.req.query('item');
    const face = parseFace(context.req.query('face'));
    const result = item === undefined || face === undefined ? undefined : session.findResult(item, face);
    try {
      if (!result) throw new MediaUnavailableError('not_in_run', 'no such item or face in this run');
      const { webm } = await clips.get(result);
      const range = byteRange(context.req.header('Range'), webm.length);
      const headers = { 'Content-Type': 'video/webm', 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, max-age=300' };
      if (!range) return context.body(new Uint8Array(webm), 200, headers);
      return context.body(new Uint8Array(webm.subarray(range.start, range.end + 1)), 206, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${webm.length}` });
    } catch (error) {
      if (!(error instanceof MediaUnavailableError)) throw error;
      return context.json({ error: error.message }, 404, { 'X-Emolabel-Media': error.problem });
    }
  });
  app.get('/media/:what{frame|crop}', async (context) => {
    const item = context.req.query('item');
    const face = parseFace(context.req.query('face'));
    const frame = parseFace(context.req.query('frame'));
    const result = item === undefined || face === undefined ? undefined : session.findResult(item, face);
    try {
      if (!result || frame === undefined) throw new MediaUnavailableError('not_in_run', 'no such item, face or frame in this run');
      const jpeg = context.req.param('what') === 'crop' ? await media.cropJpeg(result, frame, session.faceMargin()) : await media.frameJpeg(result, frame);
      return context.body(new Uint8Array(jpeg), 200, { 'Content-Type': 'image/jpeg', 'Cache-Control': 'private, max-age=300' });
    } catch (error) {
      if (!(error instanceof MediaUnavailableError)) throw error;
      // The page keeps working when a file was deleted or is not an image: it gets a placeholder.
      return context.body(placeholderSvg(error.problem), 404, { 'Content-Type': 'image/svg+xml', 'X-Emolabel-Media': error.problem });
    }
  });
  app.notFound((context) => context.json({ error: `No route ${context.req.method} ${quoteInput(new URL(context.req.url).pathname)}.` }, 404));
  app.onError((error, context) => {
    if (error instanceof EmolabelError && error.code === 'invalid_input') return context.json({ error: error.message }, 400);
    return context.json({ error: error.message }, 500);
  });
  return app;
}
