// Public API of stored runs (store, resume, cache, budget, export); re-exported from src/index.ts.
export { runAnnotation, type RunOutcome, type RunSession, type RunTarget } from '../runs/run-annotation.js';
export { annotateOptionsOf, parseRunSpec, runFingerprint, type RunSpec, runSpecOf, runSpecSchema, type SessionOptions } from '../runs/run-spec.js';
export { RunStore, type OtherModelLabel, type RunRecord } from '../store/run-store.js';
export { ResponseStore, type CachedResponse, type JsonValue, type LoggedRequest, type StoredRequest } from '../store/request-log.js';
export { LATEST_SCHEMA_VERSION } from '../store/migrations.js';
export { findRun } from '../store/find-run.js';
export { DEFAULT_DB_PATH } from '../store/open-database.js';
export { EXPORT_FORMATS, exportRun, type ExportFormat, type ExportOptions } from '../output/export-run.js';
