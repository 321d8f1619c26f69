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

  it('exports Label Studio tasks with a scored prediction, per-frame ranges and face boxes', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', runId, '--db', 'store.db', '--format', 'label-studio', '--out', 'tasks.json'], io)).toBe(0);
    const tasks = JSON.parse(readFileSync(join(dir, 'tasks.json'), 'utf8')) as Array<{ data: Record<string, string>; predictions: Array<{ score: number; result: Array<{ type: string; value: Record<string, unknown> }> }> }>;
    const video = tasks.find((task) => task.data.id === 'talk');
    const image = tasks.find((task) => task.data.id === 'portrait');
    expect(video?.data.video).toBe(`/data/local-files/?d=${join(dir, 'media/talk.mp4').slice(1)}`);
    const prediction = video?.predictions[0];
    expect(prediction?.score).toBeGreaterThan(0);
    expect(prediction?.result.map((result) => result.type)).toEqual(['choices', 'timelinelabels', 'timelinelabels', 'timelinelabels', 'videorectangle']);
    expect(prediction?.result[1]?.value).toMatchObject({ ranges: [{ start: 2, end: 2 }] });
    const sequence = (prediction?.result[4]?.value.sequence ?? []) as Array<{ x: number; width: number; frame: number }>;
    expect(sequence.map((entry) => entry.frame)).toEqual([2, 6, 9]);
    for (const entry of sequence) {
      expect(entry.x).toBeGreaterThan(0);
      expect(entry.x + entry.width).toBeLessThanOrEqual(100);
    }
    expect(image?.predictions[0]?.result.map((result) => result.type)).toEqual(['choices', 'rectanglelabels']);
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
