import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { loadFacesDev } from '../support/faces-dev.js';
import { makeClipFromStill, makeTempDir } from '../support/make-clips.js';

const CHROMIUM = process.env.EMOLABEL_CHROMIUM ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const lsfBuild = (() => {
  try {
    return join(dirname(require.resolve('@heartexlabs/label-studio/package.json')), 'build/static');
  } catch {
    return undefined;
  }
})();
const missing = !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set EMOLABEL_CHROMIUM)`
  : lsfBuild === undefined || !existsSync(join(lsfBuild, 'js/main.js')) ? 'Label Studio\'s front end (@heartexlabs/label-studio 1.4.0, a devDependency) is not installed' : undefined;
if (missing) console.warn(`label-studio-browser: skipped, ${missing}`);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const screenshotPath = join(repoRoot, 'test-output/label-studio.png');

interface Task {
  data: Record<string, string | number>;
  predictions: Array<{ result: Array<{ id: string; type: string; value: Record<string, unknown> }> }>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.jpg': 'image/jpeg', '.png': 'image/png', '.mp4': 'video/mp4', '.gif': 'image/gif' };

/** The page: Label Studio's front end as the README embeds it, one task with its predictions selected. */
function labelStudioPage(config: string, task: Task): string {
  const options = { config, interfaces: ['panel', 'controls', 'side-column', 'predictions:menu', 'annotations:menu'], user: { pk: 1, firstName: 'E', lastName: 'L' }, task: { id: 1, annotations: [], ...task } };
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/lsf/css/main.css"></head><body>
<div id="label-studio"></div><script src="/lsf/js/main.js"></script><script>
const options = ${JSON.stringify(options).replace(/</g, '\\u003c')};
options.onLabelStudioLoad = function (LS) {
  window.LS = LS;
  const prediction = LS.annotationStore.predictions[0];
  if (prediction) LS.annotationStore.selectPrediction(prediction.id);
  window.ready = true;
};
new LabelStudio('label-studio', options);
</script></body></html>`;
}

/**
 * What Label Studio made of the selected prediction: its results, regions (stage pixels) and the
 * ticked choices. Browser-side code as text: this project's TypeScript has no DOM types.
 */
const READ_RENDERED = `(() => {
  const selected = window.LS.annotationStore.selected;
  const regions = selected.regionStore.regions.map((region) => ({
    x: region.x, y: region.y, width: region.width, height: region.height,
    stageWidth: region.parent && region.parent.stageWidth, stageHeight: region.parent && region.parent.stageHeight,
  }));
  const ticked = [...document.querySelectorAll('.ant-checkbox-wrapper-checked, .ant-radio-wrapper-checked')].map((element) => element.textContent.trim());
  const video = document.querySelector('video');
  const image = document.querySelector('img');
  return {
    kind: selected.type, serialized: selected.serializeAnnotation(), regions, ticked,
    image: image && { complete: image.complete, width: image.naturalWidth },
    video: video && { readyState: video.readyState, duration: video.duration, error: video.error ? video.error.code : undefined },
  };
})()`;

interface Rendered {
  kind: string;
  serialized: Array<{ type: string; value: Record<string, unknown> }>;
  regions: Array<{ x: number; y: number; width: number; height: number; stageWidth: number; stageHeight: number }>;
  ticked: string[];
  image: { complete: boolean; width: number } | null;
  video: { readyState: number; duration: number; error?: number } | null;
}

const readRendered = (page: Page) => page.evaluate(READ_RENDERED) as Promise<Rendered>;

