// `syncline export` and `syncline import`: a database to a snapshot file and back (README "Backup
// and moving data"). The database is opened like a server opens it - so one a running server
// holds is refused - and progress goes to stderr when it is a terminal.

import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { databaseLocation, type DatabaseLocation } from "../server/db/location.js";
import { DatabaseNotEmptyError } from "../server/db/types.js";
import { openServerStorage } from "../server/server-storage.js";
import { exportSnapshot } from "../server/snapshot/export-snapshot.js";
import { importSnapshot } from "../server/snapshot/import-snapshot.js";
import { megabytes, terminalProgress } from "../server/snapshot/progress.js";
import { SnapshotError } from "../server/snapshot/snapshot-reader.js";

export interface ExportCommand {
  /** The database: a file, or a `postgres://` URL. */
  db: string;
  /** The snapshot file to write. */
  file: string;
}

export interface ImportCommand extends ExportCommand {
  replace: boolean;
}

/**
 * A database a snapshot can come from or go to: a file (`:memory:` would be gone at once), or a
 * Postgres URL (kept as it is).
 */
function snapshotDatabase(db: string): DatabaseLocation {
  if (db === ":memory:") throw new Error("--db :memory: is a database that exists only inside one server; export and import need a database file or a postgres:// URL.");
  const location = databaseLocation(db);
  return location.engine === "sqlite" ? { engine: "sqlite", path: resolve(location.path) } : location;
}

/** What `openServerStorage` opens for a location. */
function openLocation(location: DatabaseLocation): string {
  return location.engine === "sqlite" ? location.path : location.url;
}

/**
 * Runs `syncline export`; resolves to the exit code.
 *
 * @example
 * await exportCommand({ db: ".syncline/data.sqlite", file: "backup.jsonl.gz" }); // 0
 */
export async function exportCommand(command: ExportCommand): Promise<number> {
  const location = snapshotDatabase(command.db);
  // A file must exist (opening would create an empty one); a Postgres database says itself when it does not.
  if (location.engine === "sqlite" && !existsSync(location.path)) {
    console.error(`There is no database at ${location.path}.`);
    return 1;
  }
  const started = performance.now();
  const storage = await openServerStorage(openLocation(location));
  const progress = terminalProgress("Exporting", process.stderr);
  try {
    const summary = await exportSnapshot(storage, resolve(command.file), { progress: progress?.update });
    progress?.finish();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Exported ${summary.documents.toLocaleString("en-US")} documents in ${summary.tables} tables and ${summary.files} files ` +
        `(commit ${summary.ts}) to ${command.file}: ${megabytes(summary.bytes)} in ${seconds.toFixed(1)} s.`,
    );
    return 0;
  } finally {
    progress?.finish();
    await storage.close();
  }
}

/** What opening a database file makes when it was not there (removed again when an import into it fails). */
const DATABASE_FILES = ["", "-wal", "-shm", ".lock", "-files"];

/**
 * Runs `syncline import`; resolves to the exit code. A failed import leaves the target as it was
 * (and a target it had to create is removed again).
 *
 * @example
 * await importCommand({ db: "restored.sqlite", file: "backup.jsonl.gz", replace: false }); // 0
 */
export async function importCommand(command: ImportCommand): Promise<number> {
  const location = snapshotDatabase(command.db);
  const file = resolve(command.file);
  if (!existsSync(file)) {
    console.error(`There is no snapshot at ${file}.`);
    return 1;
  }
  // (A Postgres database is not created by opening it: a failed import leaves it as it was.)
  const db = location.engine === "sqlite" ? location.path : undefined;
  const created = db === undefined ? [] : DATABASE_FILES.filter((suffix) => !existsSync(db + suffix));
  const started = performance.now();
  const storage = await openServerStorage(openLocation(location));
  // As the user named it (a URL without its password).
  const shown = location.engine === "sqlite" ? command.db : storage.name;
  const progress = terminalProgress("Importing", process.stderr);
  let ok = false;
  try {
    const summary = await importSnapshot(storage, file, { replace: command.replace, progress: progress?.update });
    progress?.finish();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Imported ${summary.documents.toLocaleString("en-US")} documents in ${summary.tables} tables and ${summary.files} files ` +
        `(snapshot of ${summary.createdAt}, commit ${summary.snapshotTs}) into ${shown} in ${seconds.toFixed(1)} s.`,
    );
    ok = true;
    return 0;
  } catch (error) {
    progress?.finish();
    if (!(error instanceof SnapshotError || error instanceof DatabaseNotEmptyError)) throw error;
    console.error(`${error.message}\nNothing was imported: ${shown} is unchanged.`);
    return 1;
  } finally {
    await storage.close();
    if (!ok && db !== undefined) for (const suffix of created) rmSync(db + suffix, { recursive: true, force: true });
  }
}
