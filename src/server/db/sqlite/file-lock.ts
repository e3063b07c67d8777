// One server per database file. The writer assumes it is the only one: it numbers commits from the
// last timestamp it read, and the sync layer re-runs queries only for commits it made itself. A
// second server on the same file (a forgotten `syncline dev` in another terminal) would interleave
// timestamps and leave both servers' subscribers waiting for changes they never hear about.
//
// The lock is an exclusive SQLite transaction held open on a small file next to the database: an
// OS file lock, so it is released when the process exits in any way, kill -9 included, and never
// goes stale.

import BetterSqlite3 from "better-sqlite3";

export class DatabaseInUseError extends Error {
  /**
   * @param file the database file
   * @param holderUrl where the server holding it listens, when that is known
   */
  constructor(
    readonly file: string,
    holderUrl?: string,
  ) {
    super(
      `Another Syncline server${holderUrl === undefined ? "" : `, listening on ${holderUrl},`} is using the database ${file}. ` +
        "Two servers on one database would interleave its history: stop the other one (or give this one its own database with --db).",
    );
    this.name = "DatabaseInUseError";
  }
}

/**
 * Takes the lock of the database `file` (as `<file>.lock`); throws DatabaseInUseError when
 * another server, in this process or another, holds it. Returns the function that releases it.
 *
 * @example
 * const release = lockDatabaseFile(".syncline/data.sqlite");
 * release(); // on close
 */
export function lockDatabaseFile(file: string): () => void {
  const lock = new BetterSqlite3(`${file}.lock`, { timeout: 0 });
  try {
    lock.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") throw new DatabaseInUseError(file);
    throw error;
  }
  return () => lock.close(); // rolls the empty transaction back and lets go of the file lock
}
