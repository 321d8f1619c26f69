import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Annotation, AnnotationRequest } from '../../src/annotators/annotator.js';
import type { AnnotatorSettings } from '../../src/annotators/annotator-provider.js';
import { getDatasetLoader } from '../../src/datasets/dataset-registry.js';
import { planMatrixCells, selectMatrixItems } from '../../src/matrix/matrix-spec.js';
import { type MatrixCellEvent, runMatrix } from '../../src/matrix/run-matrix.js';
import { ResponseStore } from '../../src/store/request-log.js';
import { RunStore } from '../../src/store/run-store.js';
import { byLabel } from '../datasets/faces-dev-layouts.js';
import { facesDevForTests } from '../support/faces-dev.js';
import { makeTempDir } from '../support/make-clips.js';
import { MockAnnotator } from '../support/mock-annotator.js';

const { images, missing } = facesDevForTests('bench runs on faces-dev');
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

/**
 * Annotators that always answer Happy (positive in ternary), $0.001 a request; counts requests and prompts.
 * Like the LLM annotators, the prompt is part of their identity, so cells with different prompts do not share cached answers.
 */
function happyFactory(calls: { count: number; prompts: unknown[] }, status: Annotation['status'] = 'ok') {
  return (model: string, settings: AnnotatorSettings) => {
    calls.prompts.push(settings.prompt);
    const annotator = new MockAnnotator(
      [
        (request: AnnotationRequest): Annotation => {
          calls.count += 1;
          if (status !== 'ok') return { status, error: 'provider said no' };
          return { status: 'ok', label: request.taxonomy.name === 'ternary' ? 'positive' : 'Happy', confidence: 0.8, costUsd: 0.001, usage: { inputTokens: 100, outputTokens: 5 } };
        },
      ],
      model,
    );
    return Object.assign(annotator, { settingsIdentity: { prompt: (settings.prompt as string | undefined) ?? null } });
  };
}

