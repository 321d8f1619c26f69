import { execFileSync } from 'node:child_process';
import { rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { createReviewApp } from '../../src/review/review-app.js';
import type { ReviewDetail } from '../../src/review/review-detail.js';
import type { ReviewQueueItem } from '../../src/review/review-queue.js';
import { ReviewSession } from '../../src/review/review-session.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';
import { makeReviewInputs, makeReviewRun, type ReviewInputs } from './support/review-run.js';

const ORIGIN = 'http://127.0.0.1:8790';
const HOST = '127.0.0.1:8790';

describe('review app through its request handler', () => {
  const { dir, cleanup } = makeTempDir('emolabel-review-app-');
  let inputs: ReviewInputs;
  let results: ClipResult[];
  let store: RunStore;
  let app: ReturnType<typeof createReviewApp>;

  beforeAll(async () => {
    inputs = await makeReviewInputs(dir);
    const made = await makeReviewRun(join(dir, 'emolabel.db'), inputs);
    results = made.results;
    store = RunStore.open(join(dir, 'emolabel.db'));
    app = createReviewApp(new ReviewSession(store, made.runId), { reviewer: 'ana', allowedHosts: [HOST, 'localhost:8790'] });
  });
  afterAll(() => {
    store.close();
    cleanup();
  });

  const get = (path: string, headers: Record<string, string> = {}) => app.request(`${ORIGIN}${path}`, { headers: { host: HOST, ...headers } });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(`${ORIGIN}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { host: HOST, origin: ORIGIN, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', ...headers } });
  const mediaQuery = (id: string, face: number, frame: number) => new URLSearchParams({ item: id, face: String(face), frame: String(frame) }).toString();
  const result = (id: string, face = 0) => results.find((candidate) => candidate.id === id && candidate.faceIndex === face) as ClipResult;

  it('serves one self-contained page whose inline script and style carry the policy nonce', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    const html = await response.text();
    const policy = response.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lists the queue with filters and shows one item with frames, boxes, crops and cost', async () => {
    const queue = (await (await get('/api/queue')).json()) as { items: ReviewQueueItem[] };
    expect(queue.items).toHaveLength(results.length);
    expect(queue.items[0]?.itemId).toBe('broken');
    const errors = (await (await get('/api/queue?status=error')).json()) as { items: ReviewQueueItem[] };
    expect(errors.items.map((item) => item.itemId)).toEqual(['broken']);
    expect((await get('/api/queue?status=bogus')).status).toBe(400);

    const detail = (await (await get(`/api/item?item=clip&face=0`)).json()) as ReviewDetail;
    expect(detail).toMatchObject({ itemId: 'clip', kind: 'video', label: result('clip').label, name: 'clip.mp4', costUsd: 0, model: 'local:face-api' });
    expect(detail.frames.map((frame) => frame.sourceIndex)).toEqual(result('clip').frames.map((frame) => frame.sourceIndex));
    expect(detail.frames.every((frame) => frame.box && frame.cropUrl && !frame.missing)).toBe(true);
    expect(JSON.stringify(detail)).not.toContain(inputs.root);
    expect((await get('/api/item?item=nope&face=0')).status).toBe(404);
  });

  it('shows the rationale, action units and cost an LLM result carries', async () => {
    const llm = { ...result('group', 0), id: 'llm-face', model: 'openai:gpt-4o-mini', rationale: 'Cheeks raised, lip corners pulled up.',
      actionUnits: [{ unit: 'AU6', name: 'cheek raiser', intensity: 'C' }, { unit: 'AU12', name: 'lip corner puller', intensity: 'D' }],
      usage: { inputTokens: 3100, outputTokens: 80 }, costUsd: 0.00052 };
    store.registerItems(store.latestRun()?.id as string, [
      ...results.filter((entry, index, all) => all.findIndex((other) => other.id === entry.id) === index).map((entry) => ({ id: entry.id, path: entry.path, kind: entry.kind })),
      { id: 'llm-face', path: llm.path, kind: 'image' },
    ]);
    store.saveItemResults(store.latestRun()?.id as string, 'llm-face', [llm]);
    const detail = (await (await get('/api/item?item=llm-face&face=0')).json()) as ReviewDetail;
    expect(detail).toMatchObject({ rationale: llm.rationale, actionUnits: llm.actionUnits, costUsd: 0.00052, usage: { inputTokens: 3100, outputTokens: 80 }, model: 'openai:gpt-4o-mini' });
    const withoutUnits = (await (await get('/api/item?item=clip&face=0')).json()) as ReviewDetail;
    expect(withoutUnits.actionUnits).toBeUndefined();
    results.push(llm);
  });

  it('serves video frames in the pixel space of the stored boxes, and face crops cut from them', async () => {
    const clip = result('clip');
    const frame = await get(`/media/frame?${mediaQuery('clip', 0, 1)}`);
    expect(frame.status).toBe(200);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: clip.frames[1]?.width, height: clip.frames[1]?.height });
    const crop = await get(`/media/crop?${mediaQuery('clip', 0, 1)}`);
    expect(crop.status).toBe(200);
    const cropMeta = await sharp(Buffer.from(await crop.arrayBuffer())).metadata();
    const box = clip.frames[1]?.box;
    expect(Math.max(cropMeta.width ?? 0, cropMeta.height ?? 0)).toBeLessThanOrEqual(256);
    // The crop keeps the box's shape (grown by the margin on every side).
    expect((cropMeta.width ?? 0) / (cropMeta.height ?? 1)).toBeCloseTo((box?.width ?? 0) / (box?.height ?? 1), 0);
    const group = await get(`/media/frame?${mediaQuery('group', 2, 0)}`);
    expect((await sharp(Buffer.from(await group.arrayBuffer())).metadata()).width).toBe(result('group', 2).frames[0]?.width);
  });

  it('serves a video\'s stretch around its sampled frames as WebM, with byte ranges; not for photos', async () => {
    const item = (await (await get('/api/item?item=clip&face=0')).json()) as { clip?: { url: string; startSec: number }; name: string };
    expect(item.name).toBe('clip.mp4');
    expect(item.clip?.url).toBe('/media/clip?item=clip&face=0&frame=0');
    const whole = await get(item.clip?.url ?? '');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/webm');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    const part = await get(item.clip?.url ?? '', { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(10, 20));
    expect((await get('/media/clip?item=group&face=0')).status).toBe(404);
    expect(((await (await get('/api/item?item=group&face=0')).json()) as { clip?: unknown }).clip).toBeUndefined();
  });

  it('takes unsure, skip and no-face decisions with a note from the page', async () => {
    const noFace = (await (await post('/api/decisions', { itemId: 'clip', faceIndex: 0, decision: 'no_face', note: 'a poster', reviewer: 'bo' })).json()) as { decision: Record<string, unknown>; progress: Record<string, number> };
    expect(noFace.decision).toMatchObject({ decision: 'no_face', label: '', note: 'a poster' });
    expect(noFace.progress).toMatchObject({ reviewed: 1, labelled: 0, noFace: 1 });
    const skip = (await (await post('/api/decisions', { itemId: 'clip', faceIndex: 0, decision: 'skip', reviewer: 'bo' })).json()) as { progress: Record<string, number> };
    expect(skip.progress).toMatchObject({ reviewed: 0, skipped: 1 });
    expect((await post('/api/decisions', { itemId: 'clip', faceIndex: 0, decision: 'maybe', reviewer: 'bo' })).status).toBe(400);
    expect((await post('/api/decisions', { itemId: 'clip', faceIndex: 0, decision: 'unsure', label: 'Bored', reviewer: 'bo' })).status).toBe(400);
    await post('/api/undo', { reviewer: 'bo' });
    await post('/api/undo', { reviewer: 'bo' });
    expect(((await (await get('/api/progress')).json()) as { reviewed: number }).reviewed).toBe(0);
  });

  it('never serves a file outside the run, however the path is written', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET-CONTENT');
    const attempts = [
      '/media/../../../../etc/passwd',
      '/media/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/media/frame/..%2f..%2f..%2fetc%2fpasswd',
      `/media/frame?${mediaQuery('../../../../etc/passwd', 0, 0)}`,
      `/media/frame?${mediaQuery('/etc/passwd', 0, 0)}`,
      `/media/frame?item=%2E%2E%2F%2E%2E%2Fsecret&face=0&frame=0`,
      `/media/frame?${mediaQuery(join(dir, 'secret.txt'), 0, 0)}`,
      `/media/frame?${mediaQuery('clip', 0, 99)}`,
      `/media/frame?item=clip&face=0&frame=-1`,
      `/media/frame?item=clip&face=0&frame=../../etc/passwd`,
      '/etc/passwd',
      `/${join(dir, 'secret.txt')}`,
    ];
    for (const attempt of attempts) {
      const response = await get(attempt);
      const body = await response.text();
      expect(response.status, attempt).toBe(404);
      expect(body, attempt).not.toMatch(/root:|TOP-SECRET/);
    }
  });

  it('sends Cross-Origin-Resource-Policy: same-origin with pictures and placeholders, so other sites cannot probe them', async () => {
    expect((await get(`/media/frame?${mediaQuery('clip', 0, 1)}`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect((await get(`/media/frame?${mediaQuery('nope', 0, 0)}`)).headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('refuses a request body above the cap and never echoes long input', async () => {
    const huge = await post('/api/decisions', { itemId: 'clip', faceIndex: 0, label: 'Happy', padding: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/above the \d+ KiB limit/);
    const longId = 'a'.repeat(20_000);
    const unknown = await post('/api/decisions', { itemId: longId, faceIndex: 0, label: 'Happy' });
    expect(unknown.status).toBe(400);
    expect((await unknown.text()).length).toBeLessThan(400);
    const lookup = await get(`/api/item?item=${longId}&face=0`);
    expect(lookup.status).toBe(404);
    expect((await lookup.text()).length).toBeLessThan(400);
    const label = await post('/api/decisions', { itemId: 'clip', faceIndex: 0, label: 'L'.repeat(20_000) });
    expect((await label.text()).length).toBeLessThan(600);
  });

  it('shows a placeholder for a symlink swapped in to a file outside the run, and leaks nothing', async () => {
    const frames = result('frames/0001');
    const file = frames.frames[0]?.file as string;
    rmSync(file);
    symlinkSync(join(dir, 'secret.txt'), file);
    const response = await get(`/media/frame?${mediaQuery('frames/0001', 0, 0)}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-emolabel-media')).toBe('unreadable');
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).not.toContain('TOP-SECRET');
    // The folder's other frames still come through.
    expect((await get(`/media/frame?${mediaQuery('frames/0001', 0, 1)}`)).status).toBe(200);
  });

  it('shows a placeholder at once for a frame file swapped for a FIFO or a link to /dev/zero', async () => {
    const frames = result('frames/0001');
    const fifo = frames.frames[2]?.file as string;
    rmSync(fifo);
    execFileSync('mkfifo', [fifo]);
    const device = frames.frames[3]?.file as string;
    rmSync(device);
    symlinkSync('/dev/zero', device);
    for (const frame of [2, 3]) {
      const response = await get(`/media/frame?${mediaQuery('frames/0001', 0, frame)}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('x-emolabel-media')).toBe('unreadable');
    }
  }, 5_000);

  it('keeps working when a media file was deleted: placeholder, flagged in the item, other items fine', async () => {
    // A file no other item uses (an earlier test adds an item over group.jpg): a faces-dev photo, else the video.
    const ownsItsFile = (candidate: ClipResult) => !results.some((other) => other.id !== candidate.id && other.path === candidate.path);
    const candidates = results.filter((candidate) => candidate.status === 'ok' && candidate.id !== 'group' && ownsItsFile(candidate));
    const victim = (candidates.find((candidate) => candidate.kind === 'image') ?? candidates.find((candidate) => candidate.kind === 'video')) as ClipResult;
    unlinkSync(victim.path);
    const frame = await get(`/media/frame?${mediaQuery(victim.id, 0, 0)}`);
    expect(frame.status).toBe(404);
    expect(frame.headers.get('x-emolabel-media')).toBe('missing');
    expect(await frame.text()).toContain('media file missing');
    expect((await get(`/media/crop?${mediaQuery(victim.id, 0, 0)}`)).headers.get('x-emolabel-media')).toBe('missing');
    const detail = (await (await get(`/api/item?${new URLSearchParams({ item: victim.id, face: '0' })}`)).json()) as ReviewDetail;
    expect(detail.frames[0]?.missing).toBe(true);
    expect((await get(`/media/frame?${mediaQuery('group', 0, 0)}`)).status).toBe(200);
    expect((await get('/api/queue')).status).toBe(200);
  });

  it('saves a decision from the page and undoes it', async () => {
    const target = result('clip');
    const saved = await post('/api/decisions', { itemId: 'clip', faceIndex: 0, label: 'Angry', reviewer: 'bo' });
    expect(saved.status).toBe(200);
    const body = (await saved.json()) as { decision: { label: string; reviewer: string }; progress: { reviewed: number; total: number } };
    expect(body.decision).toMatchObject({ label: 'Angry', reviewer: 'bo' });
    expect(body.progress).toMatchObject({ reviewed: 1, total: results.length, agreed: target.label === 'Angry' ? 1 : 0 });
    const undone = (await (await post('/api/undo', { reviewer: 'bo' })).json()) as { undone: { itemId: string; undoneLabel: string }; progress: { reviewed: number } };
    expect(undone).toMatchObject({ undone: { itemId: 'clip', undoneLabel: 'Angry' }, progress: { reviewed: 0 } });
    // Spellings are normalised as everywhere else: "anger" is saved as Angry.
    const spelled = (await (await post('/api/decisions', { itemId: 'clip', faceIndex: 0, label: 'anger', reviewer: 'bo' })).json()) as { decision: { label: string } };
    expect(spelled.decision.label).toBe('Angry');
    await post('/api/undo', { reviewer: 'bo' });
    expect((await post('/api/decisions', { itemId: 'clip', faceIndex: 0, label: 'Bored' })).status).toBe(400);
    expect((await post('/api/decisions', { itemId: 'nope', faceIndex: 0, label: 'Happy' })).status).toBe(400);
    expect((await post('/api/decisions', { itemId: 'clip', faceIndex: -1, label: 'Happy' })).status).toBe(400);
  });

  it('accepts a write with no Origin at all (curl, a local script), as the README says', async () => {
    const plain = (path: string, body: unknown) =>
      app.request(`${ORIGIN}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { host: HOST, 'content-type': 'application/json' } });
    expect((await plain('/api/decisions', { itemId: 'clip', faceIndex: 0, label: 'Sad', reviewer: 'cli' })).status).toBe(200);
    expect((await plain('/api/undo', { reviewer: 'cli' })).status).toBe(200);
  });

  it('rejects writes from other origins, other sites, other Hosts and non-JSON bodies, saving nothing', async () => {
    const decision = { itemId: 'clip', faceIndex: 0, label: 'Happy' };
    const attempts: Array<[Record<string, string>, number]> = [
      [{ origin: 'http://evil.example' }, 403],
      [{ origin: 'null' }, 403],
      [{ origin: 'http://127.0.0.1:9999' }, 403],
      [{ 'sec-fetch-site': 'cross-site' }, 403],
      [{ 'sec-fetch-site': 'same-site' }, 403],
      [{ host: 'evil.example:8790', origin: 'http://evil.example:8790' }, 403],
      [{ 'content-type': 'text/plain' }, 415],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ];
    for (const [headers, status] of attempts) {
      const response = await post('/api/decisions', decision, headers);
      expect(response.status, JSON.stringify(headers)).toBe(status);
    }
    expect((await post('/api/undo', {}, { origin: 'http://evil.example' })).status).toBe(403);
    // A rebinding page reads nothing either.
    expect((await get('/api/queue', { host: 'evil.example:8790' })).status).toBe(403);
    const progress = (await (await get('/api/progress')).json()) as { reviewed: number };
    expect(progress.reviewed).toBe(0);
  });
});
