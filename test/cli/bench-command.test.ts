import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedIo, runCapturedCli } from './eval-captured-io.js';
import { runCli } from '../../src/cli/main.js';
import { buildFerv39k, byLabel } from '../datasets/faces-dev-layouts.js';
import { facesDevForTests } from '../support/faces-dev.js';
import { startFaultyOpenAiServer } from '../support/faulty-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

const { images, missing } = facesDevForTests('emolabel bench CLI tests');
const temp = makeTempDir('emolabel-bench-cli-');
afterAll(temp.cleanup);

const run = (args: string[]) => runCapturedCli(args, temp.dir);

/** Runs the CLI and presses Ctrl-C once, when stderr first shows `when`. */
async function runInterrupted(args: string[], when: RegExp) {
  const io = capturedIo(temp.dir);
  let press: (() => void) | undefined;
  const code = await runCli(args, {
    ...io,
    stderr: { write: (text: string) => (io.stderr.write(text), when.test(text) ? press?.() : undefined) },
    onInterrupt: (handler) => {
      press = handler;
      return () => (press = undefined);
    },
  });
  return { code, out: io.out(), err: io.err() };
}

describe.skipIf(missing !== undefined)('emolabel bench with the local model', () => {
  if (missing === undefined) {
    for (const [label, group] of byLabel(images)) {
      mkdirSync(join(temp.dir, 'faces', label), { recursive: true });
      for (const image of group.slice(0, 2)) symlinkSync(image.path, join(temp.dir, 'faces', label, basename(image.path)));
    }
  }

  it('runs the matrix on a folder per class, writes the report, and reuses predictions on rerun', async () => {
    const args = ['bench', 'faces', '--strategies', 'frame,mean', '--prompts', 'direct,au-cot', '--taxonomies', 'basic7,ternary', '--limit', '7', '--out', 'out'];
    const first = await run(args);
    expect(first.err).toMatch(/^\[1\/4\] local__frame__-__basic7: 7 clip\(s\)\n\[1\/4\] local__frame__-__basic7: WAR \d\.\d{4}  UAR \d\.\d{4}  macro-F1 \d\.\d{4}\n/);
    expect(first.code).toBe(0);
    expect(first.out).toBe('4 cell(s) scored: out/report.html, out/report.json\n');
    const report = JSON.parse(readFileSync(join(temp.dir, 'out', 'report.json'), 'utf8'));
    expect(report.cells.map((cell: { name: string }) => cell.name)).toEqual([
      'local__frame__-__basic7', 'local__frame__-__ternary', 'local__mean__-__basic7', 'local__mean__-__ternary',
    ]);
    expect(report.cells[0]).toMatchObject({ items: 7, labelled: 7, costUsd: 0, costPer1000: 0 });
    expect(report.cells[0].latency.clips).toBe(7);
    expect(report.cells[0].metrics.confusion.matrix.flat().reduce((sum: number, count: number) => sum + count, 0)).toBe(7);
    const html = readFileSync(join(temp.dir, 'out', 'report.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(1 + 2 + 2 + 4);
    expect(existsSync(join(temp.dir, 'out', 'local__mean__-__ternary', 'predictions.csv'))).toBe(true);

    const scored = await run(['eval', '--pred', 'out/local__frame__-__basic7/predictions.csv', '--json']);
    expect(JSON.parse(scored.out)).toMatchObject({ n: 7, accuracy: report.cells[0].metrics.accuracy, macroF1: report.cells[0].metrics.macroF1 });

    const again = await run(args);
    expect(again.code).toBe(0);
    expect(again.err.match(/\(7 reused\)/g)).toHaveLength(4);
  });

  it('stops on Ctrl-C with exit 130 after saving what is done, and the same command resumes from the store given by --db', async () => {
    const args = ['bench', 'faces', '--strategies', 'frame', '--taxonomies', 'basic7,ternary', '--limit', '7', '--out', 'out-ctrl-c', '--db', 'runs/shared.db'];
    const cut = await runInterrupted(args, /^\[2\/2\] .*: 7 clip\(s\)/);
    expect(cut.code).toBe(130);
    expect(cut.err).toContain('emolabel: stopping');
    expect(cut.err).toContain('[2/2] local__frame__-__ternary: interrupted after 0 of 7 clips');
    expect(cut.err).toMatch(/emolabel: bench interrupted; run the same command again to resume/);
    expect(cut.out).toBe('1 cell(s) scored before the interruption: out-ctrl-c/report.html, out-ctrl-c/report.json\n');
    expect(existsSync(join(temp.dir, 'runs', 'shared.db'))).toBe(true);
    expect(existsSync(join(temp.dir, 'out-ctrl-c', 'bench.db'))).toBe(false);
    const partial = JSON.parse(readFileSync(join(temp.dir, 'out-ctrl-c', 'report.json'), 'utf8'));
    expect(partial.cells.map((cell: { name: string }) => cell.name)).toEqual(['local__frame__-__basic7']);

    const resumed = await run(args);
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/\[1\/2\] local__frame__-__basic7: WAR .*\(7 reused\)\n/);
    expect(resumed.err).not.toMatch(/\[2\/2\] .*reused/);
    const report = JSON.parse(readFileSync(join(temp.dir, 'out-ctrl-c', 'report.json'), 'utf8'));
    expect(report.cells.map((cell: { name: string; labelled: number }) => [cell.name, cell.labelled])).toEqual([['local__frame__-__basic7', 7], ['local__frame__-__ternary', 7]]);
    const runs = await run(['runs', '--db', 'runs/shared.db', '--json']);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.out).map((stored: { status: string; done: number }) => [stored.status, stored.done])).toEqual([['done', 7], ['done', 7]]);
  });

  it('reads a FERV39k list for one scene from its frames root', async () => {
    const clips = buildFerv39k(images.slice(0, 60), join(temp.dir, 'ferv', 'frames'), join(temp.dir, 'ferv', 'test_All.txt'));
    const daily = clips.filter((clip) => clip.scene === 'DailyLife');
    const result = await run(['bench', 'ferv/test_All.txt', '--scene', 'DailyLife', '--frames-root', 'ferv/frames', '--frames', '2', '--limit', '3', '--out', 'ferv-out', '-q']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(join(temp.dir, 'ferv-out', 'report.json'), 'utf8'));
    expect(report.source).toMatchObject({ kind: 'ferv39k', scene: 'DailyLife', items: Math.min(3, daily.length) });
    const rows = readFileSync(join(temp.dir, 'ferv-out', 'local__frame__-__basic7', 'predictions.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.startsWith('DailyLife/') && /,(ok|no_face),/.test(row))).toBe(true);
  });

  it('retries an LLM provider\'s failures as annotate does, so a flaky server still scores every clip', async () => {
    // Every image's first request gets a 503; the retry gets an answer.
    const server = await startFaultyOpenAiServer({ chooseFault: (request) => (request.previousForImage === 0 ? 'server-error' : 'ok') });
    try {
      const result = await run(['bench', 'faces', '--models', 'openai-compatible:any', '--base-url', server.url, '--strategies', 'multi',
        '--limit', '3', '--frames', '1', '--retries', '2', '--out', 'flaky-out', '-q']);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(readFileSync(join(temp.dir, 'flaky-out', 'report.json'), 'utf8')) as { cells: Array<{ items: number; labelled: number }> };
      expect(report.cells).toEqual([expect.objectContaining({ items: 3, labelled: 3 })]);
      const imageRequests = server.requests.filter((request) => request.imageKey !== undefined);
      expect(imageRequests.map((request) => request.fault).sort()).toEqual(['ok', 'ok', 'ok', 'server-error', 'server-error', 'server-error']);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('fails before running for an unknown strategy or model, or a missing API key', async () => {
    const strategy = await run(['bench', 'faces', '--strategies', 'frame,nonesuch', '--out', 'never']);
    expect(strategy.code).toBe(2);
    expect(strategy.err).toMatch(/^emolabel: Unknown strategy "nonesuch"\. Must be one of \[frame, mean/);
    const model = await run(['bench', 'faces', '--models', 'local,acme:big', '--out', 'never']);
    expect(model.code).toBe(2);
    expect(model.err).toMatch(/^emolabel: Unknown model "acme:big"/);
    const key = await run(['bench', 'faces', '--models', 'openai:gpt-4o-mini', '--api-key-env', 'EMOLABEL_TEST_UNSET_KEY', '--out', 'never']);
    expect(key.code).toBe(1);
    expect(key.err).toMatch(/API key not found: --api-key-env names EMOLABEL_TEST_UNSET_KEY/);
    expect(existsSync(join(temp.dir, 'never'))).toBe(false);
  });
});
