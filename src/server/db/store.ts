// Row-level storage: documents by id, index entries by (index, key), and paged range scans.
// Scans return whole pages (never an open iterator) because a better-sqlite3 connection cannot
// run another statement while an iterator is open, and user code awaits between rows.

import { keySuccessor, prefixEnd } from "./keys.js";
import type { Connection } from "./sqlite.js";

/** One index entry joined with its document. */
export interface ScanRow {
  key: Uint8Array;
  json: string;
}

/** `low <= key < high`, in `order`, at most `limit` rows. */
export interface ScanRequest {
  indexId: number;
  low: Uint8Array;
  high: Uint8Array;
  order: "asc" | "desc";
  limit: number;
}

const SCAN_ASC =
  "SELECT e.key AS key, d.json AS json FROM index_entries e JOIN documents d ON d.id = e.doc_id " +
  "WHERE e.index_id = ? AND e.key >= ? AND e.key < ? ORDER BY e.key LIMIT ?";
const SCAN_DESC = SCAN_ASC.replace("ORDER BY e.key", "ORDER BY e.key DESC");

/**
 * Reads one page of an index range with its documents.
 *
 * @example
 * scanPage(conn, { indexId: 3, low, high, order: "asc", limit: 50 }) // [{ key, json }, ...]
 */
export function scanPage(conn: Connection, request: ScanRequest): ScanRow[] {
  const statement = conn.statement(request.order === "asc" ? SCAN_ASC : SCAN_DESC);
  return statement.all(request.indexId, request.low, request.high, request.limit) as ScanRow[];
}

/** The stored JSON of a document, or undefined. */
export function loadDocumentJson(conn: Connection, id: string): string | undefined {
  return conn.statement("SELECT json FROM documents WHERE id = ?").pluck().get(id) as string | undefined;
}

export function insertDocumentRow(conn: Connection, id: string, tableId: number, json: string): void {
  conn.statement("INSERT INTO documents (id, table_id, json) VALUES (?, ?, ?)").run(id, tableId, json);
}

export function updateDocumentRow(conn: Connection, id: string, json: string): void {
  conn.statement("UPDATE documents SET json = ? WHERE id = ?").run(json, id);
}

export function deleteDocumentRow(conn: Connection, id: string): void {
  conn.statement("DELETE FROM documents WHERE id = ?").run(id);
}

export function insertEntry(conn: Connection, indexId: number, key: Uint8Array, docId: string): void {
  conn.statement("INSERT INTO index_entries (index_id, key, doc_id) VALUES (?, ?, ?)").run(indexId, key, docId);
}

export function deleteEntry(conn: Connection, indexId: number, key: Uint8Array): void {
  conn.statement("DELETE FROM index_entries WHERE index_id = ? AND key = ?").run(indexId, key);
}

/** Removes every entry of an index (a dropped index). */
export function deleteIndexEntries(conn: Connection, indexId: number): void {
  conn.statement("DELETE FROM index_entries WHERE index_id = ?").run(indexId);
}

/**
 * Every document of a table as pages of stored JSON, in `_creationTime` order (through its
 * `by_creation_time` index), each page read by one keyset query so nothing stays open between
 * pages: the caller may run other statements, or await, between them.
 *
 * @example
 * for (const page of documentPages(conn, table.byCreationTime.id, 1000)) for (const json of page) visit(json);
 */
export function* documentPages(conn: Connection, byCreationTimeIndex: number, pageSize: number): Generator<string[]> {
  let low: Uint8Array = new Uint8Array(0);
  const high = prefixEnd(low);
  for (;;) {
    const rows = scanPage(conn, { indexId: byCreationTimeIndex, low, high, order: "asc", limit: pageSize });
    if (rows.length > 0) yield rows.map((row) => row.json);
    if (rows.length < pageSize) return;
    low = keySuccessor(new Uint8Array(rows[rows.length - 1]!.key));
  }
}
