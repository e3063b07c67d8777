// The storage engine contract: what the engine-neutral layer (transactions, `ctx.db`, scans,
// read sets, schema installs, group commit) asks of a storage engine. SQLite (./sqlite) answers
// synchronously, Postgres (./postgres) with promises; callers test for a promise instead of
// awaiting every call, so the SQLite path keeps its synchronous speed.

import type { TableInfo } from "./catalog.js";
import type { IndexWrite } from "./types.js";

/** A value now (SQLite) or later (Postgres). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * True when `value` is a promise to wait for.
 *
 * @example
 * const page = store.scanPage(request);
 * return isPromise(page) ? page.then(use) : use(page);
 */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

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

/**
 * Row-level access inside one open transaction. Writes may return a promise that the caller
 * hands to `TxState.track` instead of awaiting: a Postgres engine pipelines them on the
 * transaction's connection, so later reads of the same transaction still see them.
 */
export interface Store {
  /** One page of an index range with its documents. */
  scanPage(request: ScanRequest): MaybePromise<ScanRow[]>;
  /**
   * One page of an index range, its keys only: no document is read (a vector index's keys hold
   * everything its search needs).
   */
  scanKeys(request: ScanRequest): MaybePromise<Uint8Array[]>;
  /** The stored JSON of a document, or undefined. */
  loadDocumentJson(id: string): MaybePromise<string | undefined>;
  insertDocument(id: string, tableId: number, json: string): MaybePromise<void>;
  /**
   * Inserts a new document with all its index entries in as few statements as the engine can:
   * a statement per index was most of the storage cost of a small insert.
   */
  insertNewDocument(id: string, tableId: number, json: string, entries: readonly IndexWrite[]): MaybePromise<void>;
  updateDocument(id: string, json: string): MaybePromise<void>;
  deleteDocument(id: string): MaybePromise<void>;
  /**
   * Adds several entries of one document to one index in as few statements as the engine can:
   * a search index writes a posting per term and filter, and a statement each was most of the
   * cost of an insert into a table with a search index.
   */
  insertEntries(indexId: number, keys: readonly Uint8Array[], docId: string): MaybePromise<void>;
  deleteEntry(indexId: number, key: Uint8Array): MaybePromise<void>;
  /** Writes a reserved table's catalog rows (idempotent). */
  persistTable(table: TableInfo): MaybePromise<void>;
  /** Adds an index's catalog row. */
  insertIndex(tableId: number, indexId: number, name: string, fields: readonly string[]): MaybePromise<void>;
  /** Removes an index's catalog row and every entry of it. */
  dropIndex(indexId: number): MaybePromise<void>;
}

/**
 * The writer connection of a group-commit batch (write-batch.ts): one engine transaction with
 * a savepoint per mutation.
 */
export interface BatchConnection {
  readonly store: Store;
  begin(): MaybePromise<void>;
  savepoint(): MaybePromise<void>;
  release(): MaybePromise<void>;
  rollbackToSavepoint(): MaybePromise<void>;
  /**
   * Sends writes the engine held back (Postgres holds a batch's writes until something needs
   * them); called before the batch waits for its writes' results. Returns true when that wait is
   * not needed: a failed write aborted the engine's transaction and nothing since can have revived
   * it (no savepoint was rolled back), so `commit` fails by itself. Engines that hold nothing omit it.
   */
  flush?(): boolean;
  /**
   * Stores the last timestamp and the commits' log entries, then commits. `commits` is empty
   * when every mutation of the batch failed.
   */
  commit(commits: readonly CommittedWrite[]): MaybePromise<void>;
  rollback(): MaybePromise<void>;
  /** False when the engine itself ended the transaction (SQLite: disk full, I/O error). */
  readonly inTransaction: boolean;
}

/** One committed mutation of a batch, for the commit log. */
export interface CommittedWrite {
  readonly ts: bigint;
  readonly writes: readonly { readonly indexId: number; readonly key: Uint8Array }[];
}
