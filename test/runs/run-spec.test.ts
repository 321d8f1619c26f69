import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunSpec, runFingerprint, runSpecOf } from '../../src/runs/run-spec.js';
import { makeTempDir } from '../support/make-clips.js';

describe('RunSpec: what a run is, stored and fingerprinted', () => {
  const { dir, cleanup } = makeTempDir('emolabel-run-spec-');
  afterAll(cleanup);

  it('is strict: an unknown field fails naming it', () => {
    expect(() => parseRunSpec({ inputs: [], model: 'local', strategy: 'frame', taxonomy: 'basic7', concurrency: 4 }, 'spec.json'))
      .toThrow('spec.json is not a valid run spec (unknown field `concurrency`).');
    expect(() => parseRunSpec({ inputs: [], model: 'local', strategy: 'frame', taxonomy: 'basic7', frames: 0 }, 'spec.json')).toThrow(/`frames`/);
  });

  it('keeps no session settings: env (which may hold keys) never reaches the spec', () => {
    const spec = runSpecOf(['/data/clips'], { model: 'openai:gpt-4o-mini', annotatorSettings: { prompt: 'au-cot', env: { OPENAI_API_KEY: 'sk-secret' } } });
    expect(spec).toEqual({ inputs: ['/data/clips'], model: 'openai:gpt-4o-mini', strategy: 'frame', taxonomy: 'basic7', annotatorSettings: { prompt: 'au-cot' } });
    expect(JSON.stringify(spec)).not.toContain('sk-secret');
  });

  it('hashes as emolabel 0.1 hashed its runs, so their unfinished runs are found again', () => {
    const spec = runSpecOf(['/data/clips'], { model: 'openai:gpt-4o-mini', strategy: 'multi', frames: 8, faces: 'largest', faceMargin: 0.1, annotatorSettings: { prompt: 'direct', detail: 'low' } });
    // 0.1's formula (run-fingerprint.ts): the stored options in their order, settings sorted.
    const { inputs, annotatorSettings, ...options } = spec;
    const legacy = createHash('sha256').update(JSON.stringify({ inputs, ...options, annotatorSettings: { detail: 'low', prompt: 'direct' } })).digest('hex').slice(0, 32);
    expect(runFingerprint(spec)).toBe(legacy);
    expect(runFingerprint({ ...spec, annotatorSettings: { prompt: 'direct', detail: 'low' } })).toBe(legacy);
    expect(runFingerprint({ ...spec, frames: 4 })).not.toBe(legacy);
  });

  it("keeps a manifest's named columns, which only a spec with a manifest may name", () => {
    const spec = runSpecOf([], { manifest: '/data/m.csv', manifestPathColumn: 'clip', manifestIdColumn: 'name' });
    expect(spec).toMatchObject({ manifest: '/data/m.csv', manifestPathColumn: 'clip', manifestIdColumn: 'name' });
    expect(parseRunSpec(JSON.parse(JSON.stringify(spec)), 'the stored run')).toEqual(spec);
    const detected = runSpecOf([], { manifest: '/data/m.csv' });
    expect(Object.keys(detected)).not.toContain('manifestPathColumn');
    expect(runFingerprint(spec)).not.toBe(runFingerprint(detected));
    expect(runFingerprint(runSpecOf([], { manifest: '/data/m.csv', manifestPathColumn: 'clip' }))).not.toBe(runFingerprint(spec));
    expect(() => runSpecOf(['/data/a.jpg'], { manifestIdColumn: 'name' })).toThrow('`manifestIdColumn` names a column of the manifest: give a manifest too.');
  });

  it('an edited taxonomy file is another run', () => {
    const file = join(dir, 'arousal.json');
    const taxonomy = (low: string) => JSON.stringify({
      name: 'arousal', labels: [{ name: 'high' }, { name: low }],
      fromBasic: { Angry: 'high', Disgust: low, Fear: 'high', Happy: 'high', Neutral: low, Sad: low, Surprise: 'high' },
    });
    writeFileSync(file, taxonomy('low'));
    const before = runSpecOf([dir], { taxonomy: file });
    expect(before).toMatchObject({ taxonomy: 'arousal', taxonomyFile: file, taxonomySha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    writeFileSync(file, taxonomy('calm'));
    expect(runFingerprint(runSpecOf([dir], { taxonomy: file }))).not.toBe(runFingerprint(before));
  });
});
