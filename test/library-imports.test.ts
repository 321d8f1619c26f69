import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { demoFace } from './support/demo-faces.js';
import { packagesOf } from './support/loaded-modules/packages-of.js';

const run = promisify(execFile);
const childScript = (name: string) => fileURLToPath(new URL(`./support/loaded-modules/${name}`, import.meta.url));
const entry = new URL('../src/index.ts', import.meta.url).href;
const subpathEntry = (subpath: string) => new URL(`../src/public-exports/${subpath}.ts`, import.meta.url).href;

/** The modules a fresh Node process loads to import `entryUrl`, and the entry's runtime exports. */
async function importInChild(entryUrl: string): Promise<{ exports: string[]; packages: Set<string> }> {
  const { stdout } = await run(process.execPath, [childScript('import-entry.mjs'), entryUrl], { maxBuffer: 64 * 1024 * 1024 });
  const { exports, loaded } = JSON.parse(stdout) as { exports: string[]; loaded: string[] };
  return { exports, packages: packagesOf(loaded) };
}

/** What a library user labelling media never needs: the CLI, the review web server, charts, provider SDKs, the test runner. */
const HEAVY = ['commander', 'cli-progress', 'hono', '@hono/node-server', 'vega', 'vega-lite', 'openai', '@anthropic-ai/sdk', '@google/genai', 'vitest'];

describe('the library loads only what a job uses', () => {
  it('importing emolabel and labelling an image with the local model loads no provider SDK', async () => {
    const { stdout } = await run(process.execPath, [childScript('label-with-local-model.mjs'), entry, demoFace(2)], { maxBuffer: 64 * 1024 * 1024 });
    const { status, label, loaded } = JSON.parse(stdout) as { status: string; label?: string; loaded: string[] };
    expect(status).toBe('ok');
    expect(label).toBeTypeOf('string');
    // The hook sees what loads: our own modules and the packages they import (sharp decodes the image).
    expect(loaded.some((url) => url.includes('/node_modules/sharp/'))).toBe(true);
    expect(loaded.some((url) => url.endsWith('/src/annotators/llm/openai-annotator.ts'))).toBe(true);
    const sdks = loaded.filter((url) => /\/node_modules\/(openai|@anthropic-ai\/sdk|@google\/genai)\//.test(url));
    expect(sdks).toEqual([]);
  });

  it('importing emolabel loads no CLI (commander), review server (hono), charts (vega), provider SDK or vitest', async () => {
    const { exports, packages } = await importInChild(entry);
    expect(exports).toContain('annotate');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  it('importing emolabel/eval loads no CLI, review server or charts either', async () => {
    const { exports, packages } = await importInChild(subpathEntry('eval'));
    expect(exports).toContain('evaluatePredictions');
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
  });

  it('the child sees those packages when an entry does load them: emolabel/cli loads commander, and its commands\' servers and charts only when they run', async () => {
    const { exports, packages } = await importInChild(subpathEntry('cli'));
    expect(exports).toEqual(['runCli']);
    expect(HEAVY.filter((name) => packages.has(name))).toEqual(['commander']);
  });
});
