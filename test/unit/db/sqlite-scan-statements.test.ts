// The SQLite store's paged scans: every page has exactly the rows asked for, in order, and the
// statements never bind LIMIT as a bare parameter (SQLite would prepare such a statement again on
// every scan; the cost is shown by the db bench, the form is guarded here).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Connection } from "../../../src/server/db/sqlite/connection.js";
import type { Statement, StatementSource } from "../../../src/server/db/sqlite/statements.js";
import { SqliteStore } from "../../../src/server/db/sqlite/store.js";

const INDEX = 7;
const key = (n: number) => Uint8Array.of(1, n);

/** The connection, noting the SQL of every statement the store prepares. */
class RecordingSource implements StatementSource {
  readonly prepared = new Set<string>();
  constructor(private readonly conn: Connection) {}
  statement(sql: string): Statement {
    this.prepared.add(sql);
    return this.conn.statement(sql);
  }
  run(sql: string): void {
    this.conn.run(sql);
  }
  get inTransaction(): boolean {
    return this.conn.inTransaction;
  }
}

describe("SQLite store scans", () => {
  let dir: string;
  let conn: Connection;
  let source: RecordingSource;
  let store: SqliteStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "syncline-scan-"));
    conn = new Connection(join(dir, "db.sqlite"), "writer");
    source = new RecordingSource(conn);
    store = new SqliteStore(source);
    conn.run("BEGIN");
    for (let n = 0; n < 10; n++) store.insertNewDocument(`doc${n}`, 1, JSON.stringify({ n }), [{ indexId: INDEX, key: key(n) }]);
    conn.run("COMMIT");
  });

  afterEach(() => {
    conn.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("returns exactly `limit` rows of the range, in either order, for every page size", () => {
    for (const limit of [1, 3, 1, 8, 100]) {
      const asc = store.scanPage({ indexId: INDEX, low: key(2), high: key(9), order: "asc", limit });
      expect(asc.map((row) => JSON.parse(row.json).n)).toEqual([2, 3, 4, 5, 6, 7, 8].slice(0, limit));
      const desc = store.scanKeys({ indexId: INDEX, low: key(2), high: key(9), order: "desc", limit });
      expect(desc.map((k) => k[1])).toEqual([8, 7, 6, 5, 4, 3, 2].slice(0, limit));
    }
  });

  it("binds the page size through an expression, never as a bare LIMIT parameter", () => {
    for (const order of ["asc", "desc"] as const) {
      store.scanPage({ indexId: INDEX, low: key(0), high: key(9), order, limit: 2 });
      store.scanKeys({ indexId: INDEX, low: key(0), high: key(9), order, limit: 2 });
    }
    const scans = [...source.prepared].filter((sql) => sql.includes("LIMIT"));
    expect(scans).toHaveLength(4);
    for (const sql of scans) expect(sql).not.toMatch(/LIMIT\s+\?\s*$/);
  });
});