describe('planMatrixCells and selectMatrixItems', () => {
  it('crosses every dimension, collapsing prompts for annotators that take none', () => {
    const cells = planMatrixCells(
      { models: ['local', 'openai:gpt-4o-mini'], strategies: ['frame', 'mean'], prompts: ['direct', 'au-cot'], taxonomies: ['basic7', 'custom/my-set.json'] },
      (model) => model !== 'local',
    );
    // local: 2 strategies × 2 taxonomies; openai: 2 strategies × 2 prompts × 2 taxonomies
    expect(cells).toHaveLength(2 * 2 + 2 * 2 * 2);
    expect(cells.filter((cell) => cell.model === 'local')).toHaveLength(2 * 2);
    expect(cells[0]).toEqual({ name: 'local__frame__-__basic7', model: 'local', strategy: 'frame', prompt: '-', taxonomy: 'basic7' });
    expect(cells.map((cell) => cell.name)).toContain('openai-gpt-4o-mini__mean__au-cot__my-set');
    const named = planMatrixCells({ models: ['openrouter:meta/llama-3.2'], strategies: ['grid'], prompts: ['prompts/mine.md', 'direct@v1'], taxonomies: ['ternary'] }, () => true);
    expect(named.map((cell) => cell.name)).toEqual(['openrouter-meta-llama-3.2__grid__mine__ternary', 'openrouter-meta-llama-3.2__grid__direct@v1__ternary']);
    expect(() => planMatrixCells({ models: ['local'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['a/set.json', 'b/set.json'] }, () => true)).toThrow(
      /Two cells of the bench would share the folder "local__frame__direct__set"/,
    );
    expect(() => planMatrixCells({ models: ['local'], strategies: [], prompts: ['direct'], taxonomies: ['basic7'] }, () => true)).toThrow(
      'The bench needs at least one of strategies; e.g. --strategies frame.',
    );
  });

  it('draws a limit round-robin across labels and drops repeated paths', () => {
    const items = ['A', 'A', 'A', 'B', 'C', 'C'].map((label, index) => ({ label, path: `/${label}${index}` }));
    expect(selectMatrixItems(items, 4).map((item) => item.path)).toEqual(['/A0', '/B3', '/C4', '/A1']);
    expect(selectMatrixItems([...items, { label: 'A', path: '/A0' }])).toHaveLength(6);
  });
});

describe.skipIf(missing !== undefined)('runMatrix on faces-dev', () => {
  const root = join(temp.dir, 'dataset');
  if (missing === undefined) smallFolderPerClass(root, 2);

  it('runs every cell, writes predictions per cell and the report, then resumes only the new clips', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'out');
    const calls = { count: 0, prompts: [] as unknown[] };
    const matrix = { models: ['mock:happy'], strategies: ['frame'], prompts: ['direct', 'au-cot'], taxonomies: ['basic7', 'ternary'] };
    const first = await runMatrix({ dataset, outDir, ...matrix, limit: 7, createAnnotator: happyFactory(calls) });
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
    // The runs in the store carry the dataset's ids (<Label>/<name>), as `emolabel export` writes them.
    const chosen = new Set(csv.slice(1).map((line) => line.split(',')[0]));
    const store = RunStore.open(first.db);
    try {
      const runId = store.listRuns().find((run) => run.strategy === 'frame')?.id ?? '';
      const storedIds = store.getResults(runId).map((result) => result.id);
      expect(storedIds).toHaveLength(7);
      expect(storedIds.every((id) => chosen.has(id) && dataset.items.some((item) => item.id === id))).toBe(true);
    } finally {
      store.close();
    }
    expect(existsSync(join(outDir, 'report.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')).cells).toHaveLength(4);

    const again = await runMatrix({ dataset, outDir, ...matrix, limit: 14, createAnnotator: happyFactory(calls) });
    expect(calls.count).toBe(4 * 7 + 4 * 7);
    expect(again.report.cells.every((cell) => cell.reused === true && cell.items === 14 && cell.labelled === 14)).toBe(true);
    expect(again.report.cells[0]?.metrics.accuracy).toBeCloseTo(2 / 14, 12);
    expect(readFileSync(join(outDir, 'mock-happy__frame__direct__basic7', 'predictions.csv'), 'utf8').trim().split('\n')).toHaveLength(15);

    await runMatrix({ dataset, outDir, ...matrix, limit: 14, createAnnotator: happyFactory(calls) });
    expect(calls.count).toBe(8 * 7);
    // Three benches of face detection on real crops: 13 s alone, over a minute on a loaded 2-core machine.
  }, 180_000);

  it('stops at --max-cost across cells, lists the cells not run, and a higher budget finishes the bench', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const calls = { count: 0, prompts: [] as unknown[] };
    const outDir = join(temp.dir, 'out-budget');
    const matrix = { models: ['mock:happy'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7', 'ternary'], limit: 7 };
    // $0.001 a clip: the first cell's budget stops it after 2 of 7 clips, and the second cell never runs.
    const capped = await runMatrix({ dataset, outDir, ...matrix, maxCostUsd: 0.0025, createAnnotator: happyFactory(calls) });
    expect(capped.budgetReached).toMatch(/mock-happy__frame__direct__basic7: Budget reached/);
    expect(calls.count).toBe(2);
    expect(capped.report.failures.map((failure) => failure.error)).toEqual([
      expect.stringMatching(/^stopped after 2 of 7 clips: Budget reached/), expect.stringMatching(/^not run: --max-cost was reached/),
    ]);
    const finished = await runMatrix({ dataset, outDir, ...matrix, maxCostUsd: 1, createAnnotator: happyFactory(calls) });
    expect(finished.budgetReached).toBeUndefined();
    expect(finished.report.cells.map((cell) => cell.labelled)).toEqual([7, 7]);
    expect(calls.count).toBe(2 + 5 + 7);
  });

  it('names a taxonomy from a file by its own name in the cells and the gold-label counts', async () => {
    const file = join(temp.dir, 'arousal.json');
    writeFileSync(file, JSON.stringify({
      name: 'arousal', labels: [{ name: 'high' }, { name: 'low' }],
      fromBasic: { Angry: 'high', Disgust: 'low', Fear: 'high', Happy: 'high', Neutral: 'low', Sad: 'low', Surprise: 'high' },
    }));
    const dataset = await getDatasetLoader('folder').load(root);
    const { report } = await runMatrix({
      dataset, outDir: join(temp.dir, 'out-arousal'), models: ['mock:happy'], strategies: ['frame'], prompts: ['direct'], taxonomies: [file],
      limit: 7, createAnnotator: happyFactory({ count: 0, prompts: [] }),
    });
    expect(report.cells.map((cell) => cell.taxonomy)).toEqual(['arousal']);
    expect(Object.keys(report.source.perLabel)).toEqual(['arousal']);
    expect(Object.values(report.source.perLabel.arousal ?? {}).reduce((sum, count) => sum + count, 0)).toBe(7);
  });

  it('lists a cell whose every clip failed, and retries those clips on the next run', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'out-failing');
    const matrix = { models: ['mock:flaky'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7'], limit: 7 };
    const calls = { count: 0, prompts: [] as unknown[] };
    const failed = await runMatrix({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls, 'error') });
    expect(failed.report.cells).toEqual([]);
    expect(failed.report.failures).toEqual([{ name: 'mock-flaky__frame__direct__basic7', error: expect.stringMatching(/^every clip failed, e\.g\. .*provider said no.*rerun to retry them$/) }]);
    expect(readFileSync(failed.files.html, 'utf8')).toContain('<section id="failures">');
    const fixed = await runMatrix({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls) });
    expect(fixed.report.failures).toEqual([]);
    expect(fixed.report.cells[0]).toMatchObject({ items: 7, labelled: 7, reused: false });
    expect(calls.count).toBe(14);
  });

  it('answers a second identical bench without a request, at the same cost per 1,000 clips, also from another folder sharing the store', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'out-cached');
    const matrix = { models: ['mock:happy'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7', 'ternary'], limit: 7 };
    const calls = { count: 0, prompts: [] as unknown[] };
    const first = await runMatrix({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls) });
    expect(calls.count).toBe(2 * 7);
    expect(first.db).toBe(join(outDir, 'bench.db'));
    expect(first.report.cells.map((cell) => cell.costPer1000)).toEqual([expect.closeTo(1, 10), expect.closeTo(1, 10)]);

    const events: MatrixCellEvent[] = [];
    const again = await runMatrix({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls), onCell: (event) => events.push(event) });
    expect(calls.count).toBe(2 * 7);
    expect(events.filter((event) => event.phase === 'done').map((event) => event.reused)).toEqual([7, 7]);
    expect(again.report.cells.map((cell) => [cell.costPer1000, cell.metrics.accuracy, cell.latency])).toEqual(first.report.cells.map((cell) => [cell.costPer1000, cell.metrics.accuracy, cell.latency]));

    // Another output folder on the same store: new runs (another manifest), every answer from the response cache.
    const elsewhere = await runMatrix({ dataset, outDir: join(temp.dir, 'out-cached-2'), db: first.db, ...matrix, createAnnotator: happyFactory(calls) });
    expect(calls.count).toBe(2 * 7);
    expect(elsewhere.report.cells.map((cell) => [cell.costPer1000, cell.metrics.accuracy, cell.latency?.medianMs])).toEqual(
      first.report.cells.map((cell) => [cell.costPer1000, cell.metrics.accuracy, cell.latency?.medianMs]),
    );
    const csv = readFileSync(join(temp.dir, 'out-cached-2', 'mock-happy__frame__direct__basic7', 'predictions.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csv.map((line) => line.split(',').slice(6, 7).concat(line.split(',').slice(8, 10)))).toEqual(Array(7).fill(['0.001', '100', '5']));
    const store = RunStore.open(first.db);
    try {
      const runs = store.listRuns();
      expect(runs).toHaveLength(4);
      const responses = new ResponseStore(store.database);
      const byCache = runs.filter((run) => responses.countRequests(run.id).sent === 0);
      expect(byCache.map((run) => responses.countRequests(run.id))).toEqual([{ sent: 0, cached: 7 }, { sent: 0, cached: 7 }]);
      for (const run of byCache) {
        expect(run.costUsd).toBe(0);
        expect(responses.listCost(run.id)).toEqual({ usd: expect.closeTo(0.007, 12), inputTokens: 700, outputTokens: 35 });
      }
    } finally {
      store.close();
    }
  });

  it('stops on the stop signal, writes what is done, and the same bench then labels only the missing clips', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'out-interrupted');
    const matrix = { models: ['mock:happy'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7', 'ternary'], limit: 7, concurrency: 1 };
    const calls = { count: 0, prompts: [] as unknown[] };
    const stop = new AbortController();
    const cut = await runMatrix({
      dataset, outDir, ...matrix, createAnnotator: happyFactory(calls), stopSignal: stop.signal,
      onProgress: (_cell, done) => (done === 3 ? stop.abort() : undefined),
    });
    expect(cut.interrupted).toBe(true);
    expect(calls.count).toBe(3);
    expect(cut.report.cells).toEqual([]);
    expect(cut.report.failures).toEqual([
      { name: 'mock-happy__frame__direct__basic7', error: expect.stringMatching(/^interrupted after 3 of 7 clips \(run r[\w-]+\); run the same bench again to resume$/) },
      { name: 'mock-happy__frame__direct__ternary', error: 'not run: the bench was interrupted; run the same bench again to resume' },
    ]);
    const partial = readFileSync(join(outDir, 'mock-happy__frame__direct__basic7', 'predictions.csv'), 'utf8').trim().split('\n');
    expect(partial).toHaveLength(1 + 3);

    const events: MatrixCellEvent[] = [];
    const resumed = await runMatrix({ dataset, outDir, ...matrix, createAnnotator: happyFactory(calls), onCell: (event) => events.push(event) });
    expect(resumed.interrupted).toBe(false);
    expect(calls.count).toBe(3 + 4 + 7);
    expect(events.filter((event) => event.phase === 'done').map((event) => event.reused)).toEqual([3, 0]);
    expect(resumed.report.failures).toEqual([]);
    expect(resumed.report.cells.map((cell) => [cell.items, cell.labelled, cell.reused])).toEqual([[7, 7, true], [7, 7, false]]);
    expect(resumed.report.cells.map((cell) => cell.costPer1000)).toEqual([expect.closeTo(1, 10), expect.closeTo(1, 10)]);
    expect(resumed.report.cells[0]?.metrics.accuracy).toBeCloseTo(1 / 7, 12);
    const html = readFileSync(resumed.files.html, 'utf8');
    const sections = [...html.matchAll(/<section id="([^"]+)">/g)].map((match) => match[1]);
    expect(sections).toEqual(['results', 'cost-accuracy', 'coverage', 'per-class', 'confusion', 'gold', 'definitions']);
    expect(html.match(/<svg/g)).toHaveLength(1 + 2 + 2 + 2);
    expect(JSON.parse(readFileSync(resumed.files.json, 'utf8')).cells).toHaveLength(2);
  });

  it('rejects unknown strategies, taxonomies and models before running anything', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const outDir = join(temp.dir, 'never');
    const base = { dataset, outDir, models: ['local'], strategies: ['frame'], prompts: ['direct'], taxonomies: ['basic7'] };
    await expect(runMatrix({ ...base, strategies: ['frame', 'nonesuch'] })).rejects.toThrow(/Unknown strategy "nonesuch"\. Must be one of \[frame, mean/);
    await expect(runMatrix({ ...base, models: ['mock:a'], prompts: ['direct', 'shout'], createAnnotator: happyFactory({ count: 0, prompts: [] }) })).rejects.toThrow(
      /Unknown prompt "shout"\. Must be one of \[direct, au-cot, hint\]/,
    );
    await expect(runMatrix({ ...base, taxonomies: ['plutchik'] })).rejects.toThrow(/Unknown taxonomy "plutchik"/);
    await expect(runMatrix({ ...base, models: ['local', 'nope:model'] })).rejects.toThrow(/Unknown model "nope:model"/);
    await expect(runMatrix({ ...base, strategies: ['grid'] })).rejects.toThrow(/No cell of the bench can run: local__grid__-__basic7 \(not run: local reads no grid images \(only frames\); strategy grid needs them\)/);
    const gone = { ...dataset, items: dataset.items.map((item) => ({ ...item, path: join(temp.dir, 'moved', basename(item.path)) })) };
    await expect(runMatrix({ ...base, dataset: gone })).rejects.toThrow(new RegExp(`None of the ${dataset.items.length} clips of .* is on disk \\(e\\.g\\. .*moved`));
    expect(existsSync(outDir)).toBe(false);
  });

  it('skips the cells it knows cannot run (the local model with grid) up front, listing them as failures', async () => {
    const dataset = await getDatasetLoader('folder').load(root);
    const warnings: string[] = [];
    const calls = { count: 0, prompts: [] as unknown[] };
    const factory = happyFactory(calls);
    const createAnnotator = (model: string, settings: AnnotatorSettings) => {
      const annotator = factory(model, settings);
      return model === 'mock:frames-only' ? Object.assign(annotator, { capabilities: { ...annotator.capabilities, layouts: ['frames' as const] } }) : annotator;
    };
    const { report } = await runMatrix({
      dataset, outDir: join(temp.dir, 'out-invalid'), models: ['mock:frames-only'], strategies: ['frame', 'grid'], prompts: ['direct'], taxonomies: ['basic7'], limit: 2,
      createAnnotator, onWarning: (warning) => warnings.push(warning),
    });
    expect(report.cells.map((cell) => cell.name)).toEqual(['mock-frames-only__frame__direct__basic7']);
    expect(report.failures).toEqual([{ name: 'mock-frames-only__grid__direct__basic7', error: expect.stringMatching(/^not run: mock:frames-only reads no grid images \(only frames\)/) }]);
    expect(warnings).toEqual([expect.stringMatching(/^mock-frames-only__grid__direct__basic7: not run/)]);
  });
});
