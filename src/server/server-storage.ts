// What a server keeps its data in, opened for a `db` location: the database with the server's
// system tables, and the store of stored files' contents beside it. `startServer` opens it, and so
// do `syncline export` and `syncline import`, which must see the same tables and files.

import { resolve } from "node:path";
import { CRON_JOBS_TABLE, cronJobsTable } from "./crons/cron-jobs-table.js";
import { databaseLocation, openDatabase } from "./db/index.js";
import { redactUrl } from "./db/location.js";
import type { Database, OpenedDatabase } from "./db/types.js";
import { SCHEDULED_FUNCTIONS_TABLE, scheduledFunctionsTable } from "./scheduler/scheduled-functions-table.js";
import { DirectoryBlobStore, MemoryBlobStore, type BlobStore } from "./storage/blob-store.js";
import { STORAGE_TABLE, storageTable } from "./storage/storage-table.js";
import { mutationRecordTables } from "./sync/mutation-records.js";

/** The built-in system tables every server's database has (names start with `_`). */
export const SERVER_SYSTEM_TABLES = {
  [STORAGE_TABLE]: storageTable,
  ...mutationRecordTables,
  [SCHEDULED_FUNCTIONS_TABLE]: scheduledFunctionsTable,
  [CRON_JOBS_TABLE]: cronJobsTable,
};

/**
 * Where stored files' contents go: inside the database when its engine keeps them (Postgres);
 * else a folder named after the database file (as SQLite names its `-wal`), so two databases in
 * one folder never sweep each other's files; in memory with ":memory:".
 *
 * @example
 * const blobs = await openBlobStore(db, ".syncline/data.sqlite"); // .syncline/data.sqlite-files/
 */
export async function openBlobStore(db: OpenedDatabase, dbPath: string): Promise<BlobStore> {
  const own = await db.fileContents?.();
  if (own !== undefined) return own;
  return dbPath === ":memory:" ? new MemoryBlobStore() : await DirectoryBlobStore.open(`${resolve(dbPath)}-files`);
}

/** An open database with its file contents. */
export interface ServerStorage {
  readonly db: Database;
  readonly blobs: BlobStore;
  /** How messages name it (the file path, or the URL without its password). */
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Opens the database at `location` (a file path or a `postgres://` URL) with the server's system
 * tables, and its file contents (beside a file; inside Postgres). Throws DatabaseInUseError while
 * a server holds it (Postgres: an error saying another server holds it).
 *
 * @example
 * const storage = await openServerStorage(".syncline/data.sqlite");
 * try { await exportSnapshot(storage, "backup.jsonl.gz"); } finally { await storage.close(); }
 */
export async function openServerStorage(location: string): Promise<ServerStorage> {
  const db = await openDatabase({ path: location, systemTables: SERVER_SYSTEM_TABLES });
  try {
    const where = databaseLocation(location);
    const name = where.engine === "postgres" ? redactUrl(where.url) : location;
    return { db, blobs: await openBlobStore(db, location), name, close: () => db.close() };
  } catch (error) {
    await db.close();
    throw error;
  }
}
