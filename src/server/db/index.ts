// The database: `openDatabase` (SQLite for a file path or ":memory:", Postgres for a
// postgres:// URL) plus what the sync layer needs (read-set overlap test, key helpers). The
// runtime hands `tx.db` to handlers as `ctx.db`.

import { openSqliteDatabase } from "./sqlite/open.js";
import type { OpenDatabaseOptions } from "./open-options.js";
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
export type { ClusterOptions, OpenDatabaseOptions } from "./open-options.js";
export type { ClusterNode, ClusterStatus, LeaderAddress, NodeRole } from "./cluster-node.js";

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
