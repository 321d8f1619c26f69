// Docs that cannot drift, examples: every ```sh or ```ts block marked `<!-- runnable -->` in
// README.md or docs/ runs as written, each in a fresh temporary folder that holds `node_modules`
// (the demo faces) and `faces-dev` (../shared's, when present), with `emolabel` / `npx emolabel`
// running this checkout's sources and a stand-in OpenAI-compatible server answering where an
// example names Ollama's address. A ```console block right after a runnable block is its output:
// each of its lines (`…` lines aside, run ids and the run's timing normalised) must appear in what
// the block printed. The conventions are in docs/architecture.md, "Where a change goes".
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, readDocs, REPO_ROOT, type CodeBlock } from '../support/doc-examples.js';
import { facesDevRoot } from '../support/faces-dev.js';
import { startFakeOpenAiServer } from '../support/fake-openai-server.js';
import { makeTempDir } from '../support/make-clips.js';

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const OLLAMA_BASE_URL = 'http://127.0.0.1:11434/v1';
const blocks = readDocs().flatMap(codeBlocks).filter((block) => block.runnable);
const FACES_DEV = existsSync(join(facesDevRoot(), 'labels.csv')) ? facesDevRoot() : undefined;
const cleanups: (() => void)[] = [];

function workspace(): string {
  const { dir, cleanup } = makeTempDir('emolabel-doc-example-');
  cleanups.push(cleanup);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (FACES_DEV) symlinkSync(FACES_DEV, join(dir, 'faces-dev'));
  mkdirSync(join(dir, '.bin'));
  const shim = join(dir, '.bin', 'emolabel');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" --import ${TSX_LOADER} "${join(REPO_ROOT, 'test/support/cli-entry.ts')}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

/** A TypeScript example imports `emolabel` and `emolabel/<name>` as a user would; point them at src/. */
function fromSources(source: string): string {
  return source.replace(/from 'emolabel(?:\/([a-z-]+))?'/g, (_, name?: string) =>
    `from '${pathToFileURL(join(REPO_ROOT, 'src', name ? `public-exports/${name}.ts` : 'index.ts')).href}'`);
}

function normalise(text: string): string {
  return text.replace(/r\d{8}-\d{4}-[0-9a-f]{6}/g, 'RUN').replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/g, 'DATE').replace(/\/\S*\/faces-dev\//g, '/…/faces-dev/').trimEnd();
}

function spawned(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  // Asynchronous: the stand-in provider answers from this process while the example runs.
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

function run(block: CodeBlock, baseUrl: string): Promise<{ status: number | null; output: string }> {
  const dir = workspace();
  const env = { PATH: `${join(dir, '.bin')}:${process.env.PATH}`, HOME: dir, EMOLABEL_DEBUG: '', NO_COLOR: '1' };
  if (block.lang === 'ts') {
    writeFileSync(join(dir, 'example.mts'), fromSources(block.text));
    return spawned(process.execPath, ['--import', TSX_LOADER, 'example.mts'], dir, env);
  }
  const prelude = 'set -e\nnpx() { if [ "$1" = emolabel ]; then shift; emolabel "$@"; else command npx "$@"; fi; }\n';
  return spawned('bash', ['-c', prelude + block.text.replaceAll(OLLAMA_BASE_URL, baseUrl)], dir, env);
}

describe('runnable examples in README.md and docs/', () => {
  let server: Awaited<ReturnType<typeof startFakeOpenAiServer>>;
  beforeAll(async () => {
    server = await startFakeOpenAiServer({ label: 'Happy' });
  });
  afterAll(async () => {
    await server?.close();
    for (const cleanup of cleanups) cleanup();
  });

  it('are marked (README quick start, an LLM dry run, a local server, a library example)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.every((block) => ['sh', 'ts'].includes(block.lang)), 'runnable blocks are ```sh or ```ts').toBe(true);
  });

  for (const block of blocks) {
    const name = `${block.file}:${block.line} (${block.lang}) ${block.text.split('\n').find((line) => line.trim() && !line.startsWith('#') && !line.startsWith('//') && !line.startsWith('import'))?.slice(0, 60)}`;
    const needsFacesDev = /faces-dev/.test(block.text);
    if (needsFacesDev && !FACES_DEV) console.warn(`Skipping ${name}: faces-dev is not at ${facesDevRoot()} (set EMOLABEL_FACES_DEV)`);
    it.skipIf(needsFacesDev && !FACES_DEV)(name, async () => {
      const { status, output } = await run(block, server.url);
      expect(status, output).toBe(0);
      if (block.output === undefined) return;
      const printed = normalise(output).split('\n').map((line) => line.trimEnd());
      const expected = block.output.split('\n').map(normalise).filter((line) => line.trim() !== '' && !line.includes('…'));
      expect(expected.filter((line) => !printed.includes(line)), `lines of the console block after ${block.file}:${block.line} that the example did not print; it printed:\n${output}`).toEqual([]);
    }, 180_000);
  }
});
