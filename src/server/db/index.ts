// The embedded database: `openDatabase` plus what the sync layer needs (read-set overlap test,
// key helpers). The runtime hands `tx.db` to handlers as `ctx.db`.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Catalog } from "./catalog.js";
import { EmbeddedDatabase, readLastTs } from "./database.js";
import { ReaderPool } from "./reader-pool.js";
import { installTables, loadShapes, saveShapes } from "./schema-install.js";
import { Connection } from "./sqlite.js";
import { DurabilityHorizon, type FileSync } from "./durability.js";
import { lockDatabaseFile } from "./file-lock.js";
import type { SchemaState, TableShape } from "./validation.js";

export type * from "./types.js";
export { EmbeddedDatabase, type DatabaseStats } from "./database.js";
export { readSetOverlaps } from "./read-set.js";
export { ReadSetIndex } from "./read-set-index.js";
export { compareKeys, concatKeys, encodeKey, encodeValueKey, keySuccessor, prefixEnd } from "./keys.js";
export { TX_LIMITS } from "./transaction.js";
export { DatabaseInUseError } from "./file-lock.js";
export { DatabaseNotEmptyError } from "./types.js";
export type { TableShape } from "./validation.js";

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** A file path (its directory is created when missing), or ":memory:" for a private temporary file. */
  path: string;
  /**
   * Built-in system tables (names starting with `_`) with their validators and indexes, e.g.
   * `_scheduled_functions`. Any `TableDefinition` from `defineTable` fits.
   */
  systemTables?: Record<string, TableShape>;
  /** Most reader connections open at once (default 8); more concurrent reads wait. */
  maxReaders?: number;
  /** How the write-ahead log is flushed to disk (default: fdatasync on libuv's thread pool). For fault-injection tests. */
  fileSync?: FileSync;
}

const DEFAULT_READERS = 8;

/**
 * Opens (or creates) a database. ":memory:" is a temporary file deleted on close, so it behaves
 * exactly like a file (WAL snapshots, several connections). A file is opened by one database at a
 * time, across processes: a second `openDatabase` of it throws DatabaseInUseError until the first
 * is closed (or its process is gone).
 *
 * @example
 * const db = await openDatabase({ path: ".syncline/data.sqlite", systemTables: { _scheduled_functions: scheduledTable } });
 * const { result } = await db.write((tx) => tx.db.insert("messages", { body: "hi" }));
 * await db.close();
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<EmbeddedDatabase> {
  let file = options.path;
  let tempDir: string | undefined;
  if (file === ":memory:") {
    tempDir = mkdtempSync(join(tmpdir(), "syncline-db-"));
    file = join(tempDir, "data.sqlite");
  } else {
    mkdirSync(dirname(file), { recursive: true });
  }
  let releaseLock: (() => void) | undefined;
  const releaseFiles = () => {
    releaseLock?.();
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  };

  let writer: Connection | undefined;
  try {
    releaseLock = lockDatabaseFile(file);
    writer = new Connection(file, "writer");
    const catalog = Catalog.load(writer);
    const system = new Map(Object.entries(options.systemTables ?? {}));
    const schema: SchemaState = { user: undefined, system };
    // System tables are installed before anything can read, so new indexes are ready at once.
    writer.run("BEGIN IMMEDIATE");
    try {
      const outcome = installTables(writer, catalog, {
        scope: "system",
        tables: system,
        validate: true,
        state: schema,
        previous: loadShapes(writer, "system"),
        readyTs: 0n,
      });
      saveShapes(writer, "system", outcome.shapes);
      writer.run("COMMIT");
      outcome.apply();
    } catch (error) {
      if (writer.inTransaction) writer.run("ROLLBACK");
      throw error;
    }
    const lastTs = readLastTs(writer);
    const horizon = DurabilityHorizon.forWal(file, options.fileSync);
    const pool = new ReaderPool(file, options.maxReaders ?? DEFAULT_READERS);
    return new EmbeddedDatabase(writer, pool, catalog, schema, lastTs, horizon, releaseFiles, options.path);
  } catch (error) {
    writer?.close();
    releaseFiles();
    throw error;
  }
}
