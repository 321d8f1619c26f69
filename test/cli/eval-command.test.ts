import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCapturedCli } from './eval-captured-io.js';
import { makeTempDir } from '../support/make-clips.js';

const temp = makeTempDir('emolabel-eval-cli-');
afterAll(temp.cleanup);
writeFileSync(join(temp.dir, 'truth.csv'), 'image,label\nimages/a.jpg,Angry\nimages/b.jpg,Happy\nimages/c.jpg,Sad\nimages/d.jpg,Surprise\nimages/e.jpg,Fear\n');
// annotate's output shape: ids without extension, a failed item with an empty label, and an extra row
writeFileSync(
  join(temp.dir, 'pred.csv'),
  'id,path,label,confidence,status\nimages/a,/x/a.jpg,ANGRY,0.9,ok\nimages/b,/x/b.jpg,happiness,0.8,ok\nimages/c,/x/c.jpg,angry,0.4,ok\nimages/d,/x/d.jpg,,,error\nimages/z,/x/z.jpg,Sad,0.5,ok\n',
);

const run = (args: string[]) => runCapturedCli(args, temp.dir);

describe('emolabel eval', () => {
  it('prints the metrics, per class and the confusion matrix, saying what was left out', async () => {
    const { code, out, err } = await run(['eval', '--pred', 'pred.csv', '--truth', 'truth.csv']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Scored 3 item(s) of truth.csv against pred.csv (taxonomy basic7).');
    expect(out).toContain('2 gold item(s) have no prediction and are left out of the metrics (use --strict to count them wrong): images/d.jpg, images/e.jpg.');
    expect(out).toContain('1 prediction(s) have no gold label and were ignored.');
    expect(out).toMatch(/Accuracy \(WAR\)\s+0\.6667/);
    expect(out).toMatch(/Balanced accuracy \(UAR\)\s+0\.6667/);
    expect(out).toMatch(/Macro precision\s+0\.5000/);
    expect(out).toMatch(/Cohen's kappa\s+0\.5000/);
    expect(out).toMatch(/\nAngry\s+0\.5000\s+1\.0000\s+0\.6667\s+1\s+2\n/);
    expect(out).toMatch(/Confusion matrix \(rows: truth, columns: predicted\)\ntruth \\ predicted\s+Angry\s+Disgust/);
    expect(out).toMatch(/\nSad\s+1\s+0\s+0\s+0\s+0\s+0\s+0\n/);
  });

  it('prints JSON with --json, and counts missing items wrong with --strict', async () => {
    const { code, out } = await run(['eval', '--pred', 'pred.csv', '--truth', 'truth.csv', '--json', '--strict']);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ n: 5, missing: 2, strict: true, extra: 1, accuracy: 0.4 });
    expect(json.perClass.Fear).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(json.perClass.Disgust).toEqual({ precision: null, recall: null, f1: null, support: 0 });
    expect(json.confusion.labels).toEqual(['Angry', 'Disgust', 'Fear', 'Happy', 'Neutral', 'Sad', 'Surprise']);
    expect(json.confusion.unpredicted).toEqual([0, 0, 1, 0, 0, 0, 1]);
  });

  it('collapses both sides to ternary', async () => {
    const { out } = await run(['eval', '--pred', 'pred.csv', '--truth', 'truth.csv', '--taxonomy', 'ternary', '--json']);
    const json = JSON.parse(out);
    // a Angry→negative ✓, b Happy→positive ✓, c Sad→negative predicted angry→negative ✓
    expect(json).toMatchObject({ n: 3, accuracy: 1, confusion: { labels: ['negative', 'neutral', 'positive'], matrix: [[2, 0, 0], [0, 0, 0], [0, 0, 1]] } });
  });

  it('scores a CSV from another tool using its truth and label columns', async () => {
    writeFileSync(join(temp.dir, 'other.csv'), 'file,prediction,gold\nx1,joy,Happy\nx2,anger,Sad\nx3,sadness,sad\n');
    const { code, out } = await run(['eval', '--pred', 'other.csv', '--pred-label', 'prediction', '--truth-label', 'gold', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ n: 3, missing: 0, accuracy: 2 / 3 });
  });

  it('counts out-of-taxonomy predictions wrong by default, with a warning naming them; skip and error on request', async () => {
    writeFileSync(join(temp.dir, 'peer.csv'), 'image,prediction\nimages/a.jpg,anger\nimages/b.jpg,pain\nimages/c.jpg,pain\nimages/d.jpg,bored\nimages/e.jpg,fear\n');
    const wrong = await run(['eval', '--pred', 'peer.csv', '--truth', 'truth.csv', '--json']);
    expect(wrong.code, wrong.err).toBe(0);
    expect(wrong.err).toContain('3 rows of the predictions CSV');
    expect(wrong.err).toMatch(/"pain" ×2, "bored"\): counted as wrong predictions/);
    expect(JSON.parse(wrong.out)).toMatchObject({ n: 5, missing: 0, unknownPredictions: 3, accuracy: 2 / 5 });
    const skipped = await run(['eval', '--pred', 'peer.csv', '--truth', 'truth.csv', '--json', '--unknown-labels', 'skip']);
    expect(JSON.parse(skipped.out)).toMatchObject({ n: 2, missing: 3, unknownPredictions: 0, accuracy: 1 });
    expect(skipped.err).toMatch(/left out \(--unknown-labels skip\)/);
    const refused = await run(['eval', '--pred', 'peer.csv', '--truth', 'truth.csv', '--unknown-labels', 'error']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/"pain" \(line 3\), "bored" \(line 5\)/);
  });

  it('warns when contempt is folded into Disgust, and keeps it apart with basic8', async () => {
    writeFileSync(join(temp.dir, 'affect-gold.csv'), 'clip,emotion\nv/1.mp4,contempt\nv/2.mp4,disgust\nv/3.mp4,contempt\n');
    writeFileSync(join(temp.dir, 'affect-pred.csv'), 'id,label\nv/1,Contempt\nv/2,Disgust\nv/3,Disgust\n');
    const folded = await run(['eval', '--pred', 'affect-pred.csv', '--truth', 'affect-gold.csv', '--json']);
    expect(folded.code, folded.err).toBe(0);
    expect(folded.err).toMatch(/2 "contempt" labels of the truth CSV .*affect-gold\.csv were counted as Disgust: basic7 has no class for it \(use --taxonomy basic8/);
    expect(JSON.parse(folded.out)).toMatchObject({ n: 3, accuracy: 1 });
    const kept = await run(['eval', '--pred', 'affect-pred.csv', '--truth', 'affect-gold.csv', '--json', '--taxonomy', 'basic8']);
    expect(kept.err).toBe('');
    const json = JSON.parse(kept.out);
    expect(json.confusion.labels).toContain('Contempt');
    expect(json).toMatchObject({ n: 3, accuracy: 2 / 3 });
    expect(json.perClass.Contempt).toMatchObject({ support: 2, recall: 0.5 });
  });

  it('finds the usual item and label column names, and takes --path-column and --id-column', async () => {
    writeFileSync(join(temp.dir, 'clips-gold.csv'), 'video,expression\nclips/1.mp4,happy\nclips/2.mp4,sad\n');
    writeFileSync(join(temp.dir, 'clips-pred.csv'), 'name,media,label\nfirst,clips/1.mp4,Happy\nsecond,clips/2.mp4,Angry\n');
    const byPath = await run(['eval', '--pred', 'clips-pred.csv', '--truth', 'clips-gold.csv', '--json', '--id-column', 'video', '--path-column', 'media']);
    // --id-column names a column of both files; the predictions have none, so it is refused …
    expect(byPath.code).toBe(1);
    expect(byPath.err).toMatch(/no "video" column/);
    writeFileSync(join(temp.dir, 'clips-gold2.csv'), 'video,expression,media\nclips/1.mp4,happy,clips/1.mp4\nclips/2.mp4,sad,clips/2.mp4\n');
    // … while --path-column matches the two files on their media paths when the ids differ.
    const matched = await run(['eval', '--pred', 'clips-pred.csv', '--truth', 'clips-gold2.csv', '--json', '--path-column', 'media']);
    expect(matched.code, matched.err).toBe(0);
    expect(JSON.parse(matched.out)).toMatchObject({ n: 2, accuracy: 0.5 });
    const detected = await run(['eval', '--pred', 'pred.csv', '--truth', 'clips-gold.csv', '--json']);
    expect(detected.err).toMatch(/No id of the predictions/);
  });

  it('fails with exit 1 and one clear line for bad files', async () => {
    writeFileSync(join(temp.dir, 'bad-labels.csv'), 'id,label\nimages/a,furious\n');
    const unknown = await run(['eval', '--pred', 'bad-labels.csv', '--truth', 'truth.csv', '--unknown-labels', 'error']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^emolabel: The predictions CSV .*bad-labels\.csv has labels that basic7 does not know: "furious" \(line 2\)\. Valid labels: Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise/);
    const noColumn = await run(['eval', '--pred', 'truth.csv', '--truth', 'truth.csv', '--pred-label', 'emotion']);
    expect(noColumn.err).toMatch(/no "emotion" column \(found columns: image, label\)/);
    const noTruth = await run(['eval', '--pred', 'truth.csv']);
    expect(noTruth.code).toBe(2);
    expect(noTruth.err).toMatch(/Give the gold labels with --truth <csv>/);
    const absent = await run(['eval', '--pred', 'absent.csv', '--truth', 'truth.csv']);
    expect(absent.err).toMatch(/Cannot read the predictions CSV .*absent\.csv/);
    const badTaxonomy = await run(['eval', '--pred', 'pred.csv', '--truth', 'truth.csv', '--taxonomy', 'plutchik']);
    expect(badTaxonomy).toMatchObject({ code: 2 });
    expect(badTaxonomy.err).toMatch(/Unknown taxonomy "plutchik"/);
    const noPred = await run(['eval', '--truth', 'truth.csv']);
    expect(noPred.code).toBe(2);
    expect(noPred.err).toMatch(/Give the predictions with --pred <csv>\. Example: emolabel eval --pred labels\.csv --truth gold\.csv/);
  });
});
