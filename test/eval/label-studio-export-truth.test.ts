import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { labelStudioTaskId, readLabelStudioExport } from '../../src/eval/read-label-studio-export.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { captureIo } from '../support/capture-io.js';
import { facesDevForTests, facesDevRoot } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';

/** An annotation as Label Studio's JSON export writes it. */
const annotation = (choice: string, extra: Record<string, unknown> = {}) => ({
  id: Math.floor(Math.random() * 1e6), completed_by: 1, was_cancelled: false, ground_truth: false,
  created_at: '2026-12-01T10:00:00.000000Z', updated_at: '2026-12-01T10:00:00.000000Z', lead_time: 4.2, prediction: {}, result_count: 1,
  unique_id: 'a1', import_id: null, last_action: null, task: 1, project: 1, updated_by: 1, parent_prediction: null, parent_annotation: null, last_created_by: null,
  result: [
    { id: 'r1', type: 'choices', value: { choices: [choice] }, origin: 'manual', to_name: 'image', from_name: 'emotion' },
    { id: 'r2', type: 'rectanglelabels', value: { x: 10, y: 10, width: 50, height: 60, rotation: 0, rectanglelabels: ['Sad'] }, origin: 'manual', to_name: 'image', from_name: 'emotion_box', original_width: 200, original_height: 200, image_rotation: 0 },
  ],
  ...extra,
});
const prediction = (choice: string, score: number) => ({
  id: 7, model_version: 'local:face-api frame', created_ago: '1 hour', score, cluster: null, neighbors: null, mislabeling: 0,
  created_at: '2026-12-01T09:00:00.000000Z', updated_at: '2026-12-01T09:00:00.000000Z', model: null, model_run: null, task: 1, project: 1,
  result: [{ id: 'p1', type: 'choices', value: { choices: [choice] }, to_name: 'image', from_name: 'emotion', score }],
});
const exportedTask = (id: number, data: Record<string, unknown>, annotations: unknown[], predictions: unknown[]) => ({
  id, annotations, file_upload: null, drafts: [], predictions, data, meta: {}, created_at: '2026-12-01T08:00:00.000000Z',
  updated_at: '2026-12-01T10:00:00.000000Z', inner_id: id, total_annotations: annotations.length, cancelled_annotations: 0,
  total_predictions: predictions.length, comment_count: 0, unresolved_comment_count: 0, last_comment_updated_at: null, project: 1, updated_by: 1, comment_authors: [],
});

