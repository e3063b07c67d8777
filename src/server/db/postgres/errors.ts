// Turning driver errors into one clear line naming host, port and database (never the password),
// and telling a lost connection (retry once Postgres is back) from an error of a statement.

import { DatabaseUnavailableError, isConnectionError } from "../connection-lost.js";
import { DatabaseOpenError } from "../open-error.js";

/** Where a server connects, for messages. */
export interface Target {
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * Reads the parts of a Postgres URL that messages may show.
 *
 * @example
 * targetOf("postgres://app:secret@db:5433/shop") // { host: "db", port: 5433, database: "shop", user: "app" }
 */
export function targetOf(url: string): Target {
  const parsed = new URL(url);
  const socketHost = parsed.searchParams.get("host");
  return {
    host: decodeURIComponent(parsed.hostname) || socketHost || "localhost",
    port: Number(parsed.port || parsed.searchParams.get("port") || 5432),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || decodeURIComponent(parsed.username) || "postgres",
    user: decodeURIComponent(parsed.username) || "postgres",
  };
}

/** `host:port/database`, as messages name a database. */
export function describeTarget(target: Target): string {
  return `PostgreSQL at ${target.host}:${target.port}, database "${target.database}"`;
}

/** A failure to open the database (shared with the SQLite engine). */
export { DatabaseOpenError };

interface DriverError {
  code?: string;
  message?: string;
}

export { isConnectionError };

/**
 * The one-line reason a database could not be opened.
 *
 * @example
 * openFailure(error, target).message // 'Cannot connect to PostgreSQL at db:5432, database "app": password authentication failed for user "app".'
 */
export function openFailure(error: unknown, target: Target): DatabaseOpenError {
  const where = describeTarget(target);
  const { code, message } = (error ?? {}) as DriverError;
  if (code === "28P01" || code === "28000") return new DatabaseOpenError(`Cannot connect to ${where}: authentication failed for user "${target.user}".`);
  if (code === "3D000") return new DatabaseOpenError(`Cannot connect to ${where}: the database does not exist (create it first: createdb ${target.database}).`);
  if (code === "ECONNREFUSED") return new DatabaseOpenError(`Cannot connect to ${where}: connection refused (is PostgreSQL running and listening there?).`);
  if (code === "CONNECT_TIMEOUT" || code === "ETIMEDOUT") return new DatabaseOpenError(`Cannot connect to ${where}: the connection timed out.`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new DatabaseOpenError(`Cannot connect to ${where}: the host name does not resolve.`);
  const reason = typeof message === "string" && message !== "" ? message : String(error);
  return new DatabaseOpenError(`Cannot open ${where}: ${reason.split("\n")[0]}.`.replace(/\.\.$/, "."));
}

/** The error an in-flight mutation fails with when the connection broke and could not be restored. */
export function connectionLost(target: Target, cause: unknown): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `The connection to ${describeTarget(target)} was lost and could not be restored in time; this call was not confirmed. Retry it once PostgreSQL is reachable (a client retry of the same mutation is applied at most once).`,
    { cause },
  );
}
