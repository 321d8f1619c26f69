import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { EmolabelError } from '../../src/errors.js';
import { migrateDatabase } from '../../src/store/migrate-database.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/migrations.js';
import { openDatabase } from '../../src/store/open-database.js';
import { RunStore } from '../../src/store/run-store.js';
import { makeTempDir } from '../support/make-clips.js';

const { dir, cleanup } = makeTempDir('emolabel-migrations-');
afterAll(cleanup);

/** The store's schema as SQLite keeps it: every table and index with its SQL. */
function schemaOf(database: Database.Database): Array<{ name: string; sql: string }> {
  return database.prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").all() as Array<{ name: string; sql: string }>;
}

function versionOf(file: string): number {
  const database = new Database(file, { readonly: true });
  try {
    return database.pragma('user_version', { simple: true }) as number;
  } finally {
    database.close();
  }
}

describe('numbered migrations', () => {
  it('are numbered 1, 2, … in order, and the latest is the last one', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('give a fresh store the latest version and every table', () => {
    const file = join(dir, 'fresh.db');
    const store = RunStore.open(file);
    const tables = schemaOf(store.database).map((entry) => entry.name);
    store.close();
    expect(versionOf(file)).toBe(LATEST_SCHEMA_VERSION);
    expect(tables).toEqual(expect.arrayContaining(['runs', 'items', 'results', 'requests', 'response_cache', 'reviews', 'review_history']));
  });

  it('leave a store already at the latest version as it is when run again', () => {
    const database = openDatabase(join(dir, 'twice.db'));
    try {
      const before = schemaOf(database);
      expect(migrateDatabase(database)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
      expect(schemaOf(database)).toEqual(before);
      expect(database.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      database.close();
    }
  });

  it('refuse a store of a newer version, naming the file and its version and saying to upgrade emolabel', () => {
    const file = join(dir, 'newer.db');
    RunStore.open(file).close();
    const newer = new Database(file);
    newer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    newer.close();
    let error: unknown;
    try {
      RunStore.open(file).close();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(EmolabelError);
    expect((error as EmolabelError).path).toBe(file);
    expect((error as EmolabelError).message).toBe(
      `${file} is a run store of schema version ${LATEST_SCHEMA_VERSION + 1}, written by a newer emolabel; this emolabel reads schema versions up to ${LATEST_SCHEMA_VERSION}. ` +
        'Upgrade emolabel (npm install emolabel@latest) to open it, or choose another store with --db.',
    );
    // Refused, not touched.
    expect(versionOf(file)).toBe(LATEST_SCHEMA_VERSION + 1);
  });

  it('leave the store as it was when a step fails: no table of an earlier step, no new version', () => {
    const file = join(dir, 'failing.db');
    const database = new Database(file);
    try {
      const failing = { version: 2, description: 'a broken step', up: (target: Database.Database) => target.exec('CREATE TABLE half_done (a); ALTER TABLE missing ADD COLUMN b') };
      expect(() => migrateDatabase(database, [MIGRATIONS[0]!, failing])).toThrow(
        new RegExp(`^Cannot upgrade the run store ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from schema version 0 to 2: step 2 \\(a broken step\\) failed: no such table: missing\\. The store was left as it was`),
      );
      expect(database.pragma('user_version', { simple: true })).toBe(0);
      expect(schemaOf(database)).toEqual([]);
    } finally {
      database.close();
    }
  });
});
