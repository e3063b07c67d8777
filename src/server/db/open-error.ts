// The error of a database that cannot be opened, whatever its engine: its message is one line
// saying what is wrong and what to do, which `syncline dev` prints before exiting non-zero.

/**
 * A failure to open the database: the server prints its message as one line and exits non-zero.
 *
 * @example
 * throw new DatabaseOpenError("Cannot open the database data.sqlite: the file is read-only (...).", { cause: error });
 */
export class DatabaseOpenError extends Error {
  override readonly name = "DatabaseOpenError";
}
