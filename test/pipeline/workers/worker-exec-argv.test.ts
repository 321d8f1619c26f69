// Worker threads start under `node --input-type=module -e '…'` (a library user's one-liner): the
// options that describe the main script are not handed to the workers, which Node would refuse.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../../../src/pipeline/workers/start-worker-thread.js';
import { demoFace } from '../../support/demo-faces.js';
import { makeTempDir } from '../../support/make-clips.js';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('worker threads and the main script\'s options', () => {
  it('leave out --input-type, -e/--eval and -p/--print with their values, and keep the rest', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'code'])).toEqual([]);
    expect(workerExecArgv(['--import', 'tsx', '--input-type', 'module', '--eval', 'code', '--max-old-space-size=4096'])).toEqual(['--import', 'tsx', '--max-old-space-size=4096']);
    expect(workerExecArgv(['-p', 'code', '--enable-source-maps'])).toEqual(['--enable-source-maps']);
  });

  it('start a built (.js) worker from `node --input-type=module -e`, and label faces on two workers there', async () => {
    const { dir, cleanup } = makeTempDir('emolabel-worker-argv-');
    try {
      writeFileSync(join(dir, 'echo-worker.js'), "import { parentPort } from 'node:worker_threads'; parentPort.postMessage('started');\n");
      const source = (file: string) => JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../../src', file)).href);
      const code = `const { startWorkerThread } = await import(${source('pipeline/workers/start-worker-thread.ts')});
        const worker = startWorkerThread(new URL(${JSON.stringify(pathToFileURL(join(dir, 'echo-worker.js')).href)}), {});
        console.log(await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', (error) => resolve(error.message)); }));
        await worker.terminate();
        const { annotate } = await import(${source('index.ts')});
        const { results } = await annotate([${JSON.stringify(demoFace(3))}, ${JSON.stringify(demoFace(1))}], { workers: 2, concurrency: 2 });
        console.log(JSON.stringify(results.map((result) => [result.status, result.label, result.error])));`;
      const child = spawn(process.execPath, ['--import', TSX_LOADER, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const status = await new Promise((resolve) => child.on('close', resolve));
      expect(status, output).toBe(0);
      const lines = output.trim().split('\n');
      expect(lines[0]).toBe('started');
      expect(JSON.parse(lines.at(-1)!)).toEqual([['ok', 'Happy', null], ['ok', 'Happy', null]]);
    } finally {
      cleanup();
    }
  }, 120_000);
});
