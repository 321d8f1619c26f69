import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { ClipResult } from '../../src/pipeline/clip-result.js';
import { ReviewStore } from '../../src/store/review-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { captureIo } from '../support/capture-io.js';
import { makeTempDir } from '../support/make-clips.js';
import { makeReviewInputs, makeReviewRun } from './support/review-run.js';

describe('emolabel export --reviewed', () => {
  const { dir, cleanup } = makeTempDir('emolabel-review-export-');
  const db = join(dir, 'emolabel.db');
  let runId: string;
  let results: ClipResult[];
  let changed: ClipResult;
  let accepted: ClipResult;

  beforeAll(async () => {
    ({ runId, results } = await makeReviewRun(db, await makeReviewInputs(dir)));
    const labelled = results.filter((result) => result.status === 'ok');
    changed = labelled.find((result) => result.faceIndex > 0) as ClipResult;
    accepted = labelled.find((result) => result.kind === 'video') as ClipResult;
    const store = RunStore.open(db);
    const reviews = new ReviewStore(store.database);
    reviews.saveDecision(runId, { itemId: changed.id, faceIndex: changed.faceIndex, label: changed.label === 'Fear' ? 'Sad' : 'Fear', reviewer: 'ana', decidedAt: '2026-02-01T10:00:00.000Z' });
    reviews.saveDecision(runId, { itemId: accepted.id, faceIndex: 0, label: accepted.label as string, reviewer: 'bo', decidedAt: '2026-02-01T10:01:00.000Z' });
    reviews.saveDecision(runId, { itemId: 'broken', faceIndex: 0, label: 'Neutral', reviewer: 'bo', decidedAt: '2026-02-01T10:02:00.000Z' });
    store.close();
  });
  afterAll(cleanup);

  const exported = async (format: string, extra: string[] = []) => {
    const io = captureIo(dir);
    const code = await runCli(['export', runId, '--db', db, '--reviewed', '--format', format, ...extra], io);
    expect(code, io.err()).toBe(0);
    return io.out();
  };
  const newLabel = () => (changed.label === 'Fear' ? 'Sad' : 'Fear');

  it('CSV: reviewed labels win and every row says whether its label is the reviewer\'s or the model\'s', async () => {
    const rows = parse(await exported('csv'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(results.length);
    const find = (id: string, face: number) => rows.find((row) => row.id === id && row.face === String(face));
    expect(find(changed.id, changed.faceIndex)).toMatchObject({ label: newLabel(), label_source: 'review', model_label: changed.label, reviewer: 'ana', reviewed_at: '2026-02-01T10:00:00.000Z' });
    expect(find(accepted.id, 0)).toMatchObject({ label: accepted.label, label_source: 'review', model_label: accepted.label, reviewer: 'bo' });
    expect(find('broken', 0)).toMatchObject({ label: 'Neutral', label_source: 'review', model_label: '', status: 'error' });
    const unreviewed = rows.filter((row) => row.label_source === 'model');
    expect(unreviewed).toHaveLength(results.length - 3);
    expect(unreviewed.every((row) => row.label === row.model_label && row.reviewer === '')).toBe(true);
    // A reviewed row does not carry the model's probabilities and frame labels as if they backed the person's label.
    const reviewedRow = find(changed.id, changed.faceIndex);
    expect(Object.entries(reviewedRow ?? {}).filter(([column, value]) => column.startsWith('p_') && value !== '')).toEqual([]);
    expect(reviewedRow).toMatchObject({ frame_labels: '', confidence: '1', model_confidence: String(Math.round((changed.confidence ?? 0) * 10_000) / 10_000) });
    expect(unreviewed.some((row) => Object.entries(row).some(([column, value]) => column.startsWith('p_') && value !== ''))).toBe(true);
  });

  it('JSONL: one object per result with labelSource, modelLabel and reviewer', async () => {
    const lines = (await exported('jsonl')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(results.length);
    expect(lines.find((line) => line.id === changed.id && line.faceIndex === changed.faceIndex)).toMatchObject({
      label: newLabel(), labelSource: 'review', modelLabel: changed.label, reviewer: 'ana', confidence: 1,
    });
    expect(lines.filter((line) => line.labelSource === 'review')).toHaveLength(3);
  });

  it('Label Studio with --out: the reviewed import beside its configs, the frame folder made into MP4', async () => {
    await exported('label-studio', ['--out', join(dir, 'ls/tasks.json')]);
    type Task = { data: Record<string, string | number>; annotations?: Array<{ result: Array<{ type: string }> }> };
    const clips = JSON.parse(readFileSync(join(dir, 'ls/tasks.json'), 'utf8')) as Task[];
    const photos = JSON.parse(readFileSync(join(dir, 'ls/tasks-images.json'), 'utf8')) as Task[];
    expect(clips.find((task) => task.data.id === accepted.id)).toMatchObject({ data: { label_source: 'review', reviewer: 'bo', fps: 12, framesCount: 12 } });
    const folder = clips.find((task) => task.data.id === 'frames/0001');
    expect(folder?.data).toMatchObject({ framesCount: 5, fps: 25 });
    expect(existsSync(join(dir, 'ls/tasks-media/frames/0001.mp4'))).toBe(true);
    expect(photos.find((task) => task.data.id === changed.id)?.annotations?.[0]?.result.some((entry) => entry.type === 'rectanglelabels')).toBe(true);
    expect(readFileSync(join(dir, 'ls/config.xml'), 'utf8')).toContain('<VideoRectangle name="emotion_box" toName="video"/>');
    expect(readFileSync(join(dir, 'ls/config-images.xml'), 'utf8')).toContain('<RectangleLabels name="emotion_box" toName="image">');
  });

  it('Label Studio: the model stays a prediction, the reviewer\'s label comes as an annotation', async () => {
    const tasks = JSON.parse(await exported('label-studio')) as Array<{
      data: Record<string, string>; predictions: Array<{ result: Array<{ type: string; value: Record<string, unknown> }> }>;
      annotations?: Array<{ result: Array<{ type: string; value: Record<string, unknown> }> }>;
    }>;
    const clip = tasks.find((task) => task.data.id === accepted.id);
    expect(clip?.data).toMatchObject({ label_source: 'review', label: accepted.label, reviewer: 'bo' });
    expect(clip?.annotations?.[0]?.result.find((entry) => entry.type === 'choices')?.value).toEqual({ choices: [accepted.label] });
    // The reviewer judged the clip, not each frame: no per-frame labels in the annotation.
    expect(clip?.annotations?.[0]?.result.some((entry) => entry.type === 'timelinelabels')).toBe(false);
    expect(clip?.predictions[0]?.result.some((entry) => entry.type === 'timelinelabels')).toBe(true);
    const group = tasks.find((task) => task.data.id === changed.id);
    // One of the group photo's faces was reviewed, the others not.
    expect(group?.data.label_source).toBe('mixed');
    const reviewedBoxes = group?.annotations?.[0]?.result.filter((entry) => entry.type === 'rectanglelabels') ?? [];
    expect(reviewedBoxes.map((entry) => entry.value.rectanglelabels)).toEqual([[newLabel()]]);
    const predictedBoxes = group?.predictions[0]?.result.filter((entry) => entry.type === 'rectanglelabels') ?? [];
    expect(predictedBoxes.map((entry) => entry.value.rectanglelabels)).toContainEqual([changed.label]);
    const untouched = tasks.filter((task) => task.data.label_source === 'model');
    expect(untouched.length).toBeGreaterThan(0);
    expect(untouched.every((task) => task.annotations === undefined)).toBe(true);
  });

  it('leaves the plain export as the model labelled it', async () => {
    const io = captureIo(dir);
    expect(await runCli(['export', runId, '--db', db, '--format', 'csv'], io)).toBe(0);
    const rows = parse(io.out(), { columns: true }) as Array<Record<string, string>>;
    expect(rows.find((row) => row.id === changed.id && row.face === String(changed.faceIndex))?.label).toBe(changed.label);
    expect(Object.keys(rows[0] ?? {})).not.toContain('label_source');
  });
});
