import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { makeReviewInputs, makeReviewRun } from '../review/support/review-run.js';

const CHROMIUM = process.env.EMOLABEL_CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const screenshotPath = join(repoRoot, 'test-output/review.png');
if (!hasChromium) console.warn(`review-browser: skipped, Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set EMOLABEL_CHROMIUM)`);

/** The real CLI in a child process (TypeScript through tsx), as a user runs `emolabel review`. */
const CLI_ENTRY = "import { runCli } from './src/cli/main.ts'; process.exitCode = await runCli(process.argv.slice(1));";

interface RunningServer { url: string; child: ChildProcess; output: () => string }

function startReviewCli(args: readonly string[]): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CLI_ENTRY, 'review', ...args], {
    cwd: repoRoot, env: { ...process.env, EMOLABEL_REVIEWER: 'e2e-reviewer' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolveStart, rejectStart) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Open (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolveStart({ url, child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => rejectStart(new Error(`emolabel review exited (${code}) before serving:\n${output}`)));
  });
}

/** Ctrl-C, as a user stops the server; resolves to the exit code. */
function stopReviewCli(server: RunningServer): Promise<number | null> {
  return new Promise((resolveStop) => {
    server.child.once('exit', (code) => resolveStop(code));
    server.child.kill('SIGINT');
  });
}

const POLL = { timeout: 20_000 };
/** Waits until every key press and click has been saved (the page counts its pending actions). */
const idle = (page: Page) => page.locator('body[data-pending="0"]').waitFor();
const current = (page: Page) => page.locator('body').getAttribute('data-current').then((key) => key ?? '');
const reviewedRows = (page: Page) => page.locator('[data-testid=queue-item].reviewed').count();

const title = hasChromium ? 'review page in a real browser (Chromium)' : `review page in a real browser: skipped, no Chromium at ${CHROMIUM}`;

