import type Database from 'better-sqlite3';
import { EmolabelError } from '../errors.js';
import { type Migration, MIGRATIONS } from './migrations.js';

/** What {@link migrateDatabase} did: the schema version it found and the one the store has now. */
export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

function readVersion(database: Database.Database): number {
  return database.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(database: Database.Database, version: number, latest: number): void {
  if (version <= latest) return;
  throw new EmolabelError(
    'invalid_input',
    `${database.name} is a run store of schema version ${version}, written by a newer emolabel; this emolabel reads schema versions up to ${latest}. ` +
      'Upgrade emolabel (npm install emolabel@latest) to open it, or choose another store with --db.',
    { path: database.name },
  );
}

/**
 * Brings a store up to the latest schema: applies, in order and in one transaction, every migration
 * above its `user_version`, and records the new version. A store already at the latest version is
 * left untouched; one of a newer version (a newer emolabel wrote it) is refused, naming the file.
 * `migrations` is for tests: stores are always migrated with {@link MIGRATIONS}.
 * @example
 * migrateDatabase(new Database('.emolabel/emolabel.db')); // { from: 1, to: 2 }
 */
export function migrateDatabase(database: Database.Database, migrations: readonly Migration[] = MIGRATIONS): MigrationOutcome {
  const latest = migrations.at(-1)?.version ?? 0;
  const found = readVersion(database);
  refuseNewer(database, found, latest);
  if (found === latest) return { from: found, to: latest };
  // IMMEDIATE takes the write lock before the version is read again: two processes opening an old
  // store at once (a run and the review server) migrate it once, the second finding it done.
  return database.transaction((): MigrationOutcome => {
    const from = readVersion(database);
    refuseNewer(database, from, latest);
    for (const migration of migrations.filter((step) => step.version > from)) {
      try {
        migration.up(database);
      } catch (error) {
        throw new EmolabelError(
          'invalid_input',
          `Cannot upgrade the run store ${database.name} from schema version ${from} to ${latest}: step ${migration.version} (${migration.description}) failed: ${(error as Error).message}. ` +
            'The store was left as it was; open it with the emolabel that wrote it, or choose another store with --db.',
          { cause: error, path: database.name },
        );
      }
      database.pragma(`user_version = ${migration.version}`);
    }
    return { from, to: latest };
  }).immediate();
}