describe.skipIf(missing !== undefined)(missing ? `Label Studio front end: skipped, ${missing}` : "emolabel's Label Studio export in Label Studio's own front end (Chromium)", () => {
  const { dir, cleanup } = makeTempDir('emolabel-ls-browser-');
  let server: Server;
  let origin = '';
  let context: BrowserContext;
  const pages = new Map<string, string>();

  beforeAll(async () => {
    mkdirSync(join(dir, 'media/photos'), { recursive: true });
    mkdirSync(join(dir, 'media/clips'), { recursive: true });
    for (const number of [1, 2, 3] as const) copyFileSync(demoFace(number), join(dir, `media/photos/group-${number}.jpg`));
    // Tight face crops: the detector finds them on a padded copy, with boxes past the image's edges.
    const facesDev = loadFacesDev();
    if ('images' in facesDev) for (const image of facesDev.images.slice(0, 4)) copyFileSync(image.path, join(dir, 'media/photos', `tight-${image.path.split('/').pop() ?? ''}`));
    await makeClipFromStill(demoFace(2), join(dir, 'media/clips/wave.gif'), { seconds: 1, fps: 10, width: 320, height: 240 });
    server = createServer((request, response) => {
      const path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
      const file = path.startsWith('/lsf/') ? join(lsfBuild ?? '', path.slice(5))
        : path.startsWith('/media/') ? [join(dir, path), join(dir, 'out/tasks-media', path.slice(7))].find((candidate) => existsSync(candidate)) : undefined;
      const page = pages.get(path);
      if (page !== undefined) response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      else if (file !== undefined && existsSync(file)) response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const annotate = captureIo(dir);
    expect(await runCli(['annotate', 'media', '--faces', 'all', '--frames', '3', '--db', 'store.db', '--out', 'labels.csv'], annotate), annotate.err()).toBeLessThan(2);
    const exported = captureIo(dir);
    expect(await runCli(['export', '--db', 'store.db', '--format', 'label-studio', '--out', 'out/tasks.json', '--media-url', `${origin}/media/`], exported), exported.err()).toBe(0);
    context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 860 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 240_000);
  afterAll(async () => {
    await context?.close();
    await new Promise((resolveClose) => server?.close(resolveClose));
    cleanup();
  });

  async function open(name: string, config: string, task: Task): Promise<{ page: Page; errors: string[] }> {
    pages.set(`/${name}`, labelStudioPage(config, task));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/${name}`);
    await page.waitForFunction('window.ready === true', null, { timeout: 30_000 });
    return { page, errors };
  }

  it('renders every photo prediction with the written config: the choice ticked, each face box inside the image', async () => {
    const tasks = JSON.parse(readFileSync(join(dir, 'out/tasks-images.json'), 'utf8')) as Task[];
    const config = readFileSync(join(dir, 'out/config-images.xml'), 'utf8');
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    let boxes = 0;
    for (const [index, task] of tasks.entries()) {
      const { page, errors } = await open(`photo-${index}`, config, task);
      // Regions are placed once the image has loaded and the stage has its size.
      await page.waitForFunction(`(() => { const image = document.querySelector('img'); return image && image.complete && window.LS.annotationStore.selected.regionStore.regions.every((region) => region.parent.stageWidth > 1); })()`, null, { timeout: 20_000 });
      const rendered = await readRendered(page);
      expect(errors).toEqual([]);
      expect(rendered.kind).toBe('prediction');
      const expected = task.predictions[0]?.result ?? [];
      const choice = expected.find((entry) => entry.type === 'choices')?.value.choices as string[] | undefined;
      if (choice) expect(rendered.ticked).toEqual(choice);
      const rectangles = expected.filter((entry) => entry.type === 'rectanglelabels');
      expect(rendered.regions).toHaveLength(rectangles.length);
      expect(rendered.serialized.filter((entry) => entry.type === 'rectanglelabels').map((entry) => entry.value.rectanglelabels)).toEqual(rectangles.map((entry) => entry.value.rectanglelabels));
      for (const region of rendered.regions) {
        expect(region.x).toBeGreaterThanOrEqual(0);
        expect(region.y).toBeGreaterThanOrEqual(0);
        expect(region.x + region.width).toBeLessThanOrEqual(region.stageWidth + 0.5);
        expect(region.y + region.height).toBeLessThanOrEqual(region.stageHeight + 0.5);
      }
      boxes += rendered.regions.length;
      if (String(task.data.id).includes('group-1')) {
        mkdirSync(dirname(screenshotPath), { recursive: true });
        await page.screenshot({ path: screenshotPath });
      }
      await page.close();
    }
    expect(boxes).toBeGreaterThan(tasks.length);
  }, 240_000);

  it('plays a GIF made into H.264 MP4 and ticks its whole-clip choice (this build has no VideoRectangle or TimelineLabels)', async () => {
    const [task] = JSON.parse(readFileSync(join(dir, 'out/tasks.json'), 'utf8')) as Task[];
    if (!task) throw new Error('no clip task');
    // Label Studio 1.4.0's front end predates VideoRectangle and TimelineLabels: keep what it knows.
    const config = readFileSync(join(dir, 'out/config.xml'), 'utf8').split('\n')
      .filter((line) => !/<(VideoRectangle|Header)|<\/?(Labels|TimelineLabels)|<Label /.test(line)).join('\n');
    const known = new Set(['choices']);
    const { page, errors } = await open('clip', config, { ...task, predictions: task.predictions.map((prediction) => ({ ...prediction, result: prediction.result.filter((entry) => known.has(entry.type)) })) });
    await page.waitForFunction("(document.querySelector('video') || { readyState: 0 }).readyState >= 1", null, { timeout: 20_000 });
    const rendered = await readRendered(page);
    expect(errors).toEqual([]);
    expect(rendered.video?.error).toBeUndefined();
    expect(rendered.video?.duration).toBeCloseTo(Number(task.data.duration), 1);
    expect(rendered.ticked).toEqual(task.predictions[0]?.result.find((entry) => entry.type === 'choices')?.value.choices);
    await page.close();
  }, 120_000);
});
