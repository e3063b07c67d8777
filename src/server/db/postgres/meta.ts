// The Postgres `syncline_meta` rows that record which schema was installed last.

import type { InstalledShapes, Scope } from "../schema-install.js";
import { send, type Queryable } from "./store.js";

const shapesKey = (scope: Scope) => `schema:${scope}`;

/**
 * What the last install of `scope` stored.
 *
 * @example
 * const previous = await loadShapes(conn, "user");
 */
export async function loadShapes(conn: Queryable, scope: Scope): Promise<InstalledShapes | undefined> {
  const rows = await send<{ value: string }>(conn, "SELECT value FROM syncline_meta WHERE key = $1", [shapesKey(scope)]);
  return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as InstalledShapes);
}

/** Stores (or clears) what was installed for `scope`, inside the caller's transaction. */
export async function saveShapes(conn: Queryable, scope: Scope, shapes: InstalledShapes | undefined): Promise<void> {
  if (shapes === undefined) await send(conn, "DELETE FROM syncline_meta WHERE key = $1", [shapesKey(scope)]);
  else {
    await send(conn, "INSERT INTO syncline_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [shapesKey(scope), JSON.stringify(shapes)]);
  }
}
