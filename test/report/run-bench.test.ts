import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest } from '../../src/annotators/annotator.js';
import type { AnnotatorSettings } from '../../src/annotators/annotator-registry.js';
import { getDatasetLoader } from '../../src/datasets/dataset-registry.js';
import { planBenchCells, selectBenchItems } from '../../src/report/bench-matrix.js';
import { runBench } from '../../src/report/run-bench.js';
import { byLabel } from '../datasets/faces-dev-layouts.js';
import { loadFacesDev } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const facesDev = loadFacesDev();
const missing = 'missing' in facesDev ? facesDev.missing : undefined;
if (missing) console.warn(`Skipping bench runs on faces-dev: ${missing}`);
const images = 'images' in facesDev ? facesDev.images : [];
const temp = makeTempDir('emolabel-bench-');
afterAll(temp.cleanup);

/** root/<Label>/<image>.jpg with the first `perLabel` images of each label. */
function smallFolderPerClass(root: string, perLabel: number): string {
  for (const [label, group] of byLabel(images)) {
    mkdirSync(join(root, label), { recursive: true });
    for (const image of group.slice(0, perLabel)) symlinkSync(image.path, join(root, label, basename(image.path)));
  }
  return root;
}

/** Annotators that always answer Happy (positive in ternary), $0.001 a request; counts requests and prompts. */
function happyFactory(calls: { count: number; prompts: unknown[] }, status: Annotation['status'] = 'ok') {
  return (model: string, settings: AnnotatorSettings) => {
    calls.prompts.push(settings.prompt);
    return new MockAnnotator(
      [
        (request: AnnotationRequest): Annotation => {
          calls.count += 1;
          if (status !== 'ok') return { status, error: 'provider said no' };
          return { status: 'ok', label: request.taxonomy.name === 'ternary' ? 'positive' : 'Happy', confidence: 0.8, costUsd: 0.001, usage: { inputTokens: 100, outputTokens: 5 } };
        },
      ],
      model,
    );
  };
}

