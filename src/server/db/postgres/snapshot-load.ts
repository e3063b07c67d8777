// The Postgres side of a snapshot load (../snapshot-load.ts), on the lock-holding writer inside
// its transaction. Writes are pipelined; the load awaits them in batches.

import type { InstalledShapes } from "../schema-install.js";
import type { LoadTarget } from "../snapshot-load.js";
import { saveShapes } from "./meta.js";
import { PostgresStore, send, type Queryable } from "./store.js";

const IS_USER_TABLE = "substr(name, 1, 1) <> '_'";
/** unique_violation */
const UNIQUE_VIOLATION = "23505";

/**
 * The writer's open transaction as a load's target.
 *
 * @example
 * const loaded = await loadSnapshotRows({ target: new PostgresLoadTarget(tx), ... }, load);
 */
export class PostgresLoadTarget implements LoadTarget {
  readonly store: PostgresStore;

  constructor(private readonly conn: Queryable) {
    this.store = new PostgresStore(conn);
  }

  async holdsDocuments(): Promise<boolean> {
    return holdsDocuments(this.conn);
  }

  async clear(): Promise<void> {
    await Promise.all([
      send(this.conn, "DELETE FROM syncline_index_entries", []),
      send(this.conn, "DELETE FROM syncline_documents", []),
      send(this.conn, `DELETE FROM syncline_indexes WHERE table_id IN (SELECT id FROM syncline_tables WHERE ${IS_USER_TABLE})`, []),
      send(this.conn, `DELETE FROM syncline_tables WHERE ${IS_USER_TABLE}`, []),
    ]);
  }

  saveUserSchema(shapes: InstalledShapes | undefined): Promise<void> {
    return saveShapes(this.conn, "user", shapes);
  }

  async insertTable(id: number, name: string): Promise<void> {
    await send(this.conn, "INSERT INTO syncline_tables (id, name) VALUES ($1, $2)", [id, name]);
  }

  isDuplicateId(error: unknown): boolean {
    const { code, constraint } = error as { code?: string; constraint?: string };
    return code === UNIQUE_VIOLATION && constraint === "syncline_documents_pkey";
  }
}

/**
 * True when any table holds a document (one `SELECT EXISTS`).
 *
 * @example
 * if (await holdsDocuments(session)) throw new DatabaseNotEmptyError(what);
 */
export async function holdsDocuments(conn: Queryable): Promise<boolean> {
  const rows = await send<{ holds: boolean }>(conn, "SELECT EXISTS (SELECT 1 FROM syncline_documents) AS holds", []);
  return rows[0]?.holds === true;
}
