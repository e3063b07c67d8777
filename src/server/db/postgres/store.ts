// Row-level storage on PostgreSQL. Every statement is parameterised. Statements of one
// connection run in the order they were sent (session.ts), so writes need not be awaited where
// they are made: reads of the same transaction come after them, and the batch checks them all
// before COMMIT.

import type { TableInfo } from "../catalog.js";
import type { BatchConnection, CommittedWrite, ScanRequest, ScanRow, Store } from "../engine.js";
import type { IndexWrite } from "../types.js";
import { encodeWrites } from "./commit-log.js";
import { COMMIT_CHANNEL, PREFIX } from "./layout.js";
import { lockEpoch } from "./leader-row.js";
import type { Queryable, ReconnectingSession } from "./session.js";

export type { Queryable } from "./session.js";

/** Sends a parameterised statement on `conn` (in order after the ones sent before); resolves to its rows. */
export function send<T extends object = Record<string, unknown>>(conn: Queryable, text: string, params: readonly unknown[]): Promise<T[]> {
  return conn.query<T>(text, params);
}

/** A key as the driver sends bytea (a Buffer view, no copy). */
export function bytes(key: Uint8Array): Buffer {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}

const RANGE =
  `e.index_id = $1 AND ${PREFIX("e.key")} >= ${PREFIX("$2::bytea")} AND ${PREFIX("e.key")} <= ${PREFIX("$3::bytea")} ` + `AND e.key >= $2::bytea AND e.key < $3::bytea`;
const SCAN_ASC =
  `SELECT e.key AS key, d.json AS json FROM syncline_index_entries e JOIN syncline_documents d ON d.id = e.doc_id ` +
  `WHERE ${RANGE} ORDER BY ${PREFIX("e.key")}, e.key LIMIT $4`;
const SCAN_DESC = SCAN_ASC.replace(`ORDER BY ${PREFIX("e.key")}, e.key`, `ORDER BY ${PREFIX("e.key")} DESC, e.key DESC`);
const KEYS_ASC = `SELECT e.key AS key FROM syncline_index_entries e WHERE ${RANGE} ORDER BY ${PREFIX("e.key")}, e.key LIMIT $4`;
const KEYS_DESC = KEYS_ASC.replace(`ORDER BY ${PREFIX("e.key")}, e.key`, `ORDER BY ${PREFIX("e.key")} DESC, e.key DESC`);

/**
 * The `Store` of one Postgres connection (a transaction's).
 *
 * @example
 * const rows = await new PostgresStore(tx).scanPage({ indexId: 3, low, high, order: "asc", limit: 50 });
 */
export class PostgresStore implements Store {
  constructor(readonly conn: Queryable) {}

  scanPage(request: ScanRequest): Promise<ScanRow[]> {
    const text = request.order === "asc" ? SCAN_ASC : SCAN_DESC;
    return send<ScanRow>(this.conn, text, [request.indexId, bytes(request.low), bytes(request.high), request.limit]);
  }

  async scanKeys(request: ScanRequest): Promise<Uint8Array[]> {
    const text = request.order === "asc" ? KEYS_ASC : KEYS_DESC;
    const rows = await send<{ key: Uint8Array }>(this.conn, text, [request.indexId, bytes(request.low), bytes(request.high), request.limit]);
    return rows.map((row) => row.key);
  }

  async loadDocumentJson(id: string): Promise<string | undefined> {
    const rows = await send<{ json: string }>(this.conn, "SELECT json FROM syncline_documents WHERE id = $1", [id]);
    return rows[0]?.json;
  }

  insertDocument(id: string, tableId: number, json: string): Promise<void> {
    return done(send(this.conn, "INSERT INTO syncline_documents (id, table_id, json) VALUES ($1, $2, $3)", [id, tableId, json]));
  }

  insertNewDocument(id: string, tableId: number, json: string, entries: readonly IndexWrite[]): Promise<void> {
    if (entries.length === 0) return this.insertDocument(id, tableId, json);
    // One statement: the document and every entry (a data-modifying WITH always runs in full).
    const text =
      "WITH document AS (INSERT INTO syncline_documents (id, table_id, json) VALUES ($1, $2, $3)) " +
      "INSERT INTO syncline_index_entries (index_id, key, doc_id) SELECT i, k, $1 FROM unnest($4::integer[], $5::bytea[]) AS entry(i, k)";
    const indexIds = entries.map((entry) => entry.indexId);
    const keys = entries.map((entry) => bytes(entry.key));
    return done(send(this.conn, text, [id, tableId, json, indexIds, keys]));
  }

  updateDocument(id: string, json: string): Promise<void> {
    return done(send(this.conn, "UPDATE syncline_documents SET json = $2 WHERE id = $1", [id, json]));
  }

  deleteDocument(id: string): Promise<void> {
    return done(send(this.conn, "DELETE FROM syncline_documents WHERE id = $1", [id]));
  }

