import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the module at `entry`, with `workerData`. A `.js` module (dist/)
 * is loaded as is. A `.ts` module (the sources, under vitest or tsx) cannot be loaded by Node itself,
 * and Node 20 workers ignore `--import` in `execArgv`, so a one-line ESM bootstrap registers tsx's
 * loader in the worker first, then imports the module.
 */
export function startWorkerThread(entry: URL, workerData: unknown): Worker {
  const execArgv = workerExecArgv(process.execArgv);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData, execArgv });
  const bootstrap = `import { register } from ${JSON.stringify(tsxRegisterUrl())}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData, execArgv });
}

/** Options that only describe the main script; Node refuses to start a worker that inherits them. */
const MAIN_SCRIPT_OPTIONS = new Set(['--input-type', '-e', '--eval', '-p', '--print']);

/**
 * The process's `execArgv` without the options that describe the main script (`node
 * --input-type=module -e '…'` or `node -p`): a worker that inherits them fails to start.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const option = execArgv[index]!;
    const name = option.split('=')[0]!;
    if (!MAIN_SCRIPT_OPTIONS.has(name)) kept.push(option);
    else if (!option.includes('=')) index++;
  }
  return kept;
}

/** A module beside `base` (an `import.meta.url`), with the extension `base` has: `.ts` in the sources, `.js` in dist/. */
export function siblingModule(name: string, base: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(base))}`, base);
}

/** tsx's ESM `register()` module: the `import` target of its `./esm/api` export. */
function tsxRegisterUrl(): string {
  const require = createRequire(import.meta.url);
  let packageJsonPath: string;
  try {
    packageJsonPath = require.resolve('tsx/package.json');
  } catch (error) {
    throw new Error('Worker threads started from the TypeScript sources need tsx (a dev dependency); run the built dist/ or pass workers: 1.', { cause: error });
  }
  const packageJson = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
  const target = packageJson.exports?.['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(packageJsonPath), target)).href;
}
