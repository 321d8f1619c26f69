/**
 * The default store: `.emolabel/emolabel.db` under the working directory. Its own module, free of
 * SQLite, so the CLI's help text can show it without loading better-sqlite3.
 */
export const DEFAULT_DB_PATH = '.emolabel/emolabel.db';
