// One SQLite connection with its pragmas and a cache of prepared statements, plus the storage
// layout. Every other file talks to SQLite through `Connection.statement`.

import BetterSqlite3 from "better-sqlite3";
import type { Statement, StatementSource } from "./statements.js";
import { SqliteStore } from "./store.js";

/** The storage layout. `index_entries` holds every index, including the built-in ones. */
const LAYOUT = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tables (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS indexes (
  id INTEGER PRIMARY KEY,
  table_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  fields TEXT NOT NULL,
  UNIQUE (table_id, name)
);
CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, table_id INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS index_entries (
  index_id INTEGER NOT NULL,
  key BLOB NOT NULL,
  doc_id TEXT NOT NULL,
  PRIMARY KEY (index_id, key)
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('format', 1), ('last_ts', 0);
`;

/** A connection and its statement cache. Not shareable: one transaction at a time. */
export class Connection implements StatementSource {
  readonly sqlite: BetterSqlite3.Database;
  private readonly statements = new Map<string, Statement>();
  /** Row-level access through this connection, for the engine-neutral layer. */
  readonly store: SqliteStore = new SqliteStore(this);

  /**
   * Opens `path`. The writer creates the layout; readers are `query_only` so a bug can never
   * write outside the write queue.
   *
   * @example
   * const writer = new Connection("/tmp/app.sqlite", "writer");
   */
  constructor(path: string, role: "writer" | "reader") {
    this.sqlite = new BetterSqlite3(path);
    const db = this.sqlite;
    try {
      if (role === "writer") db.pragma("journal_mode = WAL");
      // COMMIT does not fsync (NORMAL still syncs around checkpoints, so the WAL is never reused
      // before the database file holds its pages): durability.ts flushes the WAL off the event loop
      // and holds every answer back until its commit is on disk.
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("cache_size = -65536"); // 64 MiB per connection
      db.pragma("mmap_size = 268435456"); // reads of hot pages skip the read() syscall
      db.pragma("temp_store = MEMORY");
      if (role === "writer") db.exec(LAYOUT);
      else db.pragma("query_only = 1");
      this.unlimitedPages = db.pragma("max_page_count", { simple: true }) as number;
    } catch (error) {
      db.close(); // a file that cannot be set up (read-only, say) must not stay open
      throw error;
    }
  }

  /**
   * The prepared statement for `sql`, prepared once per connection.
   *
   * @example
   * conn.statement("SELECT json FROM documents WHERE id = ?").pluck().get(id)
   */
  statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Caps the file at `bytes` (whole pages, never below its current size); `undefined` lifts the
   * cap. A write needing a page past it fails with SQLITE_FULL, as on a full disk.
   *
   * @example
   * writer.limitSize(64 * 1024 * 1024);
   */
  limitSize(bytes: number | undefined): void {
    if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0)) {
      throw new Error(`The database size limit must be a positive number of bytes; got ${String(bytes)}.`);
    }
    const pages = bytes === undefined ? this.unlimitedPages : Math.max(1, Math.floor(bytes / (this.sqlite.pragma("page_size", { simple: true }) as number)));
    this.sqlite.pragma(`max_page_count = ${pages}`);
  }

  /** SQLite's own page limit, as the connection opened: what "no cap" means. */
  private readonly unlimitedPages: number;

  /** Runs a statement without results (`BEGIN`, `COMMIT`, `SAVEPOINT tx`, ...) through the cache. */
  run(sql: string): void {
    this.statement(sql).run();
  }

  get inTransaction(): boolean {
    return this.sqlite.inTransaction;
  }

  close(): void {
    this.statements.clear();
    if (this.sqlite.open) this.sqlite.close();
  }
}
