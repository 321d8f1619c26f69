import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as emolabel from '../src/index.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  exports: Record<string, { types: string; import: string } | string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

/** The most names the main entry may export; past it, put the new names at a subpath. */
const MAIN_ENTRY_LIMIT = 70;
/** The subpaths and the file under src/ each is built from (tsconfig.build.json compiles src/ to dist/ as it is). */
const SUBPATHS = ['eval', 'llm', 'runs', 'pipeline', 'review', 'matrix', 'cli', 'test'];

/** `export { name } from '…';` or `export type { name } from '…';`: the one shape src/index.ts uses, a name a line. */
const EXPORT_LINE = /^export (type )?\{ (\w+) \} from '\.\/[\w/-]+\.js';$/;

describe('the main entry (src/index.ts)', () => {
  const lines = read('src/index.ts').split('\n');
  const exportLines = lines.map((line, index) => ({ line, index })).filter(({ line }) => line.startsWith('export'));
  const names = exportLines.map(({ line }) => EXPORT_LINE.exec(line)?.[2]);

  it(`exports one name a line, each under a JSDoc line, fewer than ${MAIN_ENTRY_LIMIT} in all`, () => {
    expect(exportLines.filter(({ line }) => !EXPORT_LINE.test(line)).map(({ line }) => line)).toEqual([]);
    expect(exportLines.filter(({ index }) => !/^\/\*\*.*\*\/$/.test(lines[index - 1] ?? '')).map(({ line }) => line)).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThan(MAIN_ENTRY_LIMIT);
  });

  it('exports at run time exactly its value lines', () => {
    const values = exportLines.filter(({ line }) => !line.startsWith('export type')).map(({ line }) => EXPORT_LINE.exec(line)?.[2]);
    expect(Object.keys(emolabel).sort()).toEqual(values.sort());
  });
});

describe('package.json exports', () => {
  it('maps the entry and each subpath to dist/ (types first), built from a file under src/', () => {
    expect(Object.keys(packageJson.exports)).toEqual(['.', ...SUBPATHS.map((subpath) => `./${subpath}`), './package.json']);
    for (const [subpath, target] of Object.entries(packageJson.exports)) {
      if (subpath === './package.json') continue;
      const source = subpath === '.' ? 'src/index.ts' : `src/public-exports/${subpath.slice(2)}.ts`;
      const built = source.replace(/^src\//, './dist/').replace(/\.ts$/, '');
      expect(target).toEqual({ types: `${built}.d.ts`, import: `${built}.js` });
      expect(Object.keys(target)[0]).toBe('types');
      expect(existsSync(new URL(source, root)), source).toBe(true);
    }
    const build = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string }; include: string[] };
    expect(build).toMatchObject({ compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] });
  });

  it.each(SUBPATHS)('emolabel/%s loads and exports something', async (subpath) => {
    const entry = (await import(`../src/public-exports/${subpath}.ts`)) as Record<string, unknown>;
    expect(Object.keys(entry).length).toBeGreaterThan(0);
  });

  it('asks for vitest, which emolabel/test uses, as an optional peer dependency', () => {
    expect(packageJson.peerDependencies?.vitest).toBe(packageJson.devDependencies.vitest);
    expect(packageJson.peerDependenciesMeta?.vitest?.optional).toBe(true);
  });
});
