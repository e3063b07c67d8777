// Opening the SQLite engine: the file (or a private temporary one for ":memory:"), its lock, the
// writer with the built-in system tables installed, the reader pool and the durability horizon.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { OpenDatabaseOptions } from "../open-options.js";
import { installTables } from "../schema-install.js";
import { upgradeVectorEntries } from "../vector-entry-upgrade.js";
import type { SchemaState } from "../validation.js";
import { Connection } from "./connection.js";
import { EmbeddedDatabase } from "./database.js";
import { DurabilityHorizon } from "./durability.js";
import { lockDatabaseFile } from "./file-lock.js";
import { openFailure } from "./open-failure.js";
import { loadShapes, saveShapes } from "./meta.js";
import { ReaderPool } from "./reader-pool.js";
import { loadCatalog, readLastTs } from "./store.js";

const DEFAULT_READERS = 8;

/**
 * Opens (or creates) a database. ":memory:" is a temporary file deleted on close, so it behaves
 * exactly like a file (WAL snapshots, several connections). A file is opened by one database at a
 * time, across processes: a second `openDatabase` of it throws DatabaseInUseError until the first
 * is closed (or its process is gone). A file that cannot be opened (read-only, its folder
 * read-only or not creatable) throws a `DatabaseOpenError` whose message is one line saying why.
 *
 * @example
 * const db = await openSqliteDatabase({ path: ".syncline/data.sqlite" });
 */
export async function openSqliteDatabase(options: OpenDatabaseOptions): Promise<EmbeddedDatabase> {
  let file = options.path;
  let tempDir: string | undefined;
  if (file === ":memory:") {
    tempDir = mkdtempSync(join(tmpdir(), "syncline-db-"));
    file = join(tempDir, "data.sqlite");
  } else {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (error) {
      throw openFailure(file, error);
    }
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
    if (options.maxSizeBytes !== undefined) writer.limitSize(options.maxSizeBytes);
    const catalog = loadCatalog(writer);
    const system = new Map(Object.entries(options.systemTables ?? {}));
    const schema: SchemaState = { user: undefined, system };
    // System tables are installed (and vector indexes of an older format rebuilt) before anything
    // can read, so new indexes are ready at once.
    writer.run("BEGIN IMMEDIATE");
    try {
      const outcome = await installTables(writer.store, catalog, {
        scope: "system",
        tables: system,
        validate: true,
        state: schema,
        previous: loadShapes(writer, "system"),
        readyTs: 0n,
      });
      saveShapes(writer, "system", outcome.shapes);
      await upgradeVectorEntries(writer.store, catalog);
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
    throw openFailure(file, error);
  }
}
