// What `openDatabase` takes. Apart from index.ts so that the engines' openers (sqlite/open.ts,
// postgres/open.ts), which index.ts calls, can name their options without importing it back.

import type { FileSync } from "./sqlite/durability.js";
import type { TableShape } from "./validation.js";

/** How a Postgres database joins a cluster (`openDatabase({ cluster })`). */
export interface ClusterOptions {
  /** This node's name in the leader row and in `/health` (default: a random one). */
  nodeId: string;
  /** A follower's backstop poll of the commit log (ms, default 250; a NOTIFY wakes it at once). */
  pollMs?: number;
  /** How often a follower tries to take over, and a leader re-checks the epoch (ms, default 500). */
  electionMs?: number;
}

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /**
   * A file path (its directory is created when missing), ":memory:" for a private temporary
   * file, or a `postgres://` / `postgresql://` URL.
   */
  path: string;
  /**
   * Built-in system tables (names starting with `_`) with their validators and indexes, e.g.
   * `_scheduled_functions`. Any `TableDefinition` from `defineTable` fits.
   */
  systemTables?: Record<string, TableShape>;
  /** Most reader connections open at once (default 8; Postgres: pooled connections); more concurrent reads wait. */
  maxReaders?: number;
  /** Postgres: how long a lost connection is retried before in-flight calls fail (ms, default 30,000). */
  reconnectTimeoutMs?: number;
  /** Postgres: how long commit-log rows are kept (ms, default 10 minutes). */
  commitLogRetentionMs?: number;
  /**
   * SQLite: the most bytes the database file may hold (default: no limit but the disk's). A
   * write that would grow it further fails with a retryable `StorageFullError`, exactly as on a
   * full disk; reads go on. Rounded down to whole pages, and never below the current size.
   */
  maxSizeBytes?: number;
  /**
   * Postgres: open as one node of a cluster - when another server holds the database, this one
   * follows it (reads, subscriptions) instead of being refused, and takes over when it dies.
   * Without it a held database is refused (the CLI's import and export need it alone).
   */
  cluster?: ClusterOptions;
  /** SQLite: how the write-ahead log is flushed to disk (default: fdatasync on libuv's thread pool). For fault-injection tests. */
  fileSync?: FileSync;
}
