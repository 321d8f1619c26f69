// The emolabel version: one source (package.json) for `--version` and the run store, which records
// the version that created each run beside its fingerprint, not in it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { runFingerprint, runSpecOf } from '../../src/runs/run-spec.js';
import { RunStore } from '../../src/store/run-store.js';
import { EMOLABEL_VERSION } from '../../src/version.js';
import { captureIo } from '../support/capture-io.js';
import { makeTempDir } from '../support/make-clips.js';

const packageVersion = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

describe('the emolabel version', () => {
  const { dir, cleanup } = makeTempDir('emolabel-version-');
  afterAll(cleanup);

  it('is package.json\'s, and `emolabel --version` prints it', async () => {
    expect(EMOLABEL_VERSION).toBe(packageVersion);
    const io = captureIo(dir);
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.out().trim()).toBe(packageVersion);
  });

  it('is stored with every run it creates, shown by `emolabel runs --json`, and leaves the fingerprint alone', async () => {
    const spec = runSpecOf([join(dir, 'faces')], { model: 'local' });
    const fingerprint = runFingerprint(spec);
    expect(JSON.stringify(spec)).not.toContain(packageVersion);
    const store = RunStore.open(join(dir, 'runs.db'));
    const { inputs, ...options } = spec;
    const run = store.createRun({ fingerprint, inputs, options, model: 'local:face-api', strategy: spec.strategy, taxonomy: spec.taxonomy, labels: [] });
    expect(store.getRun(run.id)).toMatchObject({ emolabelVersion: packageVersion, fingerprint: runFingerprint(spec) });
    expect(store.findUnfinishedRun(fingerprint)?.id).toBe(run.id);
    store.close();
    const io = captureIo(dir);
    expect(await runCli(['runs', '--db', 'runs.db', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject([{ id: run.id, emolabelVersion: packageVersion }]);
  });
});
