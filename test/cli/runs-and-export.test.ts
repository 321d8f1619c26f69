import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeClipFromStill, makeTempDir } from '../support/make-clips.js';

describe('emolabel runs and export', () => {
  const { dir, cleanup } = makeTempDir();
  let runId = '';
  beforeAll(async () => {
    mkdirSync(join(dir, 'media'));
    copyFileSync(demoFace(2), join(dir, 'media/portrait.jpg'));
    await makeClipFromStill(demoFace(2), join(dir, 'media/talk.mp4'), { seconds: 1, fps: 10, width: 960, height: 684 });
    const io = captureIo(dir);
    expect(await runCli(['annotate', 'media', '--frames', '3', '--db', 'store.db', '--out', 'labels.csv'], io)).toBe(0);
    runId = /run (r[\w-]+): 2 items/.exec(io.err())?.[1] ?? '';
  });
  afterAll(cleanup);

  it('records the annotate run in the store named by --db and lists it', async () => {
    expect(runId).toMatch(/^r\d{8}-\d{4}-[0-9a-f]{6}$/);
    const io = captureIo(dir);
    expect(await runCli(['runs', '--db', 'store.db'], io)).toBe(0);
    expect(io.out()).toMatch(new RegExp(`${runId}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+local:face-api\\s+frame\\s+basic7\\s+2/2\\s+0\\s+\\$0\\.0000\\s+done`));
  });

  it('exports the newest run as CSV identical to what annotate wrote', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', '--db', 'store.db', '--format', 'csv'], io)).toBe(0);
    expect(io.out()).toBe(readFileSync(join(dir, 'labels.csv'), 'utf8'));
  });

  it('exports Label Studio tasks with a scored prediction, per-frame ranges, face boxes and a matching config', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', runId, '--db', 'store.db', '--format', 'label-studio', '--out', 'tasks.json'], io)).toBe(0);
    const tasks = JSON.parse(readFileSync(join(dir, 'tasks.json'), 'utf8')) as Array<{ data: Record<string, string | number>; predictions: Array<{ score: number; result: Array<{ type: string; value: Record<string, unknown> }> }> }>;
    // A run of a clip and a photo is two projects: one labelling config has one object tag.
    const images = JSON.parse(readFileSync(join(dir, 'tasks-images.json'), 'utf8')) as typeof tasks;
    const video = tasks.find((task) => task.data.id === 'talk');
    const image = images.find((task) => task.data.id === 'portrait');
    expect(video?.data.video).toBe(`/data/local-files/?d=${join(dir, 'media/talk.mp4').slice(1)}`);
    // The clip's own timing: 1 s at 10 fps, all 10 frames (not the last sampled one).
    expect(video?.data).toMatchObject({ fps: 10, framesCount: 10, duration: 1 });
    const prediction = video?.predictions[0];
    expect(prediction?.score).toBeGreaterThan(0);
    const types = prediction?.result.map((result) => result.type) ?? [];
    expect(types[0]).toBe('choices');
    expect(types.at(-1)).toBe('videorectangle');
    const ranges = (prediction?.result.filter((result) => result.type === 'timelinelabels') ?? []).map((result) => (result.value.ranges as Array<{ start: number; end: number }>)[0]);
    // Each sampled frame's label covers the frames nearest to it: the ranges tile frames 1-10.
    expect(ranges[0]?.start).toBe(1);
    expect(ranges.at(-1)?.end).toBe(10);
    ranges.slice(1).forEach((range, index) => expect(range?.start).toBe((ranges[index]?.end ?? 0) + 1));
    const rectangle = prediction?.result.at(-1)?.value as { framesCount: number; duration: number; sequence: Array<{ x: number; y: number; width: number; height: number; frame: number }> };
    expect(rectangle.framesCount).toBe(10);
    expect(rectangle.sequence.map((entry) => entry.frame)).toEqual([2, 6, 9]);
    for (const entry of rectangle.sequence) {
      expect(entry.x).toBeGreaterThanOrEqual(0);
      expect(entry.y).toBeGreaterThanOrEqual(0);
      expect(entry.x + entry.width).toBeLessThanOrEqual(100);
      expect(entry.y + entry.height).toBeLessThanOrEqual(100);
    }
    expect(image?.predictions[0]?.result.map((result) => result.type)).toEqual(['choices', 'rectanglelabels']);
    const config = readFileSync(join(dir, 'config.xml'), 'utf8');
    expect(config).toContain('<Video name="video" value="$video" frameRate="$fps"');
    expect(config).toContain('<TimelineLabels name="emotion_timeline" toName="video">');
    expect(readFileSync(join(dir, 'config-images.xml'), 'utf8')).toContain('<RectangleLabels name="emotion_box" toName="image">');
    expect(io.err()).toContain('labelling config');
  });

  it('builds media URLs from the path relative to the input root', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', runId, '--db', 'store.db', '--format', 'label-studio', '--media-url', 'https://cdn.example/faces/'], io)).toBe(0);
    const tasks = JSON.parse(io.out()) as Array<{ data: Record<string, string> }>;
    expect(tasks.map((task) => task.data.video ?? task.data.image).sort()).toEqual(['https://cdn.example/faces/portrait.jpg', 'https://cdn.example/faces/talk.mp4']);
  });

  it('takes a unique prefix of a run id, as review does', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', runId.slice(0, 14), '--db', 'store.db', '--format', 'jsonl'], io)).toBe(0);
    expect(io.out().trim().split('\n')).toHaveLength(2);
  });

  it('says what to do when the run does not exist', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', 'r-nope', '--db', 'store.db'], io)).toBe(2);
    expect(io.err()).toMatch(/Run "r-nope" is not in the run store; newest runs: r\S+ \(`emolabel runs` lists them\)/);
  });
});
