// Telling a database that went away (a lost connection, a server shutting down or restarting)
// from an error of the statement or of the function that ran it. Engine-neutral: the runtime asks
// it too, so a query whose read lost its connection is run again instead of failing for good.

/**
 * A call failed because the database could not be reached for longer than the engine retries
 * (Postgres: the reconnect timeout). Nothing is wrong with the call: the HTTP API answers it 503
 * with `Retry-After`, and a retried mutation is applied at most once.
 *
 * @example
 * if (error instanceof DatabaseUnavailableError) response.setHeader("Retry-After", "1");
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

const CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * True when `error` means the connection to the database server is gone or the server is going
 * away (shutdown, restart, terminated backend): nothing is wrong with the statement itself.
 *
 * @example
 * if (isConnectionError(error)) await reconnect();
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return false;
  // Class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
  return CONNECTION_CODES.has(code) || code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03";
}
