import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DATASET_KINDS } from '../../src/datasets/built-in-dataset-kinds.js';
import { listDatasetLoaders } from '../../src/datasets/dataset-registry.js';
import { packagesOf } from '../support/loaded-modules/packages-of.js';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('../support/loaded-modules/run-cli.mjs', import.meta.url));
const cliEntry = new URL('../../src/cli/main.ts', import.meta.url).href;

interface CliInChild {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly loaded: string[];
  readonly packages: Set<string>;
}

/** Runs the CLI on `argv` in a fresh Node process and returns what it printed and every module it loaded. */
async function runCliInChild(argv: readonly string[]): Promise<CliInChild> {
  const { stdout } = await run(process.execPath, [childScript, cliEntry, ...argv], { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as Omit<CliInChild, 'packages'>;
  return { ...result, packages: packagesOf(result.loaded) };
}

/** What printing help, the version or a usage error never needs: models, media, SDKs, databases, servers, queues, charts. */
const HEAVY = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-core',
  '@vladmandic/face-api',
  'sharp',
  '@ffmpeg-installer/ffmpeg',
  '@ffprobe-installer/ffprobe',
  'openai',
  '@anthropic-ai/sdk',
  '@google/genai',
  '@pydantic/genai-prices',
  'better-sqlite3',
  'bullmq',
  'ioredis',
  'hono',
  '@hono/node-server',
  'fast-xml-parser',
  'vega',
  'vega-lite',
  'cli-progress',
  'csv-parse',
  'csv-stringify',
  'p-queue',
];

describe('emolabel starts without loading what a command does not use', () => {
  it('--help lists the commands and loads nothing heavy', async () => {
    const result = await runCliInChild(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('annotate');
    expect(result.stdout).toContain('worker');
    expect(result.packages.has('commander')).toBe(true);
    expect(HEAVY.filter((name) => result.packages.has(name))).toEqual([]);
  });

  it('--version prints the version and loads nothing heavy', async () => {
    const result = await runCliInChild(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(HEAVY.filter((name) => result.packages.has(name))).toEqual([]);
  });

  it('annotate --help shows its options and defaults and loads nothing heavy', async () => {
    const result = await runCliInChild(['annotate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--model');
    expect(result.stdout).toContain('.emolabel/emolabel.db');
    expect(HEAVY.filter((name) => result.packages.has(name))).toEqual([]);
  });

  it('every command\'s --help loads nothing heavy', async () => {
    const commands = ['runs', 'batches', 'export', 'import-batch', 'review', 'label-studio-backend', 'eval', 'dataset', 'bench', 'models', 'worker'];
    for (const command of commands) {
      const result = await runCliInChild([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(HEAVY.filter((name) => result.packages.has(name)), command).toEqual([]);
    }
  });

  it('a usage error (annotate without inputs, an unknown option) exits 2 and loads nothing heavy', async () => {
    for (const argv of [['annotate'], ['annotate', 'a.jpg', '--no-such-flag'], ['no-such-command']]) {
      const result = await runCliInChild(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).not.toBe('');
      expect(HEAVY.filter((name) => result.packages.has(name)), argv.join(' ')).toEqual([]);
    }
  });

  it('the recorder sees heavy packages when a command does load them (runs opens the SQLite store)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'emolabel-startup-'));
    try {
      const result = await runCliInChild(['runs', '--json', '--db', join(folder, 'runs.db')]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([]);
      expect(result.packages.has('better-sqlite3')).toBe(true);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('dataset --help lists the built-in dataset layouts as the registry describes them', async () => {
    const result = await runCliInChild(['dataset', '--help']);
    const described = listDatasetLoaders().map((loader) => `${loader.kind} (${loader.description})`).join('; ');
    expect(BUILT_IN_DATASET_KINDS).toBe(described);
    expect(result.stdout.replace(/\s+/g, ' ')).toContain('folder (root/<Label>/');
  });
});
