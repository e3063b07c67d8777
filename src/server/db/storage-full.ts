// A full disk (or a database at its size limit) is not a bug of the mutation that met it and not a
// reason to stop serving: the write is refused with one clear, retryable error, nothing of it is
// kept, and reads go on. Both engines map their own "no space" errors to `StorageFullError`.

/** Error codes meaning "no space left": SQLite, the OS (disk, quota), Postgres (class 53100). */
const NO_SPACE_CODES = new Set(["SQLITE_FULL", "ENOSPC", "EDQUOT", "53100"]);

/**
 * A write refused because the database has no room for it. Nothing of the call was applied, so
 * sending it again is safe; it succeeds once space is freed (or the size limit raised), with no
 * restart of the server.
 *
 * @example
 * try { await db.write(fn); } catch (error) { if (error instanceof StorageFullError && error.retryable) retryLater(); }
 */
export class StorageFullError extends Error {
  override readonly name = "StorageFullError";
  /** Always true: the call was not applied and may be sent again. */
  readonly retryable = true;

  /**
   * @param database how messages name the database (its file, or its URL without the password)
   * @param cause the engine's own error
   */
  constructor(database: string, cause?: unknown) {
    super(
      `The database ${database} is full (its disk has no space left, or it reached its size limit): this mutation was not applied. ` +
        "Retry it once space is freed; queries and subscriptions keep working meanwhile.",
      { cause },
    );
  }
}

/**
 * True when `error` (or what caused it) means the storage has no space left.
 *
 * @example
 * isNoSpace(sqliteError) // true for code "SQLITE_FULL"
 */
export function isNoSpace(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof StorageFullError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NO_SPACE_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `error` as a `StorageFullError` when it means no space is left, else unchanged.
 *
 * @example
 * job.reject(asStorageFull(error, ".syncline/data.sqlite"));
 */
export function asStorageFull(error: unknown, database: string): unknown {
  if (error instanceof StorageFullError || !isNoSpace(error)) return error;
  return new StorageFullError(database, error);
}