describe('a Label Studio JSON export as gold labels or another opinion', () => {
  const { dir, cleanup } = makeTempDir('emolabel-ls-eval-');
  afterAll(cleanup);
  const exportFile = join(dir, 'project-1-at-2026-12-01.json');
  writeFileSync(exportFile, JSON.stringify([
    exportedTask(1, { image: '/data/local-files/?d=home/ana/faces/happy/a.jpg', id: 'happy/a' }, [annotation('Happiness')], [prediction('Happy', 0.91)]),
    // Two annotators: the ground-truth one counts, whatever came later.
    exportedTask(2, { image: '/data/local-files/?d=home/ana/faces/sad/b.jpg', id: 'sad/b' }, [
      annotation('Sadness', { ground_truth: true, updated_at: '2026-12-01T10:00:00Z' }),
      annotation('Anger', { updated_at: '2026-12-01T11:00:00Z' }),
    ], [prediction('Sad', 0.6)]),
    // A cancelled (skipped) annotation is no label.
    exportedTask(3, { image: '/data/upload/1/0f3c2a1b-c.jpg' }, [annotation('Fear', { was_cancelled: true })], [prediction('Neutral', 0.4)]),
  ]));
  writeFileSync(join(dir, 'labels.csv'), 'id,label,confidence\nhappy/a,Happy,0.9\nsad/b,Angry,0.7\nc,Neutral,0.5\n');

  it('reads annotations as gold labels and predictions with their scores, ids from data.id or the media URL', () => {
    const gold = readLabelStudioExport(exportFile, { taxonomy: basic7, role: 'truth' });
    expect(gold.rows.map((row) => [row.id, row.label])).toEqual([['happy/a', 'Happy'], ['sad/b', 'Sad'], ['c.jpg', undefined]]);
    const model = readLabelStudioExport(exportFile, { taxonomy: basic7, role: 'predictions', source: 'predictions' });
    expect(model.rows.map((row) => [row.id, row.label, row.confidence])).toEqual([['happy/a', 'Happy', 0.91], ['sad/b', 'Sad', 0.6], ['c.jpg', 'Neutral', 0.4]]);
    expect(labelStudioTaskId({ video: 'https://cdn.example/m/clips/talk.mp4' }, 9)).toBe('m/clips/talk.mp4');
  });

  it('scores emolabel labels against it with emolabel eval --truth export.json', async () => {
    const io = captureIo(dir);
    expect(await runCli(['eval', '--pred', 'labels.csv', '--truth', exportFile, '--json'], io)).toBe(0);
    const metrics = JSON.parse(io.out()) as { n: number; accuracy: number };
    // Two tasks have a gold label; emolabel got happy/a right and sad/b wrong.
    expect(metrics).toMatchObject({ n: 2, accuracy: 0.5 });
  });

  it("scores the export's model predictions as another opinion with --pred-source predictions", async () => {
    const io = captureIo(dir);
    expect(await runCli(['eval', '--pred', exportFile, '--pred-source', 'predictions', '--truth', exportFile, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ n: 2, accuracy: 1 });
  });

  it('says what it expected when the JSON is not an export', async () => {
    writeFileSync(join(dir, 'other.json'), JSON.stringify([{ nope: true, data: 'x' }]));
    const io = captureIo(dir);
    expect(await runCli(['eval', '--pred', 'labels.csv', '--truth', 'other.json'], io)).not.toBe(0);
    expect(io.err()).toMatch(/not a Label Studio JSON export .* Export > JSON/);
  });
});

const facesDev = facesDevForTests('Label Studio export unknown-label tests');

describe.skipIf(facesDev.missing !== undefined)("a peer's Label Studio export with labels outside the taxonomy, scored against faces-dev's labels.csv", () => {
  const { dir, cleanup } = makeTempDir('emolabel-ls-unknown-');
  afterAll(cleanup);
  const gold = join(facesDevRoot(), 'labels.csv');
  const faces = facesDev.images.slice(0, 5);
  // Two right answers (first and last), "pain" twice and "bored" once: raw labels of another annotator.
  const answers = faces.map((face, index) => (index === 1 || index === 2 ? 'pain' : index === 3 ? 'bored' : face.label.toLowerCase()));
  const peer = join(dir, 'peer-export.json');
  writeFileSync(peer, JSON.stringify(faces.map((face, index) => exportedTask(index + 1, { image: `/data/local-files/?d=${relative('/', face.path)}`, id: relative(facesDevRoot(), face.path) }, [annotation(answers[index] ?? '')], []))));
  const run = async (args: string[]) => {
    const io = captureIo(dir);
    const code = await runCli(['eval', '--pred', peer, '--truth', gold, '--json', ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('counts them wrong by default, with a warning that counts and names them', async () => {
    const wrong = await run([]);
    expect(wrong.code, wrong.err).toBe(0);
    expect(wrong.err).toContain(`Warning: 3 tasks of the predictions Label Studio export ${peer} have labels basic7 does not know ("pain" ×2, "bored"): counted as wrong predictions\n`);
    expect(JSON.parse(wrong.out)).toMatchObject({ n: 5, unknownPredictions: 3, accuracy: 2 / 5 });
  });

  it('leaves them out with --unknown-labels skip, and refuses the file with error, naming the tasks', async () => {
    const skipped = await run(['--unknown-labels', 'skip']);
    expect(skipped.code, skipped.err).toBe(0);
    expect(skipped.err).toMatch(/3 tasks of the predictions Label Studio export .* left out \(--unknown-labels skip\)/);
    expect(JSON.parse(skipped.out)).toMatchObject({ n: 2, unknownPredictions: 0, accuracy: 1 });
    const refused = await run(['--unknown-labels', 'error']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`The predictions file ${peer} has labels that basic7 does not know: "pain" (task 2), "bored" (task 4).`);
    expect(refused.err).toContain('or --unknown-labels wrong|skip');
  });
});
