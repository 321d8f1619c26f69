import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_DB_PATH } from './default-db-path.js';
import { EmolabelError } from '../errors.js';
import { migrateDatabase } from './migrate-database.js';
import { storeFailureOf } from './store-error.js';

export { DEFAULT_DB_PATH };

/**
 * Opens (creating when needed) the SQLite run store at `path` and brings its schema up to date
 * (see {@link migrateDatabase}): a store an older emolabel wrote is upgraded in place, one a newer
 * emolabel wrote is refused. WAL journaling lets a review server read while a run writes;
 * `synchronous = NORMAL` in WAL mode keeps every committed transaction across a process crash.
 */
export function openDatabase(path: string = DEFAULT_DB_PATH): Database.Database {
  const file = resolve(path);
  let database: Database.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    migrateDatabase(database);
    return database;
  } catch (error) {
    database?.close();
    if (error instanceof EmolabelError) throw error;
    const failure = storeFailureOf(error, file, 'open');
    if (failure !== error) throw failure;
    throw new EmolabelError('invalid_input', `Cannot open the run store ${file}: ${(error as Error).message}. Choose another path with --db.`, { cause: error, path: file });
  }
}