describe.skipIf(!hasChromium)(title, () => {
  let dir = '';
  let db = '';
  let cleanup = () => {};
  let runId: string;
  let results: ClipResult[];
  let context: BrowserContext;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = makeTempDir('emolabel-review-e2e-'));
    db = join(dir, 'emolabel.db');
    const inputs = await makeReviewInputs(dir);
    copyFileSync(demoFace(4), join(inputs.root, 'gone.jpg'));
    ({ runId, results } = await makeReviewRun(db, inputs));
    // A file deleted after the run: the page must show a placeholder, not break.
    unlinkSync(join(inputs.root, 'gone.jpg'));
    context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 180_000);
  afterAll(async () => {
    if (server) await stopReviewCli(server);
    await context?.close();
    cleanup();
  });

  it('reviews with the keyboard and mouse, keeps decisions across reload and restart, and exports them', async () => {
    server = await startReviewCli([runId, '--db', db, '--port', '0']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await expect.poll(() => page.locator('[data-testid=queue-item]').count(), POLL).toBe(results.length);
    await idle(page);
    expect(await page.locator('#progress-text').textContent()).toBe(`Reviewed 0 / ${results.length}`);

    // The queue opens on the most likely wrong item: the file that failed, which has no model label.
    expect(await current(page)).toBe('broken#0');
    await page.keyboard.press('Enter');
    await idle(page);
    expect(await reviewedRows(page)).toBe(0);
    await page.keyboard.press('4');
    await idle(page);
    const first = await current(page);
    const firstModel = results.find((result) => `${result.id}#${result.faceIndex}` === first)?.label as string;
    await page.keyboard.press('Enter');
    await idle(page);
    const second = await current(page);
    await page.keyboard.press('1');
    await page.keyboard.press('u');
    await idle(page);
    // Undo took the Angry back and returned to that item.
    expect(await current(page)).toBe(second);
    await page.keyboard.press('7');
    await page.keyboard.press('ArrowDown');
    await idle(page);
    const skipped = await current(page);
    await page.keyboard.press('ArrowRight');
    await idle(page);
    const fourth = await current(page);
    await page.keyboard.press('6');
    await idle(page);
    // Mouse: pick the last item of the queue (the most likely right) and click a label.
    const clicked = (await page.locator('[data-testid=queue-item]').last().getAttribute('data-key')) ?? '';
    await page.locator(`[data-testid=queue-item][data-key="${clicked}"]`).click();
    await idle(page);
    await page.locator('.buttons button[data-label="Neutral"]').click();
    await idle(page);

    const expected = new Map([['broken#0', 'Happy'], [first, firstModel], [second, 'Surprise'], [fourth, 'Sad'], [clicked, 'Neutral']]);
    expect(expected.size).toBe(5);
    expect(expected.has(skipped)).toBe(false);
    expect(await reviewedRows(page)).toBe(5);
    expect(await page.locator('#progress-text').textContent()).toBe(`Reviewed 5 / ${results.length}`);
    expect(await page.locator('[data-testid=agreement]').textContent()).toMatch(/Model vs reviewers on 5: accuracy \d+% · kappa (-?\d\.\d\d|-)/);

    // A deleted file shows a placeholder; the page keeps working.
    await page.locator('[data-testid=queue-item][data-key="gone#0"]').click();
    await idle(page);
    await expect.poll(() => page.locator('[data-testid=placeholder]').count(), POLL).toBeGreaterThan(0);

    // The clip: its four frames with the face box drawn over each, and the crops.
    await page.locator('[data-testid=queue-item][data-key="clip#0"]').click();
    await idle(page);
    await expect.poll(() => page.locator('[data-testid=face-box]').count(), POLL).toBe(4);
    await expect.poll(() => page.locator('[data-testid=crop] img').evaluateAll((images) => images.filter((image) => Number(Reflect.get(image, 'naturalWidth')) > 0).length), POLL).toBe(4);
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath });
    console.log(`review page screenshot: ${screenshotPath}`);

    // Reload: the decisions come back from the run store.
    await page.reload();
    await expect.poll(() => reviewedRows(page), POLL).toBe(5);
    await page.locator(`[data-testid=queue-item][data-key="${second}"]`).click();
    await idle(page);
    expect(await page.locator('[data-testid=decision]').textContent()).toMatch(/^Reviewed: Surprise by e2e-reviewer at /);

    // A page on another origin cannot write.
    const other = await context.newPage();
    await other.goto('data:text/html,<title>elsewhere</title>');
    await other.evaluate(async (url) => {
      const body = JSON.stringify({ itemId: 'clip', faceIndex: 0, label: 'Disgust' });
      await fetch(`${url}api/decisions`, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body }).catch(() => undefined);
      await fetch(`${url}api/decisions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }).catch(() => undefined);
    }, server.url);
    await other.close();

    // Restart the server: still there.
    expect(await stopReviewCli(server)).toBe(0);
    server = await startReviewCli([runId, '--db', db, '--port', '0']);
    await page.goto(server.url);
    await expect.poll(() => reviewedRows(page), POLL).toBe(5);
    expect(await page.locator('#progress-text').textContent()).toBe(`Reviewed 5 / ${results.length}`);
    expect(errors).toEqual([]);

    // The reviewed export holds exactly these decisions.
    const io = captureIo(dir);
    expect(await runCli(['export', runId, '--db', db, '--reviewed', '--format', 'jsonl'], io)).toBe(0);
    const rows = io.out().trim().split('\n').map((line) => JSON.parse(line) as { id: string; faceIndex: number; label?: string; labelSource: string; reviewer?: string });
    const reviewed = new Map(rows.filter((row) => row.labelSource === 'review').map((row) => [`${row.id}#${row.faceIndex}`, row.label]));
    expect(reviewed).toEqual(expected);
    expect(rows.filter((row) => row.labelSource === 'review').every((row) => row.reviewer === 'e2e-reviewer')).toBe(true);
  }, 180_000);

  it('shows file names, plays the clip around its frames, zooms, and takes unsure, skip and no-face decisions with a note', async () => {
    server ??= await startReviewCli([runId, '--db', db, '--port', '0']);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await expect.poll(() => page.locator('[data-testid=queue-item]').count(), POLL).toBe(results.length);
    await idle(page);
    // Queue entries read by file name, long ones cut in the middle so the end (and extension) stays.
    expect(await page.locator('[data-testid=queue-item][data-key="clip#0"] [data-testid=queue-name]').textContent()).toBe('clip.mp4');
    const cut = await page.evaluate(() => (globalThis as unknown as { middleTruncate: (text: string, max: number) => string }).middleTruncate('faces-holdout_subject_0042_session_3_take_7.mp4', 34));
    expect(cut).toHaveLength(34);
    expect(cut).toMatch(/^faces-holdout_su.*….*take_7\.mp4$/);

    // The clip plays from the sampled frames.
    await page.locator('[data-testid=queue-item][data-key="clip#0"]').click();
    await idle(page);
    const video = page.locator('[data-testid=clip]');
    await expect.poll(() => video.evaluate((node) => Number(Reflect.get(node, 'readyState'))), POLL).toBeGreaterThanOrEqual(1);
    const duration = await video.evaluate((node) => Number(Reflect.get(node, 'duration')));
    expect(Number.isFinite(duration) && duration > 0.5).toBe(true);
    await page.locator('[data-testid=seek]').nth(2).click();
    await expect.poll(() => video.evaluate((node) => Number(Reflect.get(node, 'currentTime'))), POLL).toBeGreaterThan(0.3);
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: join(dirname(screenshotPath), 'review-clip.png'), fullPage: true });

    // Zoom on a frame with the keyboard, larger with +, closed with Escape; a crop zooms on click.
    await page.keyboard.press('z');
    await expect.poll(() => page.locator('[data-testid=zoom-image]').evaluate((image) => Number(Reflect.get(image, 'naturalWidth'))), POLL).toBeGreaterThan(100);
    await page.keyboard.press('+');
    expect(await page.locator('#zoom-scale').textContent()).toBe('125%');
    await page.screenshot({ path: join(dirname(screenshotPath), 'review-zoom.png') });
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid=zoom]').isHidden()).toBe(true);
    await page.locator('[data-testid=crop] .zoomable').first().click();
    expect(await page.locator('[data-testid=zoom]').isVisible()).toBe(true);
    await page.keyboard.press('Escape');

    // A note, then "no face" with the keyboard; unsure and skip on the next items.
    await page.keyboard.press('e');
    await page.keyboard.type('only a poster of a face');
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await idle(page);
    const unsure = await current(page);
    await page.keyboard.press('q');
    await idle(page);
    const skipped = await current(page);
    await page.keyboard.press('s');
    await idle(page);
    expect(await page.locator('[data-testid=queue-item][data-key="clip#0"] .labels').textContent()).toMatch(/→ no face$/);
    expect(await page.locator(`[data-testid=queue-item][data-key="${unsure}"] .labels`).textContent()).toMatch(/→ unsure$/);
    expect(await page.locator(`[data-testid=queue-item][data-key="${skipped}"]`).getAttribute('class')).toMatch(/skipped/);
    await page.locator('[data-testid=queue-item][data-key="clip#0"]').click();
    await idle(page);
    expect(await page.locator('[data-testid=decision]').textContent()).toMatch(/^Reviewed: no face by e2e-reviewer/);
    expect(await page.locator('[data-testid=note]').inputValue()).toBe('only a poster of a face');
    expect(errors).toEqual([]);

    const io = captureIo(dir);
    expect(await runCli(['export', runId, '--db', db, '--reviewed', '--format', 'jsonl'], io)).toBe(0);
    const rows = io.out().trim().split('\n').map((line) => JSON.parse(line) as { id: string; faceIndex: number; label?: string; reviewDecision?: string; reviewNote?: string });
    const byKey = new Map(rows.map((row) => [`${row.id}#${row.faceIndex}`, row]));
    expect(byKey.get('clip#0')).toMatchObject({ reviewDecision: 'no_face', reviewNote: 'only a poster of a face' });
    expect(byKey.get('clip#0')?.label).toBeUndefined();
    expect(byKey.get(unsure)).toMatchObject({ reviewDecision: 'unsure' });
    expect(byKey.get(skipped)).toMatchObject({ reviewDecision: 'skip' });
  }, 180_000);
});
