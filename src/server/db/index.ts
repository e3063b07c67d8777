// The database: `openDatabase` (SQLite for a file path or ":memory:", Postgres for a
// postgres:// URL) plus what the sync layer needs (read-set overlap test, key helpers). The
// runtime hands `tx.db` to handlers as `ctx.db`.

import { openSqliteDatabase } from "./sqlite/open.js";
import type { FileSync } from "./sqlite/durability.js";
import type { TableShape } from "./validation.js";
import type { OpenedDatabase } from "./types.js";
import { databaseLocation } from "./location.js";

export type * from "./types.js";
export { EmbeddedDatabase } from "./sqlite/database.js";
export { compareKeyToBound, keyBound, readSetOverlaps } from "./read-set.js";
export { ReadSetIndex } from "./read-set-index.js";
export { compareKeys, concatKeys, encodeKey, encodeValueKey, keySuccessor, prefixEnd } from "./keys.js";
export { TX_LIMITS } from "./transaction.js";
export { DatabaseInUseError } from "./sqlite/file-lock.js";
export { DatabaseNotEmptyError } from "./types.js";
export { StorageFullError } from "./storage-full.js";
export { databaseLocation, type DatabaseLocation } from "./location.js";
export type { TableShape } from "./validation.js";
export type { ClusterNode, ClusterStatus, LeaderAddress, NodeRole } from "./cluster-node.js";

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

/**
 * Opens (or creates) a database: SQLite for a file path or ":memory:", PostgreSQL for a
 * `postgres://` URL (its driver is loaded only then). Any other `scheme://` is refused.
 *
 * @example
 * const db = await openDatabase({ path: ".syncline/data.sqlite", systemTables: { _scheduled_functions: scheduledTable } });
 * const { result } = await db.write((tx) => tx.db.insert("messages", { body: "hi" }));
 * await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const location = databaseLocation(options.path);
  if (location.engine === "postgres") {
    if (options.maxSizeBytes !== undefined) {
      throw new Error("maxSizeBytes limits a SQLite database file; a PostgreSQL database's size is up to its server (a full disk there fails writes with the same retryable StorageFullError).");
    }
    const { openPostgresDatabase } = await import("./postgres/open.js");
    return openPostgresDatabase({ ...options, url: location.url });
  }
  return openSqliteDatabase(options);
}
