// An export's view of the SQLite database: one reader connection inside one read transaction (one
// WAL snapshot) for as long as the export runs, each table paged through its `by_creation_time`
// index. Writers go on meanwhile; the snapshot does not see them.

import { BY_CREATION_TIME, BY_ID, type Catalog } from "../catalog.js";
import { documentPages } from "../document-pages.js";
import type { DatabaseSnapshot, InstalledSchema, SnapshotTable, Timestamp } from "../types.js";
import type { Connection } from "./connection.js";
import { loadShapes } from "./meta.js";
import { loadCatalog } from "./store.js";

/** Documents per page: a few MB at most, and few enough round trips to keep an export fast. */
const PAGE = 1000;

/**
 * The snapshot a reader connection's open transaction shows. `release` ends that transaction and
 * hands the connection back.
 *
 * @example
 * conn.run("BEGIN");
 * const snapshot = new SqliteSnapshot(conn, readLastTs(conn), () => { conn.run("COMMIT"); pool.release(conn); });
 */
export class SqliteSnapshot implements DatabaseSnapshot {
  readonly tables: readonly SnapshotTable[];
  readonly userSchema: InstalledSchema | undefined;
  private readonly catalog: Catalog;
  private closed = false;

  constructor(
    private readonly conn: Connection,
    readonly ts: Timestamp,
    private readonly release: () => void,
  ) {
    // Read inside the transaction: the tables and indexes as of `ts`, not as of now.
    this.catalog = loadCatalog(conn);
    this.userSchema = loadShapes(conn, "user");
    this.tables = [...this.catalog.all()]
      .map((table) => ({
        name: table.name,
        indexes: [...table.indexes.values()]
          .filter((index) => index.name !== BY_ID && index.name !== BY_CREATION_TIME)
          .map((index) => ({ name: index.name, fields: [...index.fields] })),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async *documents(table: string): AsyncGenerator<readonly string[]> {
    const info = this.catalog.peek(table);
    if (info === undefined) throw new Error(`The snapshot has no table "${table}".`);
    for await (const page of documentPages(this.conn.store, info.byCreationTime.id, PAGE)) {
      yield page;
      if (this.closed) throw new Error("The snapshot is closed.");
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }
}
