import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { demoFace } from './support/demo-faces.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./support/loaded-modules/label-with-local-model.mjs', import.meta.url));
const entry = new URL('../src/index.ts', import.meta.url).href;

describe('the library loads only what a job uses', () => {
  it('importing emolabel and labelling an image with the local model loads no provider SDK', async () => {
    const { stdout } = await run(process.execPath, [child, entry, demoFace(2)], { maxBuffer: 64 * 1024 * 1024 });
    const { status, label, loaded } = JSON.parse(stdout) as { status: string; label?: string; loaded: string[] };
    expect(status).toBe('ok');
    expect(label).toBeTypeOf('string');
    // The hook sees what loads: our own modules and the packages they import (sharp decodes the image).
    expect(loaded.some((url) => url.includes('/node_modules/sharp/'))).toBe(true);
    expect(loaded.some((url) => url.endsWith('/src/annotators/llm/openai-annotator.ts'))).toBe(true);
    const sdks = loaded.filter((url) => /\/node_modules\/(openai|@anthropic-ai\/sdk|@google\/genai)\//.test(url));
    expect(sdks).toEqual([]);
  });
});
