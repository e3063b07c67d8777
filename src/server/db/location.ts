// Which engine a `db` option names: a `postgres://` or `postgresql://` URL is PostgreSQL; a file
// path or ":memory:" is SQLite; any other `scheme://` is refused, so a typo never becomes a
// SQLite file in a folder named after the scheme.

/** Where the data lives. */
export type DatabaseLocation = { engine: "sqlite"; path: string } | { engine: "postgres"; url: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/**
 * Reads a `db` option (also `--db` and SYNCLINE_DATABASE_URL); throws on an unknown scheme.
 *
 * @example
 * databaseLocation("postgres://app@db:5432/app") // { engine: "postgres", url: "postgres://app@db:5432/app" }
 * databaseLocation(".syncline/data.sqlite") // { engine: "sqlite", path: ".syncline/data.sqlite" }
 */
export function databaseLocation(db: string): DatabaseLocation {
  const scheme = SCHEME.exec(db)?.[1]?.toLowerCase();
  if (scheme === undefined) return { engine: "sqlite", path: db };
  if (scheme === "postgres" || scheme === "postgresql") return { engine: "postgres", url: db };
  throw new Error(`Unsupported database URL scheme "${scheme}://": use a postgres:// or postgresql:// URL, a file path, or ":memory:".`);
}

/**
 * A Postgres URL without its password, for messages and logs.
 *
 * @example
 * redactUrl("postgres://app:secret@db:5432/app") // "postgres://app@db:5432/app"
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//");
  }
}
