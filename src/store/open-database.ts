import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { EmolabelError } from '../errors.js';

/** The default store: `.emolabel/emolabel.db` under the working directory. */
export const DEFAULT_DB_PATH = '.emolabel/emolabel.db';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  inputs TEXT NOT NULL,
  options TEXT NOT NULL,
  model TEXT NOT NULL,
  strategy TEXT NOT NULL,
  taxonomy TEXT NOT NULL,
  labels TEXT NOT NULL,
  status TEXT NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  note TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_fingerprint ON runs (fingerprint, created_at);
CREATE TABLE IF NOT EXISTS items (
  run_id TEXT NOT NULL REFERENCES runs (id),
  item_index INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  truth TEXT,
  done_at TEXT,
  PRIMARY KEY (run_id, item_index)
);
CREATE TABLE IF NOT EXISTS results (
  run_id TEXT NOT NULL REFERENCES runs (id),
  item_index INTEGER NOT NULL,
  face_index INTEGER NOT NULL,
  item_id TEXT NOT NULL,
  status TEXT NOT NULL,
  label TEXT,
  confidence REAL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  result TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, item_index, face_index)
);
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  item_id TEXT,
  cache_key TEXT NOT NULL,
  model TEXT NOT NULL,
  from_cache INTEGER NOT NULL,
  status TEXT NOT NULL,
  request TEXT NOT NULL,
  response TEXT,
  error TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_run ON requests (run_id);
CREATE TABLE IF NOT EXISTS response_cache (
  cache_key TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  annotation TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  face_index INTEGER NOT NULL,
  label TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  PRIMARY KEY (run_id, item_id, face_index)
);
CREATE TABLE IF NOT EXISTS review_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  face_index INTEGER NOT NULL,
  label TEXT,
  previous_label TEXT,
  reviewer TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  undone INTEGER NOT NULL DEFAULT 0
);
`;

/**
 * Opens (creating when needed) the SQLite run store at `path`. WAL journaling lets a review server
 * read while a run writes; `synchronous = NORMAL` in WAL mode keeps every committed transaction
 * across a process crash.
 */
export function openDatabase(path: string = DEFAULT_DB_PATH): Database.Database {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    const version = database.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new EmolabelError('invalid_input', `${file} was written by a newer emolabel (schema ${version}); upgrade emolabel to open it.`, { path: file });
    }
    database.exec(SCHEMA);
    database.pragma(`user_version = ${SCHEMA_VERSION}`);
    return database;
  } catch (error) {
    if (error instanceof EmolabelError) throw error;
    throw new EmolabelError('invalid_input', `Cannot open the run store ${file}: ${(error as Error).message}. Choose another path with --db.`, { cause: error, path: file });
  }
}
