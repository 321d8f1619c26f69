import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sourceRoot = join(repoRoot, 'src');
const storeRoot = join(sourceRoot, 'store');

/**
 * What counts as talking to the database: the driver itself, a prepared statement, a handle's
 * `exec`/`pragma`/`transaction`, or SQL text. `RegExp.prototype.exec` (`/…/.exec(text)`) does not.
 */
const DATABASE_USE: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'imports better-sqlite3', pattern: /from\s+['"]better-sqlite3['"]|require\(['"]better-sqlite3['"]\)/ },
  { name: 'prepares a statement', pattern: /\.prepare\(/ },
  { name: 'calls the database handle', pattern: /\b(?:database|db)\.(?:exec|pragma|transaction|backup|serialize)\(/ },
  { name: 'holds SQL', pattern: /\b(?:SELECT\s+[\w*(]|INSERT\s+(?:OR\s+\w+\s+)?INTO\s|DELETE\s+FROM\s|UPDATE\s+\w+\s+SET\s|(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX)\s)/ },
];

/** `file:line: what` for every line of `text` that uses the database. */
function findDatabaseUse(text: string, file: string): string[] {
  return text.split('\n').flatMap((line, index) =>
    DATABASE_USE.filter(({ pattern }) => pattern.test(line)).map(({ name }) => `${file}:${index + 1}: ${name}: ${line.trim()}`));
}

function listSourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return path === storeRoot ? [] : listSourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('all SQL lives in src/store', () => {
  it('no file of src/ outside src/store prepares statements, calls the database or holds SQL', () => {
    const files = listSourceFiles(sourceRoot);
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) => findDatabaseUse(readFileSync(file, 'utf8'), relative(repoRoot, file)));
    expect(offenders, 'move these into a repository under src/store/').toEqual([]);
  });

  it('the check flags database use and passes regular-expression exec and prose', () => {
    expect(findDatabaseUse("const row = store.database.prepare('SELECT id FROM runs').get();", 'a.ts')).toEqual([
      "a.ts:1: prepares a statement: const row = store.database.prepare('SELECT id FROM runs').get();",
      "a.ts:1: holds SQL: const row = store.database.prepare('SELECT id FROM runs').get();",
    ]);
    expect(findDatabaseUse("import Database from 'better-sqlite3';", 'a.ts')).toHaveLength(1);
    expect(findDatabaseUse('this.database.transaction(() => {})();', 'a.ts')).toHaveLength(1);
    expect(findDatabaseUse("database.pragma('user_version = 2');", 'a.ts')).toHaveLength(1);
    expect(findDatabaseUse("const sql = 'UPDATE runs SET labels = ? WHERE id = ?';", 'a.ts')).toHaveLength(1);
    expect(findDatabaseUse('const match = /^## (.+)$/.exec(line);', 'a.ts')).toEqual([]);
    expect(findDatabaseUse("if (target.tagName === 'SELECT') return;", 'a.ts')).toEqual([]);
  });
});
