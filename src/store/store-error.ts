import { EmolabelError } from '../errors.js';

/** What each SQLite failure means to a user, and what to do about it (by the error code's prefix). */
const STORE_FAILURES: readonly { readonly codes: readonly string[]; readonly says: string; readonly todo: string }[] = [
  { codes: ['SQLITE_FULL'], says: 'the disk is full (or the store reached its size limit)', todo: 'free some space, or move the store elsewhere (--db)' },
  { codes: ['SQLITE_IOERR'], says: 'the disk reported an I/O error', todo: 'check the disk; a network filesystem that lacks file locks cannot hold a store: use a local path (--db)' },
  { codes: ['SQLITE_CORRUPT', 'SQLITE_NOTADB'], says: 'the file is damaged or is not an emolabel store', todo: 'keep a copy, try `sqlite3 <file> .recover`, or start a new store (--db)' },
  { codes: ['SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_AUTH'], says: 'the file or its folder is read-only', todo: 'make it writable, or choose another store (--db)' },
  { codes: ['SQLITE_BUSY', 'SQLITE_LOCKED'], says: 'another process held it locked for too long', todo: 'wait for that process (a review server or another annotate) to finish, then run the same command again' },
  { codes: ['SQLITE_CANTOPEN'], says: 'the file cannot be opened', todo: 'check the path and its folder\'s permissions, or choose another (--db)' },
];

/** better-sqlite3's `SqliteError`: an Error whose `code` is SQLite's extended code name (`SQLITE_IOERR_WRITE`). */
function sqliteCodeOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * The {@link EmolabelError} a raw SQLite failure of the store at `file` becomes: it names the file,
 * says what the failure means and what to do, and that what was saved before it is kept (every
 * answer is committed as it comes). Anything else is returned as it is.
 *
 * @example
 * throw storeFailureOf(error, store.database.name, 'write');
 */
export function storeFailureOf(error: unknown, file: string, doing: 'open' | 'read' | 'write' = 'write'): unknown {
  const code = sqliteCodeOf(error);
  if (code === undefined) return error;
  const failure = STORE_FAILURES.find((entry) => entry.codes.some((prefix) => code === prefix || code.startsWith(`${prefix}_`)));
  const says = failure?.says ?? `SQLite said "${(error as Error).message}"`;
  const todo = failure?.todo ?? 'check the file, or choose another store (--db)';
  const kept = doing === 'write' ? ' Answers saved before this are kept: once it is fixed, run the same command to resume.' : '';
  return new EmolabelError('store_error', `Cannot ${doing} the run store ${file}: ${says} (${code}). To go on, ${todo}.${kept}`, { cause: error, path: file });
}
