import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { runAnnotation } from '../../src/runs/run-annotation.js';
import { runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

describe('a run store SQLite refuses', () => {
  const { dir, cleanup } = makeTempDir('emolabel-store-failures-');
  afterAll(cleanup);
  const faces = join(dir, 'faces');
  mkdirSync(faces);
  for (const n of [1, 2, 3] as const) copyFileSync(demoFace(n), join(faces, `face-${n}.jpg`));

  it('a full disk mid-run names the store, says the disk is full and that saved answers are kept', async () => {
    const file = join(dir, 'full.db');
    const store = RunStore.open(file);
    try {
      // SQLite's own size cap gives the same SQLITE_FULL a full disk gives: no page can be added.
      const pages = Number(store.database.pragma('page_count', { simple: true }));
      store.database.pragma(`max_page_count = ${pages}`);
      const answer = { status: 'ok' as const, label: 'Happy', confidence: 0.9, rationale: 'x'.repeat(20_000) };
      const outcome = await runAnnotation(runSpecOf([faces], { model: 'mock:scripted', faces: 'none' }), {
        store, annotator: new MockAnnotator([answer, answer, answer]),
      });
      // The run stops at the first refused write instead of failing item after item.
      expect(outcome.stopped?.reason).toBe('fatal');
      expect(outcome.stopped?.message).toContain(`Cannot write the run store ${file}: the disk is full`);
      expect(outcome.stopped?.message).toMatch(/SQLITE_FULL.*free some space.*run the same command to resume/);
      expect(outcome.results.filter((result) => result.status === 'error')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('a damaged file is refused at open with the file named and what to do, through the CLI too', async () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    expect(() => RunStore.open(file)).toThrow(`Cannot open the run store ${file}: the file is damaged or is not an emolabel store (SQLITE_NOTADB)`);
    const io = captureIo(dir);
    const code = await runCli(['runs', '--db', file], io);
    expect(code).toBe(1);
    expect(io.err()).toMatch(/^emolabel: Cannot open the run store .*garbage\.db: the file is damaged .*\.recover/);
    expect(io.err()).not.toContain('SqliteError');
  });
});
