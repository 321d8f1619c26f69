import type Database from 'better-sqlite3';

/**
 * One step of the store's schema: `up` takes a store at schema `version - 1` to `version`. Steps
 * run in order, all of them in one transaction, so a store is never left between two versions.
 * A released step never changes: a new release adds a step.
 */
export interface Migration {
  /** The schema version (`PRAGMA user_version`) the store has after this step. */
  readonly version: number;
  /** What the step adds, for error messages. */
  readonly description: string;
  up(database: Database.Database): void;
}

/** The schema of emolabel 0.1, the first release with a store (`IF NOT EXISTS`: stores from before versions kept it too). */
const SCHEMA_1 = `
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
 * The cache keeps the provider's raw reply (JSON, to parse again on read), requests count reasoning
 * tokens apart from output tokens, and every row with JSON blobs says which codec version wrote them
 * (rows of schema 1 are codec 1).
 */
const SCHEMA_2 = `
ALTER TABLE response_cache ADD COLUMN response TEXT;
ALTER TABLE response_cache ADD COLUMN codec INTEGER NOT NULL DEFAULT 1;
ALTER TABLE requests ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN codec INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN codec INTEGER NOT NULL DEFAULT 1;
ALTER TABLE results ADD COLUMN codec INTEGER NOT NULL DEFAULT 1;
`;

/**
 * A run is leased to the session running it: its process, host and a heartbeat, so a second
 * session on the same store refuses the run instead of paying for its items again.
 */
const SCHEMA_3 = `
CREATE TABLE run_leases (
  run_id TEXT PRIMARY KEY REFERENCES runs (id),
  token TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
`;

/**
 * A request whose price is unknown (a model the price data lacks) says so: `cost_usd` stays 0 for
 * the sums, `cost_known` 0 marks it, and readers show its cost as unknown instead of $0.
 */
const SCHEMA_4 = `
ALTER TABLE requests ADD COLUMN cost_known INTEGER NOT NULL DEFAULT 1;
`;

/**
 * Provider batches: each batch a run submitted (recorded as an intent before its create call, so a
 * crash in between finds it again by name) and each request's custom id, body until submitted, and
 * result once collected.
 */
const SCHEMA_5 = `
CREATE TABLE batches (
  name TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id),
  api TEXT NOT NULL,
  model TEXT NOT NULL,
  provider_id TEXT,
  state TEXT NOT NULL,
  provider_state TEXT,
  request_count INTEGER NOT NULL,
  succeeded INTEGER NOT NULL DEFAULT 0,
  errored INTEGER NOT NULL DEFAULT 0,
  estimated_cost_usd REAL NOT NULL DEFAULT 0,
  message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX batches_by_run ON batches (run_id);
CREATE TABLE batch_requests (
  run_id TEXT NOT NULL REFERENCES runs (id),
  custom_id TEXT NOT NULL,
  batch_name TEXT,
  state TEXT NOT NULL,
  body TEXT,
  bytes INTEGER NOT NULL DEFAULT 0,
  estimated_cost_usd REAL NOT NULL DEFAULT 0,
  result TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  codec INTEGER NOT NULL DEFAULT 2,
  PRIMARY KEY (run_id, custom_id)
);
CREATE INDEX batch_requests_by_batch ON batch_requests (batch_name);
`;

/**
 * Runs can be given a name (unique among named runs, a handle for `export`, `review`, `runs delete`),
 * and a review decision can be more than a label: `unsure`, `skip` or `no_face` (the crop is not a
 * face), with a note. Rows written before keep `decision = 'label'`.
 */
const SCHEMA_6 = `
ALTER TABLE runs ADD COLUMN name TEXT;
CREATE UNIQUE INDEX runs_by_name ON runs (name) WHERE name IS NOT NULL;
ALTER TABLE reviews ADD COLUMN decision TEXT NOT NULL DEFAULT 'label';
ALTER TABLE reviews ADD COLUMN note TEXT;
ALTER TABLE review_history ADD COLUMN decision TEXT NOT NULL DEFAULT 'label';
ALTER TABLE review_history ADD COLUMN note TEXT;
`;

/** Each run records the emolabel that created it (NULL for runs of an earlier schema). */
const SCHEMA_7 = `
ALTER TABLE runs ADD COLUMN emolabel_version TEXT;
`;

/**
 * Every schema step, in increasing version order. Versions may skip numbers (each line of work was
 * given its own number), so a step is applied when its version is above the store's.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'runs, items, results, requests, response cache, reviews', up: (database) => database.exec(SCHEMA_1) },
  { version: 2, description: 'raw provider replies in the cache, reasoning tokens, codec versions', up: (database) => database.exec(SCHEMA_2) },
  { version: 3, description: 'run leases (the session running a run)', up: (database) => database.exec(SCHEMA_3) },
  { version: 4, description: 'requests of unknown price marked (cost_known)', up: (database) => database.exec(SCHEMA_4) },
  { version: 5, description: 'provider batches and their requests', up: (database) => database.exec(SCHEMA_5) },
  { version: 6, description: 'run names; review decisions unsure, skip, no face, with a note', up: (database) => database.exec(SCHEMA_6) },
  { version: 7, description: 'the emolabel version that created each run', up: (database) => database.exec(SCHEMA_7) },
];

/** The schema version this emolabel writes: that of the last migration. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
