// The SQLite `meta` rows that record which schema was installed last.

import type { InstalledShapes, Scope } from "../schema-install.js";
import type { Connection } from "./connection.js";

const shapesKey = (scope: Scope) => `schema:${scope}`;

/**
 * What the last install of `scope` stored.
 *
 * @example
 * installTables(store, catalog, { ...request, previous: loadShapes(conn, "user") });
 */
export function loadShapes(conn: Connection, scope: Scope): InstalledShapes | undefined {
  const text = conn.statement("SELECT value FROM meta WHERE key = ?").pluck().get(shapesKey(scope));
  return typeof text === "string" ? (JSON.parse(text) as InstalledShapes) : undefined;
}

/** Stores (or clears) what was installed for `scope`, inside the caller's transaction. */
export function saveShapes(conn: Connection, scope: Scope, shapes: InstalledShapes | undefined): void {
  if (shapes === undefined) conn.statement("DELETE FROM meta WHERE key = ?").run(shapesKey(scope));
  else conn.statement("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(shapesKey(scope), JSON.stringify(shapes));
}