describe('planBenchCells and selectBenchItems', () => {
  it('crosses every dimension, collapsing prompts for annotators that take none', () => {
    const cells = planBenchCells(
      { models: ['local', 'openai:gpt-4o-mini'], strategies: ['frame', 'mean'], prompts: ['direct', 'au-cot'], taxonomies: ['basic7', 'custom/my-set.json'] },
      (model) => model !== 'local',
    );
    // local: 2 strategies × 2 taxonomies; openai: 2 strategies × 2 prompts × 2 taxonomies
    expect(cells).toHaveLength(2 * 2 + 2 * 2 * 2);
    expect(cells.filter((cell) => cell.model === 'local')).toHaveLength(2 * 2);
    expect(cells[0]).toEqual({ name: 'local__frame__-__basic7', model: 'local', strategy: 'frame', prompt: '-', taxonomy: 'basic7' });
    expect(cells.map((cell) => cell.name)).toContain('openai-gpt-4o-mini__mean__au-cot__my-set');
    const named = planBenchCells({ models: ['openrouter:meta/llama-3.2'], strategies: ['grid'], prompts: ['prompts/mine.md', 'direct@v1'], taxonomies: ['ternary'] }, () => true);
    expect(named.map((cell) => cell.name)).toEqual(['openrouter-meta-llama-3.2__grid__mine__ternary', 'openrouter-meta-llama-3.2__grid__direct@v1__ternary']);
    expect(() => planBenchCells({ models: ['local'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['a/set.json', 'b/set.json'] }, () => true)).toThrow(
      /Two cells of the bench would share the folder "local__frame__direct__set"/,
    );
    expect(() => planBenchCells({ models: ['local'], strategies: [], prompts: ['direct'], taxonomies: ['basic7'] }, () => true)).toThrow(
      'The bench needs at least one of strategies; e.g. --strategies frame.',
    );
  });

  it('draws a limit round-robin across labels and drops repeated paths', () => {
    const items = ['A', 'A', 'A', 'B', 'C', 'C'].map((label, index) => ({ label, path: `/${label}${index}` }));
    expect(selectBenchItems(items, 4).map((item) => item.path)).toEqual(['/A0', '/B3', '/C4', '/A1']);
    expect(selectBenchItems([...items, { label: 'A', path: '/A0' }])).toHaveLength(6);
  });
});

describe.skipIf(missing !== undefined)('runBench on faces-dev', () => {
  const root = join(temp.dir, 'dataset');
  if (missing === undefined) smallFolderPerClass(root, 2);

  it('runs every cell, writes predictions per cell and the report, then resumes only the new clips', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'out');
    const calls = { count: 0, prompts: [] as unknown[] };
    const matrix = { models: ['mock:happy'], strategies: ['frame'], prompts: ['direct', 'au-cot'], taxonomies: ['basic7', 'ternary'] };
    const first = await runBench({ dataset, outDir, ...matrix, limit: 7, createAnnotator: happyFactory(calls) });
    expect(first.report.failures).toEqual([]);
    expect(first.report.cells.map((cell) => cell.name)).toEqual([
      'mock-happy__frame__direct__basic7', 'mock-happy__frame__direct__ternary', 'mock-happy__frame__au-cot__basic7', 'mock-happy__frame__au-cot__ternary',
    ]);
    expect(calls.count).toBe(4 * 7);
    expect(calls.prompts).toEqual(expect.arrayContaining(['direct', 'au-cot']));
    const basic = first.report.cells[0];
    expect(basic).toMatchObject({ items: 7, labelled: 7, reused: false, predictionsFile: join('mock-happy__frame__direct__basic7', 'predictions.csv') });
    expect(basic?.metrics.accuracy).toBeCloseTo(1 / 7, 12);
    expect(basic?.metrics.perClass.Happy).toEqual({ precision: 1 / 7, recall: 1, f1: 0.25, support: 1 });
    expect(basic?.costPer1000).toBeCloseTo(1, 10);
    expect(first.report.cells[1]?.metrics.accuracy).toBeCloseTo(2 / 7, 12);
    expect(first.report.source.perLabel.ternary).toEqual({ negative: 4, neutral: 1, positive: 2 });
    const csv = readFileSync(join(outDir, 'mock-happy__frame__direct__basic7', 'predictions.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,path,label,confidence,status,error,cost_usd,duration_ms,input_tokens,output_tokens,truth');
    expect(csv).toHaveLength(8);
    expect(csv.slice(1).every((line) => line.split(',')[2] === 'Happy')).toBe(true);
    expect(existsSync(join(outDir, 'report.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')).cells).toHaveLength(4);

    const again = await runBench({ dataset, outDir, ...matrix, limit: 14, createAnnotator: happyFactory(calls) });
    expect(calls.count).toBe(4 * 7 + 4 * 7);
    expect(again.report.cells.every((cell) => cell.reused === true && cell.items === 14 && cell.labelled === 14)).toBe(true);
    expect(again.report.cells[0]?.metrics.accuracy).toBeCloseTo(2 / 14, 12);
    expect(readFileSync(join(outDir, 'mock-happy__frame__direct__basic7', 'predictions.csv'), 'utf8').trim().split('\n')).toHaveLength(15);

    await runBench({ dataset, outDir, ...matrix, limit: 14, createAnnotator: happyFactory(calls) });
    expect(calls.count).toBe(8 * 7);
  });

  it('lists a cell whose every clip failed, and retries those clips on the next run', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'out-failing');
    const matrix = { models: ['mock:flaky'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7'], limit: 7 };
    const calls = { count: 0, prompts: [] as unknown[] };
    const failed = await runBench({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls, 'error') });
    expect(failed.report.cells).toEqual([]);
    expect(failed.report.failures).toEqual([{ name: 'mock-flaky__frame__direct__basic7', error: expect.stringMatching(/^every clip failed, e\.g\. .*provider said no.*rerun to retry them$/) }]);
    expect(readFileSync(failed.files.html, 'utf8')).toContain('<section id="failures">');
    const fixed = await runBench({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls) });
    expect(fixed.report.failures).toEqual([]);
    expect(fixed.report.cells[0]).toMatchObject({ items: 7, labelled: 7, reused: false });
    expect(calls.count).toBe(14);
  });

  it('rejects unknown strategies, taxonomies and models before running anything', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'never');
    const base = { dataset, outDir, models: ['local'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7'] };
    await expect(runBench({ ...base, strategies: ['frame', 'nonesuch'] })).rejects.toThrow(/Unknown strategy "nonesuch"\. Must be one of \[frame, mean/);
    await expect(runBench({ ...base, models: ['mock:a'], prompts: ['direct', 'shout'], createAnnotator: happyFactory({ count: 0, prompts: [] }) })).rejects.toThrow(
      /Unknown prompt "shout"\. Must be one of \[direct, au-cot, hint\]/,
    );
    await expect(runBench({ ...base, taxonomies: ['plutchik'] })).rejects.toThrow(/Unknown taxonomy "plutchik"/);
    await expect(runBench({ ...base, models: ['local', 'nope:model'] })).rejects.toThrow(/Unknown model "nope:model"/);
    expect(existsSync(outDir)).toBe(false);
  });
});
