// The state of one transaction: its connection, what it read and wrote, and its limits.
// `ctx.db` objects (reader.ts, writer.ts) are thin views over it.

import type { Catalog, TableInfo } from "./catalog.js";
import type { CreationClock } from "./clock.js";
import type { ReadSetBuilder } from "./read-set.js";
import { isPromise, type MaybePromise, type Store } from "./engine.js";
import type { IndexWrite } from "./types.js";
import type { SchemaState } from "./validation.js";

/** Per-transaction limits (Convex's numbers). */
export const TX_LIMITS = {
  /** Documents a transaction may read (every document a scan examined counts). */
  maxDocumentsRead: 32_000,
  /** Distinct documents a transaction may write. */
  maxDocumentsWritten: 16_384,
  /**
   * Bytes of file contents one mutation may store with `ctx.storage.store` (Convex's 16 MiB of
   * data written per transaction; each file's `_storage` row also counts as a document written).
   */
  maxFileBytesStored: 16 * 1024 * 1024,
  /** Bytes of file contents one mutation may read with `ctx.storage.get` (Convex's 16 MiB read). */
  maxFileBytesRead: 16 * 1024 * 1024,
} as const;

/** One read-only or read-write transaction. */
export class TxState {
  // The write-side collections are made on first use: a read transaction (one per live query
  // run, thousands at once when a client subscribes) never needs them.
  #writes: IndexWrite[] | undefined;
  #touchedTables: Set<TableInfo> | undefined;
  /** Bumped by every write so open scans know their prefetched page may be stale. */
  writeVersion = 0;
  /** The journal's end cursor for the first paginate() call (read transactions). */
  journalEndCursor: string | undefined;
  /** Set by the first paginate() call: its continueCursor, for the journal. */
  paginationEndCursor: string | undefined;
  /** The timestamp a write transaction commits at if it commits (vector caches note it). */
  commitTs: bigint | undefined;
  /** True once a paginate() call took the journal's end cursor. */
  paginated = false;
  private documentsRead = 0;
  private written: Set<string> | undefined;
  private finished = false;
  /** Writes the engine is still carrying out (Postgres pipelines them), and the first that failed. */
  private pending: Promise<void>[] | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    readonly store: Store,
    readonly catalog: Catalog,
    readonly schema: SchemaState,
    readonly kind: "read" | "write",
    /** The snapshot timestamp of a read transaction (writes always see the latest state). */
    readonly snapshotTs: bigint | undefined,
    /** Present for read transactions only: writes are serialized and need no read set. */
    readonly readSet: ReadSetBuilder | undefined,
    /** Hands out `_creationTime` values (write transactions). */
    readonly creationClock?: CreationClock,
  ) {}

  /** Keys written, old and new, in every index (write transactions). */
  get writes(): IndexWrite[] {
    return (this.#writes ??= []);
  }

  /** Tables this transaction wrote that may still need their catalog rows. */
  get touchedTables(): Set<TableInfo> {
    return (this.#touchedTables ??= new Set());
  }

  /** Throws when the transaction is over (a db call from a stray callback after the handler returned). */
  assertOpen(): void {
    if (this.finished) {
      throw new Error("This transaction is already finished: a database call ran after its function returned (missing `await`?).");
    }
  }

  /** How many more documents this transaction may read. */
  get readsLeft(): number {
    return TX_LIMITS.maxDocumentsRead - this.documentsRead;
  }

  /** Counts one document read against the limit. */
  countRead(): void {
    if (++this.documentsRead > TX_LIMITS.maxDocumentsRead) {
      throw new Error(`Too many documents read in one transaction: the limit is ${TX_LIMITS.maxDocumentsRead}. Use an index or pagination to read less.`);
    }
  }

  /** Counts a document about to be written against the limit. */
  countWrite(id: string): void {
    const written = (this.written ??= new Set());
    if (written.has(id)) return;
    if (written.size >= TX_LIMITS.maxDocumentsWritten) {
      throw new Error(`Too many documents written in one transaction: the limit is ${TX_LIMITS.maxDocumentsWritten}. Split the work into several mutations.`);
    }
    written.add(id);
  }

  /**
   * Keeps a write's result: a promise is not awaited here (the engine runs writes in order on
   * the transaction's connection, so later reads see them) but `settle` waits for it.
   *
   * @example
   * tx.track(tx.store.insertDocument(id, table.id, json));
   */
  track(result: MaybePromise<void>): void {
    if (!isPromise(result)) return;
    (this.pending ??= []).push(
      result.catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
  }

  /** Waits for every tracked write; throws the first failure. Nothing to wait for on SQLite. */
  settle(): MaybePromise<void> {
    const pending = this.pending;
    if (pending === undefined || pending.length === 0) {
      if (this.failure !== undefined) throw this.failure.error;
      return;
    }
    this.pending = undefined;
    return Promise.all(pending).then(() => this.settle());
  }

  finish(): void {
    this.finished = true;
  }
}