  insertEntries(indexId: number, keys: readonly Uint8Array[], docId: string): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    // One statement whatever the count: the keys go as one bytea[] parameter.
    const text = "INSERT INTO syncline_index_entries (index_id, key, doc_id) SELECT $1, k, $3 FROM unnest($2::bytea[]) AS k";
    return done(send(this.conn, text, [indexId, keys.map(bytes), docId]));
  }

  deleteEntry(indexId: number, key: Uint8Array): Promise<void> {
    const text = `DELETE FROM syncline_index_entries WHERE index_id = $1 AND ${PREFIX("key")} = ${PREFIX("$2::bytea")} AND key = $2::bytea`;
    return done(send(this.conn, text, [indexId, bytes(key)]));
  }

  async persistTable(table: TableInfo): Promise<void> {
    const writes = [send(this.conn, "INSERT INTO syncline_tables (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [table.id, table.name])];
    for (const index of [table.byId, table.byCreationTime]) {
      writes.push(
        send(this.conn, "INSERT INTO syncline_indexes (id, table_id, name, fields) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", [
          index.id,
          table.id,
          index.name,
          JSON.stringify(index.fields),
        ]),
      );
    }
    await Promise.all(writes);
  }

  insertIndex(tableId: number, indexId: number, name: string, fields: readonly string[]): Promise<void> {
    return done(send(this.conn, "INSERT INTO syncline_indexes (id, table_id, name, fields) VALUES ($1, $2, $3, $4)", [indexId, tableId, name, JSON.stringify(fields)]));
  }

  async dropIndex(indexId: number): Promise<void> {
    await Promise.all([
      send(this.conn, "DELETE FROM syncline_index_entries WHERE index_id = $1", [indexId]),
      send(this.conn, "DELETE FROM syncline_indexes WHERE id = $1", [indexId]),
    ]);
  }
}

async function done(query: Promise<unknown>): Promise<void> {
  await query;
}

/** Stores the last committed timestamp (inside the committing transaction). */
export function writeLastTs(conn: Queryable, ts: bigint): Promise<void> {
  return done(send(conn, "UPDATE syncline_meta SET value = $1 WHERE key = 'last_ts'", [ts.toString()]));
}

/** Reads the last committed timestamp (the first read of a transaction pins its snapshot). */
export async function readLastTs(conn: Queryable): Promise<bigint> {
  const rows = await send<{ value: string }>(conn, "SELECT value FROM syncline_meta WHERE key = 'last_ts'", []);
  return BigInt(rows[0]?.value ?? "0");
}

/**
 * The statements that record committed writes inside their transaction: the last timestamp, one
 * commit-log row per commit, and the NOTIFY that wakes followers (delivered at COMMIT).
 *
 * @example
 * await Promise.all([...logCommits(tx, [{ ts, writes: [] }], epoch), send(tx, "COMMIT", [])]);
 */
export function logCommits(conn: Queryable, commits: readonly CommittedWrite[], epoch: bigint): Promise<unknown>[] {
  const last = commits.at(-1);
  if (last === undefined) return [];
  const statements: Promise<unknown>[] = [writeLastTs(conn, last.ts)];
  for (const commit of commits) {
    statements.push(send(conn, "INSERT INTO syncline_commit_log (ts, writes, epoch) VALUES ($1, $2, $3)", [commit.ts.toString(), encodeWrites(commit.writes), epoch.toString()]));
  }
  statements.push(send(conn, "SELECT pg_notify($1, $2)", [COMMIT_CHANNEL, last.ts.toString()]));
  return statements;
}

/**
 * The writer connection as a group-commit connection: one Postgres transaction per batch, a
 * savepoint per mutation, and at COMMIT the last timestamp, one commit-log row per mutation and
 * a NOTIFY, all in the same transaction. Statements are pipelined; the batch waits only where
 * write-batch.ts waits.
 *
 * @example
 * const batch = await runWriteBatch({ conn: new PostgresBatchConnection(writer, prune), ... }, jobs);
 */
export class PostgresBatchConnection implements BatchConnection {
  readonly store: PostgresStore;
  /** False once the batch ended, or a statement of it failed beyond a savepoint. */
  inTransaction = false;

  constructor(
    private readonly conn: ReconnectingSession,
    /** Statements to add to a committing batch (the commit log's pruning). */
    private readonly beforeCommit: (conn: Queryable, commits: readonly CommittedWrite[]) => Promise<unknown>[],
    /**
     * Throws unless `pid` is the backend that holds the owner lock (the connection was not
     * replaced) and `epoch` (read FOR SHARE in this transaction) is still this leader's.
     */
    private readonly checkSession: (pid: number, epoch: readonly { epoch: string }[]) => void,
    /** The epoch this leader writes in (stored with each commit-log row). */
    private readonly epoch: () => bigint,
  ) {
    this.store = new PostgresStore(conn);
  }

  /** BEGIN, pipelined with the checks that the session still is the lock holder and the epoch still ours. */
  async begin(): Promise<void> {
    this.conn.renew();
    this.inTransaction = true;
    try {
      const [rows, , epoch] = await Promise.all([send<{ pid: number }>(this.conn, "SELECT pg_backend_pid() AS pid", []), send(this.conn, "BEGIN", []), lockEpoch(this.conn)]);
      this.checkSession(rows[0]!.pid, epoch);
    } catch (error) {
      this.inTransaction = false;
      await send(this.conn, "ROLLBACK", []).catch(() => undefined);
      throw error;
    }
  }

  savepoint(): Promise<void> {
    return done(send(this.conn, "SAVEPOINT tx", []));
  }

  release(): Promise<void> {
    return done(send(this.conn, "RELEASE SAVEPOINT tx", []));
  }

  async rollbackToSavepoint(): Promise<void> {
    await Promise.all([send(this.conn, "ROLLBACK TO SAVEPOINT tx", []), send(this.conn, "RELEASE SAVEPOINT tx", [])]);
  }

  async commit(commits: readonly CommittedWrite[]): Promise<void> {
    const statements = [...logCommits(this.conn, commits, this.epoch()), ...this.beforeCommit(this.conn, commits)];
    const committing = send(this.conn, "COMMIT", []);
    try {
      await Promise.all([...statements, committing]);
    } finally {
      this.inTransaction = false;
    }
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    await send(this.conn, "ROLLBACK", []);
  }
}
