// The SQLite side of a snapshot load (../snapshot-load.ts), on the writer inside its
// BEGIN IMMEDIATE.

import type { InstalledShapes } from "../schema-install.js";
import type { LoadTarget } from "../snapshot-load.js";
import type { Connection } from "./connection.js";
import { saveShapes } from "./meta.js";
import type { SqliteStore } from "./store.js";

const IS_USER_TABLE = "substr(name, 1, 1) <> '_'";

/**
 * The writer as a load's target.
 *
 * @example
 * const loaded = await loadSnapshotRows({ target: new SqliteLoadTarget(writer), ... }, load);
 */
export class SqliteLoadTarget implements LoadTarget {
  readonly store: SqliteStore;

  constructor(private readonly conn: Connection) {
    this.store = conn.store;
  }

  holdsDocuments(): boolean {
    return this.conn.statement("SELECT EXISTS (SELECT 1 FROM documents)").pluck().get() === 1;
  }

  clear(): void {
    this.conn.run("DELETE FROM index_entries");
    this.conn.run("DELETE FROM documents");
    this.conn.run(`DELETE FROM indexes WHERE table_id IN (SELECT id FROM tables WHERE ${IS_USER_TABLE})`);
    this.conn.run(`DELETE FROM tables WHERE ${IS_USER_TABLE}`);
  }

  saveUserSchema(shapes: InstalledShapes | undefined): void {
    saveShapes(this.conn, "user", shapes);
  }

  insertTable(id: number, name: string): void {
    this.conn.statement("INSERT INTO tables (id, name) VALUES (?, ?)").run(id, name);
  }

  isDuplicateId(error: unknown): boolean {
    return (error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  }
}
