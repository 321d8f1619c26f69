import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { writeBadMedia } from '../support/bad-media.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeClipFromStill, makeFrameFolder, makeTempDir } from '../support/make-clips.js';

describe('emolabel annotate (in-process)', () => {
  const { dir, cleanup } = makeTempDir();
  beforeAll(async () => {
    mkdirSync(join(dir, 'clips'), { recursive: true });
    await makeClipFromStill(demoFace(2), join(dir, 'clips/talk.mp4'), { seconds: 1, fps: 10, width: 960, height: 684 });
    await makeClipFromStill(demoFace(2), join(dir, 'clips/loop.gif'), { seconds: 1, fps: 6, width: 480, height: 342 });
    makeFrameFolder(demoFace(2), join(dir, 'ferv/DailyLife/Sad/0003'), 5);
    makeFrameFolder(demoFace(4), join(dir, 'ferv/DailyLife/Happy/0009'), 5);
    copyFileSync(demoFace(4), join(dir, 'group.jpg'));
  });
  afterAll(cleanup);

  it('writes one CSV row per clip with the documented columns for --clip-folders', async () => {
    const io = captureIo(dir);
    const code = await runCli(['annotate', '--clip-folders', 'ferv', '--frames', '3', '--out', 'out/labels.csv'], io);
    expect(code).toBe(0);
    const rows = parse(readFileSync(join(dir, 'out/labels.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.id)).toEqual(['DailyLife/Happy/0009', 'DailyLife/Sad/0003']);
    expect(Object.keys(rows[0] ?? {})).toEqual(expect.arrayContaining([
      'id', 'path', 'label', 'confidence', 'p_Angry', 'p_Surprise', 'frame_labels', 'frames', 'face_found', 'model', 'strategy', 'status', 'error',
    ]));
    expect(rows[0]).toMatchObject({ frames: '3', face_found: 'true', model: 'local:face-api', strategy: 'frame', status: 'ok', error: '' });
    expect(rows[0]?.frame_labels?.split(';')).toHaveLength(3);
    expect(io.err()).toMatch(/2 results: 2 ok, 0 no face, 0 abstained, 0 refused, 0 errors → out\/labels\.csv/);
  });

  it('writes JSONL for a folder of mp4 and gif clips with the mean strategy and ternary labels', async () => {
    const io = captureIo(dir);
    const code = await runCli(['annotate', 'clips', '--strategy', 'mean', '--taxonomy', 'ternary', '--frames', '4', '--out', 'clips.jsonl', '--quiet'], io);
    expect(code).toBe(0);
    const lines = readFileSync(join(dir, 'clips.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.id)).toEqual(['loop', 'talk']);
    for (const line of lines) {
      expect(line).toMatchObject({ status: 'ok', strategy: 'mean', taxonomy: 'ternary', framesUsed: 4 });
      expect(['negative', 'neutral', 'positive']).toContain(line.label);
      expect(Object.keys(line.distribution as object)).toEqual(['negative', 'neutral', 'positive']);
    }
    expect(io.err()).toBe('');
  });

  it('labels every face with --faces all and prints a table without --out', async () => {
    const io = captureIo(dir);
    expect(await runCli(['annotate', 'group.jpg', '--faces', 'all', '--quiet'], io)).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+label\s+conf\s+status/);
    expect(lines.filter((line) => line.startsWith('group')).length).toBeGreaterThanOrEqual(3);
    expect(io.out()).toMatch(/group#1\s+\w+\s+0\.\d\d\s+ok/);
  });

  it('exits 3 when some items fail, naming each bad file, and still writes the good ones', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeBadMedia(bad);
    copyFileSync(demoFace(2), join(bad, 'good.jpg'));
    const io = captureIo(dir);
    expect(await runCli(['annotate', 'bad', 'missing.mp4', '--out', 'bad.csv', '--quiet'], io)).toBe(3);
    const rows = parse(readFileSync(join(dir, 'bad.csv')), { columns: true }) as Record<string, string>[];
    const status = Object.fromEntries(rows.map((row) => [row.id, row.status]));
    expect(status).toEqual({ missing: 'error', corrupt: 'error', empty: 'error', giant: 'error', good: 'ok', readme: 'error' });
    expect(rows.find((row) => row.id === 'missing')?.error).toMatch(/missing\.mp4 does not exist/);
  });

  it('gives one clear line and a usage exit code for bad flags', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['annotate', 'clips', '--strategy', 'vote'], /Unknown strategy "vote". Must be one of \[frame, mean/],
      [['annotate', 'clips', '--frames', 'many'], /expected a whole number from 1 and up, got "many"/],
      [['annotate', 'clips', '--out', 'labels.xlsx'], /use a \.csv, \.jsonl or \.json file name/],
      [['annotate'], /Give at least one input path, or --manifest <csv>/],
      [['annotate', 'clips', '--model', 'foo:bar'], /Unknown model "foo:bar"/],
    ];
    for (const [argv, message] of cases) {
      const io = captureIo(dir);
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err()).not.toMatch(/\n\s+at /);
    }
  });
});
