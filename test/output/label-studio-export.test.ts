import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/media/ffmpeg-binaries.js';
import { runProcess } from '../../src/media/run-process.js';
import { labelStudioConfig } from '../../src/output/label-studio-config.js';
import { writeLabelStudioExport } from '../../src/output/label-studio-export.js';
import { toLabelStudioTasks } from '../../src/output/label-studio-tasks.js';
import { toJsonRecord } from '../../src/output/result-row.js';
import type { ClipResult, FrameRecord } from '../../src/pipeline/clip-result.js';
import { demoFace } from '../support/demo-faces.js';
import { makeClipFromStill, makeFrameFolder, makeTempDir } from '../support/make-clips.js';

const LABELS = ['Anger', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise'];

function clip(overrides: Partial<ClipResult> & Pick<ClipResult, 'id' | 'path' | 'kind' | 'frames'>): ClipResult {
  return {
    faceIndex: 0, label: 'Happiness', confidence: 0.8, frameLabels: overrides.frames.map(() => 'Happiness'), framesUsed: overrides.frames.length,
    faceFound: true, model: 'mock:test', strategy: 'frame', taxonomy: 'basic7', status: 'ok', usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0, warnings: [], durationMs: 1, ...overrides,
  };
}

const frame = (index: number, sourceIndex: number, box: FrameRecord['box'], extra: Partial<FrameRecord> = {}): FrameRecord =>
  ({ index, sourceIndex, width: 200, height: 100, ...(box ? { box } : {}), ...extra });

async function codecOf(path: string): Promise<string> {
  const output = await runProcess(resolveFfmpeg().ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,pix_fmt', '-of', 'csv=p=0', path]);
  return output.stdout.toString('utf8').trim();
}

describe('Label Studio tasks', () => {
  it('clips a face box that reaches past the frame (a padded retry) to 0-100%', () => {
    const result = clip({ id: 'tight', path: '/in/tight.jpg', kind: 'image', frames: [frame(0, 0, { x: -40, y: -10, width: 300, height: 130, score: 0.9 })] });
    const [task] = toLabelStudioTasks([result]);
    const box = task?.predictions[0]?.result.find((entry) => entry.type === 'rectanglelabels')?.value as Record<string, number>;
    expect(box).toMatchObject({ x: 0, y: 0, width: 100, height: 100, rectanglelabels: ['Happiness'] });
    // JSONL of a result stored before boxes were clipped: the box inside its frame too.
    expect((toJsonRecord(result).frames as FrameRecord[])[0]?.box).toEqual({ x: 0, y: 0, width: 200, height: 100, score: 0.9 });
  });

  it('gives each face of a clip its own timeline and track, numbered as the config names them', () => {
    const faces = [0, 1].map((faceIndex) => clip({
      id: 'pair', path: '/in/pair.mp4', kind: 'video', faceIndex, label: faceIndex === 0 ? 'Happiness' : 'Sadness',
      frames: [frame(0, 0, { x: 10 + faceIndex * 100, y: 10, width: 50, height: 50, score: 1 }), frame(1, 10, { x: 12 + faceIndex * 100, y: 10, width: 50, height: 50, score: 1 })],
      frameLabels: faceIndex === 0 ? ['Happiness', 'Neutral'] : ['Sadness', 'Sadness'],
    }));
    const media = new Map([['pair', { shownAs: 'video' as const, path: '/in/pair.mp4', relativePath: 'pair.mp4', fps: 10, framesCount: 20, durationSec: 2 }]]);
    const [task] = toLabelStudioTasks(faces, { media });
    const results = task?.predictions[0]?.result ?? [];
    const timelines = results.filter((entry) => entry.type === 'timelinelabels').map((entry) => [entry.from_name, entry.value]);
    expect(timelines).toEqual([
      ['emotion_timeline', { ranges: [{ start: 1, end: 6 }], timelinelabels: ['Happiness'] }],
      ['emotion_timeline', { ranges: [{ start: 7, end: 20 }], timelinelabels: ['Neutral'] }],
      ['emotion_timeline_face1', { ranges: [{ start: 1, end: 20 }], timelinelabels: ['Sadness'] }],
    ]);
    const tracks = results.filter((entry) => entry.type === 'videorectangle');
    expect(tracks.map((entry) => (entry.value as { labels: string[] }).labels)).toEqual([['Happiness'], ['Sadness']]);
    expect((tracks[1]?.value as { sequence: Array<{ frame: number; time: number; x: number }> }).sequence).toMatchObject([{ frame: 1, time: 0, x: 55 }, { frame: 11, time: 1, x: 56 }]);
    expect(task?.data).toMatchObject({ video: '/data/local-files/?d=in/pair.mp4', fps: 10, framesCount: 20, duration: 2 });
    const config = labelStudioConfig({ shownAs: 'video', labels: LABELS, faceIndexes: [0, 1] });
    for (const entry of results) expect(config).toContain(`name="${entry.from_name}"`);
  });
});

describe('Label Studio export of GIFs and frame folders', () => {
  const { dir, cleanup } = makeTempDir('emolabel-ls-export-');
  let results: ClipResult[];
  beforeAll(async () => {
    mkdirSync(join(dir, 'in/clips'), { recursive: true });
    await makeClipFromStill(demoFace(1), join(dir, 'in/clips/wave.gif'), { seconds: 1, fps: 10, width: 160, height: 120 });
    makeFrameFolder(demoFace(2), join(dir, 'in/clips/folder'), 12);
    results = [
      clip({ id: 'clips/wave', path: join(dir, 'in/clips/wave.gif'), kind: 'video', frames: [frame(0, 0, { x: 20, y: 10, width: 60, height: 60, score: 1 }), frame(1, 9, { x: 20, y: 10, width: 60, height: 60, score: 1 })] }),
      clip({ id: 'clips/folder', path: join(dir, 'in/clips/folder'), kind: 'frames', frames: [frame(0, 0, undefined, { file: join(dir, 'in/clips/folder/1.jpg') }), frame(1, 11, undefined, { file: join(dir, 'in/clips/folder/12.jpg') })] }),
    ];
  });
  afterAll(cleanup);

  it('writes them as H.264 MP4 beside the export, timed by their own frames, with URLs relative to the input root', async () => {
    const out = join(dir, 'out/tasks.json');
    const warnings: string[] = [];
    const written = await writeLabelStudioExport(results, out, { inputs: [join(dir, 'in')], labels: LABELS, mediaUrlPrefix: 'https://cdn.example/m/', folderFps: 12, onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
    expect(written.converted).toBe(2);
    const tasks = JSON.parse(readFileSync(out, 'utf8')) as Array<{ data: Record<string, string | number> }>;
    const gif = tasks.find((task) => task.data.id === 'clips/wave')?.data;
    const folder = tasks.find((task) => task.data.id === 'clips/folder')?.data;
    expect(gif).toMatchObject({ video: 'https://cdn.example/m/clips/wave.mp4', framesCount: 10, fps: 10 });
    expect(folder).toMatchObject({ video: 'https://cdn.example/m/clips/folder.mp4', framesCount: 12, fps: 12, duration: 1 });
    for (const name of ['wave.mp4', 'folder.mp4']) {
      const path = join(dir, 'out/tasks-media/clips', name);
      expect(existsSync(path)).toBe(true);
      expect(await codecOf(path)).toBe('h264,yuv420p');
    }
    expect(readFileSync(join(dir, 'out/config.xml'), 'utf8')).toContain('frameRate="$fps"');
  });

  it('leaves them as image tasks when conversion is skipped', async () => {
    const out = join(dir, 'plain/tasks.json');
    await writeLabelStudioExport(results, out, { inputs: [join(dir, 'in')], labels: LABELS, convertMedia: false, mediaUrlPrefix: '/m/' });
    const tasks = JSON.parse(readFileSync(out, 'utf8')) as Array<{ data: Record<string, string | number> }>;
    expect(tasks.map((task) => task.data.image).sort()).toEqual(['/m/clips/folder/1.jpg', '/m/clips/wave.gif']);
    expect(existsSync(join(dir, 'plain/tasks-media'))).toBe(false);
    expect(readFileSync(join(dir, 'plain/config.xml'), 'utf8')).toContain('<Image name="image" value="$image"');
  });
});
