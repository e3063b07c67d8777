// An export's view of the Postgres database: one pooled connection inside one REPEATABLE READ
// READ ONLY transaction for as long as the export runs. The catalog, the installed schema, every
// table's documents (paged by keyset on `by_creation_time`) and the stored files' chunks are all
// read in it, so they show one commit; writers go on meanwhile and are not seen.

import { BY_CREATION_TIME, BY_ID, type Catalog } from "../catalog.js";
import { documentPages } from "../document-pages.js";
import type { DatabaseSnapshot, InstalledSchema, SnapshotTable, Timestamp } from "../types.js";
import { PostgresBlobStore } from "./blob-store.js";
import { PostgresStore, type Queryable } from "./store.js";

/** Documents per page: a few MB at most, and few enough round trips to keep an export fast. */
const PAGE = 1000;

/**
 * The snapshot an open transaction on `conn` shows. `release` ends it (COMMIT) and hands the
 * connection back.
 *
 * @example
 * const snapshot = new PostgresSnapshot(session, ts, catalog, userSchema, () => endTransaction());
 */
export class PostgresSnapshot implements DatabaseSnapshot {
  readonly tables: readonly SnapshotTable[];
  readonly files: PostgresBlobStore;
  private readonly store: PostgresStore;
  private closed = false;

  constructor(
    conn: Queryable,
    readonly ts: Timestamp,
    private readonly catalog: Catalog,
    readonly userSchema: InstalledSchema | undefined,
    private readonly release: () => Promise<void>,
  ) {
    this.store = new PostgresStore(conn);
    this.files = PostgresBlobStore.within(conn);
    this.tables = [...catalog.all()]
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
    if (this.closed) throw new Error("The snapshot is closed.");
    for await (const page of documentPages(this.store, info.byCreationTime.id, PAGE)) {
      yield page;
      if (this.closed) throw new Error("The snapshot is closed.");
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}
