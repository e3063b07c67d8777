// Row-level storage on PostgreSQL. Every statement is parameterised. Statements of one
// connection run in the order they were sent (session.ts), so writes need not be awaited where
// they are made: reads of the same transaction come after them, and the batch checks them all
// before COMMIT.

import type { TableInfo } from "../catalog.js";
import type { ScanRequest, ScanRow, Store } from "../engine.js";
import type { IndexWrite } from "../types.js";
import { PREFIX } from "./layout.js";
import type { Queryable } from "./session.js";

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

/** A new document and its index entries, as `insertNewDocuments` takes them. */
export interface NewDocument {
  readonly id: string;
  readonly tableId: number;
  readonly json: string;
  readonly entries: readonly IndexWrite[];
}

/** Many documents and their entries (a data-modifying WITH always runs in full). */
const INSERT_DOCUMENTS =
  "WITH document AS (INSERT INTO syncline_documents (id, table_id, json) SELECT * FROM unnest($1::text[], $2::integer[], $3::text[])) " +
  "INSERT INTO syncline_index_entries (index_id, key, doc_id) SELECT * FROM unnest($4::integer[], $5::bytea[], $6::text[])";

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

  /**
   * Inserts new documents with all their index entries in one statement, however many there are
   * (the group commit's held writes: one statement per run of inserts, not one per document).
   *
   * @example
   * await store.insertNewDocuments([{ id, tableId: 3, json, entries: [{ indexId: 4, key }] }]);
   */
  insertNewDocuments(documents: readonly NewDocument[]): Promise<void> {
    if (documents.length === 1) {
      const [only] = documents as [NewDocument];
      return this.insertNewDocument(only.id, only.tableId, only.json, only.entries);
    }
    const ids: string[] = [];
    const tableIds: number[] = [];
    const jsons: string[] = [];
    const indexIds: number[] = [];
    const keys: Buffer[] = [];
    const docIds: string[] = [];
    for (const document of documents) {
      ids.push(document.id);
      tableIds.push(document.tableId);
      jsons.push(document.json);
      for (const entry of document.entries) {
        indexIds.push(entry.indexId);
        keys.push(bytes(entry.key));
        docIds.push(document.id);
      }
    }
    return done(send(this.conn, INSERT_DOCUMENTS, [ids, tableIds, jsons, indexIds, keys, docIds]));
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

/** Reads the last committed timestamp (the first read of a transaction pins its snapshot). */
export async function readLastTs(conn: Queryable): Promise<bigint> {
  const rows = await send<{ value: string }>(conn, "SELECT value FROM syncline_meta WHERE key = 'last_ts'", []);
  return BigInt(rows[0]?.value ?? "0");
}
