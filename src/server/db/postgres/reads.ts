// Reads on a Postgres database: a batch of read calls on one snapshot (a REPEATABLE READ READ
// ONLY transaction of a pooled connection), and the snapshot an export holds open. The database
// counts them, retries them after a lost connection and waits for commits they saw.

import type pg from "pg";
import { Catalog, type IndexRow, type TableRow } from "../catalog.js";
import { runSnapshotCalls } from "../snapshot-calls.js";
import type { DatabaseSnapshot, ReadCall, ReadResult } from "../types.js";
import type { SchemaState } from "../validation.js";
import { loadShapes } from "./meta.js";
import { inTransaction, withPooledSession } from "./session.js";
import { PostgresSnapshot } from "./snapshot-read.js";
import { PostgresStore, readLastTs, send } from "./store.js";

/**
 * The calls in a REPEATABLE READ READ ONLY transaction on a pooled connection, called in the
 * caller's own async context. BEGIN and the snapshot's timestamp go out together, and the
 * COMMIT ending it is not waited for (a read-only transaction keeps nothing either way). `schema`
 * is asked once the snapshot is taken (a schema installed meanwhile already applies).
 *
 * @example
 * const [result] = await readSnapshot(pool, catalog, () => schema, [{ fn: (tx) => tx.db.get(id) }]);
 */
export function readSnapshot<T>(pool: pg.Pool, catalog: Catalog, schema: () => SchemaState, calls: readonly ReadCall<T>[]): Promise<ReadResult<T>[]> {
  return withPooledSession(pool, async (conn) => {
    const begun = send(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", []);
    begun.catch(() => undefined); // its failure fails the next statement too
    try {
      const ts = await readLastTs(conn); // the first statement takes the snapshot
      await begun;
      return await runSnapshotCalls(new PostgresStore(conn), catalog, schema(), ts, calls);
    } finally {
      send(conn, "COMMIT", []).catch(() => undefined);
    }
  });
}

/**
 * Opens one snapshot of everything for an export: a pooled connection held in one REPEATABLE
 * READ READ ONLY transaction until the snapshot's `close`; `readEnded` is called once the
 * connection is back in the pool (or opening failed). The catalog and the installed schema are
 * read in it too, so they are those of `ts`.
 *
 * @example
 * const snapshot = await holdSnapshot(pool, () => activeReads--);
 */
export function holdSnapshot(pool: pg.Pool, readEnded: () => void): Promise<DatabaseSnapshot> {
  let opened!: (snapshot: DatabaseSnapshot) => void;
  const snapshot = new Promise<DatabaseSnapshot>((resolve) => (opened = resolve));
  let endSnapshot!: () => void;
  const ended = new Promise<void>((resolve) => (endSnapshot = resolve));
  const held = withPooledSession(pool, async (conn) => {
    await inTransaction(
      conn,
      async (tx) => {
        const ts = await readLastTs(tx); // the first statement takes the snapshot
        const [tables, indexes, userSchema] = await Promise.all([
          send<TableRow>(tx, "SELECT id, name FROM syncline_tables", []),
          send<IndexRow>(tx, "SELECT id, table_id, name, fields FROM syncline_indexes", []),
          loadShapes(tx, "user"),
        ]);
        opened(new PostgresSnapshot(tx, ts, Catalog.load(tables, indexes), userSchema, async () => {
          endSnapshot();
          await held;
        }));
        await ended;
      },
      "ISOLATION LEVEL REPEATABLE READ READ ONLY",
    );
  }).finally(readEnded);
  // Opening failed: no snapshot was handed out, so nobody else waits for `held`.
  return Promise.race([snapshot, held.then(() => snapshot)]);
}
