import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Annotation, AnnotationRequest, Annotator } from '../../src/annotators/annotator.js';
import { type AnnotatorProvider, createAnnotator, createAnnotatorRegistry, listProviders, registerProvider } from '../../src/annotators/annotator-registry.js';
import { runCli } from '../../src/cli/main.js';
import { annotate } from '../../src/pipeline/annotate.js';
import { basic7 } from '../../src/taxonomy/taxonomy.js';
import { captureIo } from '../support/capture-io.js';
import { demoFace } from '../support/demo-faces.js';
import { makeTempDir } from '../support/make-clips.js';
import { createThreadReportingAnnotator } from '../support/thread-reporting-annotator.js';

const DOLLARS_PER_IMAGE = 0.01;

/** A user's provider, registered through the public API: metered, with its own estimate and settings schema. */
function acmeProvider(calls: AnnotationRequest[]): AnnotatorProvider<{ tone?: 'warm' | 'cold' }> {
  return {
    specificationVersion: 'v1',
    name: 'acme',
    description: 'Acme Vision (test provider)',
    defaultModel: 'v1',
    settingsSchema: z.strictObject({ tone: z.enum(['warm', 'cold']).optional() }),
    annotator: (modelId, settings): Annotator => ({
      specificationVersion: 'v1',
      provider: 'acme',
      modelId,
      capabilities: { maxImagesPerRequest: 4, layouts: ['frames'], billing: 'metered' },
      settingsIdentity: { tone: settings.tone ?? 'warm' },
      estimate: (request) => ({ usage: { inputTokens: 100 * request.images.length, outputTokens: 10 }, costUsd: DOLLARS_PER_IMAGE * request.images.length }),
      async annotate(request): Promise<Annotation> {
        calls.push(request);
        return { status: 'ok', label: 'Happy', confidence: 0.8, usage: { inputTokens: 100, outputTokens: 10 }, costUsd: DOLLARS_PER_IMAGE * request.images.length };
      },
    }),
  };
}

describe('a provider registered by a user works like a built-in one', () => {
  const { dir, cleanup } = makeTempDir('emolabel-custom-provider-');
  const calls: AnnotationRequest[] = [];
  beforeAll(() => {
    registerProvider(acmeProvider(calls));
    mkdirSync(join(dir, 'faces'));
    for (const number of [1, 2, 3, 4] as const) copyFileSync(demoFace(number), join(dir, 'faces', `face-${number}.jpg`));
  });
  afterAll(cleanup);

  const annotate = (...extra: string[]) => {
    const io = captureIo(dir);
    return runCli(['annotate', 'faces', '--model', 'acme', '--faces', 'none', '--db', 'runs.db', '--quiet', ...extra], io).then((code) => ({ code, io }));
  };

  it('is listed, and its settings are checked by its own schema', () => {
    expect(listProviders().map((provider) => provider.name)).toContain('acme');
    expect(() => createAnnotator('acme', { tone: 'loud' })).toThrow('Expected `tone` to be');
    expect(() => createAnnotator('acme', { toen: 'warm' })).toThrow(/Unknown setting `toen` for acme:v1; known settings: tone/);
  });

  it('is priced by --dry-run from its own estimate, sending nothing', async () => {
    const { code, io } = await annotate('--dry-run');
    expect(code).toBe(0);
    expect(calls).toHaveLength(0);
    expect(io.out()).toMatch(/Dry run, no request sent: acme:v1, strategy frame, 8 frames, tone warm/);
    expect(io.out()).toMatch(/total \(4 of 4 items\)\s+4\s+4\s+400\s+40\s+\$0\.0400/);
    expect(io.out()).not.toMatch(/free|locally/);
  });

  it('is stopped by --max-cost, resumed with a higher one, and a repeat is answered by the cache', async () => {
    const stopped = await annotate('--max-cost', '0.025');
    expect(stopped.code).toBe(4);
    expect(stopped.io.err()).toMatch(/stopped after 2\/4 items: Budget reached: \$0\.0200 spent of --max-cost \$0\.0250/);
    expect(calls).toHaveLength(2);
    const runId = /resume with: emolabel annotate --resume (\S+)/.exec(stopped.io.err())?.[1] ?? '';

    const resumed = await runCli(['annotate', '--resume', runId, '--max-cost', '1', '--db', 'runs.db', '--quiet'], captureIo(dir));
    expect(resumed).toBe(0);
    // Nothing paid twice: the two labelled items are not asked again.
    expect(calls).toHaveLength(4);

    const again = await annotate('--no-cache');
    expect(again.code).toBe(0);
    expect(calls).toHaveLength(8);
    const cached = await annotate();
    expect(cached.code).toBe(0);
    expect(calls).toHaveLength(8);
  });
});

describe('a user\'s annotator that can be rebuilt in a worker thread runs there, like the local model', () => {
  it('labels whole items on the workers when it declares capabilities.worker', async () => {
    registerProvider({
      specificationVersion: 'v1', name: 'threads', description: 'reports its thread (test provider)', defaultModel: 'v1',
      settingsSchema: z.strictObject({ label: z.string().optional() }),
      annotator: (_modelId, settings) => createThreadReportingAnnotator(settings),
    });
    const { results } = await annotate([demoFace(1), demoFace(2), demoFace(3), demoFace(4)], { model: 'threads', annotatorSettings: { label: 'Happy' }, workers: 2, concurrency: 2 });
    const labelled = results.filter((result) => result.status === 'ok');
    expect(labelled.length).toBeGreaterThan(0);
    for (const result of labelled) {
      expect(result.label).toBe('Happy');
      // The main thread is thread 0: these answers came from worker threads, rebuilt with the same settings.
      expect(result.rationale).toMatch(/^thread [1-9]\d*$/);
    }
  });
});

describe('registries are values', () => {
  it('a registry of its own knows only its providers, and names them for an unknown id', () => {
    const registry = createAnnotatorRegistry([acmeProvider([])]);
    expect(registry.resolve('acme')).toMatchObject({ modelId: 'v1', id: 'acme:v1' });
    expect(() => registry.createAnnotator('openai:gpt-4o-mini')).toThrow('Unknown model "openai:gpt-4o-mini". Use provider:model with a provider of [acme]');
  });

  it('built-in settings are strict: a typo fails naming it instead of changing the cache key', () => {
    expect(() => createAnnotator('openai:gpt-4o-mini', { detial: 'high' })).toThrow(/Unknown setting `detial` for openai:gpt-4o-mini/);
    expect(() => createAnnotator('local', { prompt: 'direct' })).toThrow(/Unknown setting `prompt` for local:face-api/);
  });

  it('a bare provider id gets its default model once, so the budget estimates it (not $0)', () => {
    const face = { data: Buffer.alloc(64 * 64 * 3), width: 64, height: 64 };
    const annotator = createAnnotator('openai');
    expect(annotator.modelId).toBe('gpt-4o-mini');
    expect(annotator.estimate?.({ images: [face], taxonomy: basic7 }).costUsd).toBeGreaterThan(0);
  });
});
