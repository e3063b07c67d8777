// The writer's store during a group commit: writes are held in memory and sent only when
// something must see them - a read of the batch, or the end of the batch - so that
//
// - a mutation that throws before any of its writes were sent needs no savepoint: its held
//   writes are dropped. A savepoint is opened only when a mutation reads after it wrote (its
//   writes must then be in Postgres, and undoable). Every savepoint with a write is a Postgres
//   subtransaction with an xid of its own, and past 64 of them in one transaction every snapshot
//   taken meanwhile must consult pg_subtrans: the savepoint per mutation was the backend's
//   largest cost per mutation;
// - consecutive new documents go as one multi-row statement for the whole run of them, not one
//   statement each.
//
// Order is kept: held writes go out in the order they were made, before the read that needed
// them. A held write that fails fails the batch at COMMIT (write-batch.ts re-runs it with every
// write sent and checked as it is made, savepoint per mutation, so the failure stays with its
// mutation).

import type { TableInfo } from "../catalog.js";
import type { ScanRequest, ScanRow, Store } from "../engine.js";
import type { IndexWrite } from "../types.js";
import type { NewDocument, PostgresStore } from "./store.js";

/**
 * Held writes sent at a mutation's end once there are this many: a few statements per batch
 * (not one per mutation), yet Postgres works on a batch's first writes while its later mutations run.
 */
const SEND_AT = 128;

/** A held write: a new document (sent with the documents next to it), or any other write. */
type Write = { readonly kind: "insert"; readonly document: NewDocument } | { readonly kind: "other"; readonly send: () => Promise<void> };

/** One held write and how to settle what its caller tracks. */
type Held = Write & { readonly settle: { resolve: () => void; reject: (error: unknown) => void } };

/**
 * A `Store` that holds writes until a read or `flush` needs them, and the savepoint state of the
 * mutation running on it.
 *
 * @example
 * const store = new HeldWritesStore(new PostgresStore(writer), (text) => send(writer, text, []));
 * store.startMutation();
 * store.insertNewDocument(id, 3, json, entries); // held
 * await store.loadDocumentJson(id); // sends SAVEPOINT, the insert, then the read
 */
export class HeldWritesStore implements Store {
  /** False: every write is sent as it is made (the batch's careful re-run; schema installs). */
  holding = false;
  private held: Held[] = [];
  /** Where the running mutation's own held writes start in `held`. */
  private mutationStart = 0;
  /** True once the running mutation's savepoint was sent. */
  private savepointOpen = false;
  /**
   * True once a mutation of this batch was rolled back to its savepoint: that revives a
   * transaction a failed write had aborted, so COMMIT alone no longer proves every write succeeded.
   */
  rolledBack = false;

  constructor(
    private readonly inner: PostgresStore,
    /** Sends a savepoint statement in order with the writes (SAVEPOINT / RELEASE / ROLLBACK TO). */
    private readonly sendControl: (statement: string) => Promise<unknown>,
  ) {}

  /** A mutation starts: nothing of it is held, and it has no savepoint yet (unless not holding). */
  startMutation(): Promise<void> {
    this.mutationStart = this.held.length;
    this.savepointOpen = !this.holding;
    return this.holding ? Promise.resolve() : done(this.sendControl("SAVEPOINT tx"));
  }

  /**
   * The mutation succeeded: its held writes become the batch's; its savepoint, if sent, is
   * released. Past SEND_AT held writes they are sent now, so Postgres inserts them while the next
   * mutations run instead of all at the end of the batch.
   */
  endMutation(): Promise<void> {
    this.mutationStart = this.held.length;
    let released: Promise<void> = Promise.resolve();
    if (this.savepointOpen) {
      this.savepointOpen = false;
      released = done(this.sendControl("RELEASE SAVEPOINT tx"));
    }
    if (this.held.length >= SEND_AT) this.flush();
    return released;
  }

  /** The mutation failed: its held writes are dropped unsent, and what it sent is rolled back. */
  async undoMutation(): Promise<void> {
    for (const write of this.held.splice(this.mutationStart)) write.settle.resolve(); // never ran: nothing failed
    if (!this.savepointOpen) return;
    this.savepointOpen = false;
    this.rolledBack = true;
    await Promise.all([this.sendControl("ROLLBACK TO SAVEPOINT tx"), this.sendControl("RELEASE SAVEPOINT tx")]);
  }

  /** The batch ended without COMMIT: held writes are dropped. */
  discard(): void {
    for (const write of this.held.splice(0)) write.settle.resolve();
    this.mutationStart = 0;
    this.savepointOpen = false;
    this.rolledBack = false;
  }

  /**
   * Sends every held write, earlier mutations' first and - behind a savepoint opened now - the
   * running mutation's own. Returns at once; each write's tracked promise settles with its statement.
   */
  flush(): void {
    if (this.held.length === 0) return;
    const earlier = this.held.slice(0, this.mutationStart);
    const own = this.held.slice(this.mutationStart);
    this.held = [];
    this.mutationStart = 0;
    sendInOrder(this.inner, earlier);
    if (own.length === 0) return;
    if (!this.savepointOpen) {
      this.savepointOpen = true;
      // Its failure shows as the failure of the writes behind it (the transaction is aborted).
      this.sendControl("SAVEPOINT tx").catch(() => undefined);
    }
    sendInOrder(this.inner, own);
  }

  private hold(write: Write): Promise<void> {
    return new Promise<void>((resolve, reject) => this.held.push({ ...write, settle: { resolve, reject } }));
  }

  private other(send: () => Promise<void>): Promise<void> {
    return this.holding ? this.hold({ kind: "other", send }) : send();
  }

  scanPage(request: ScanRequest): Promise<ScanRow[]> {
    this.flush();
    return this.inner.scanPage(request);
  }

  scanKeys(request: ScanRequest): Promise<Uint8Array[]> {
    this.flush();
    return this.inner.scanKeys(request);
  }

  loadDocumentJson(id: string): Promise<string | undefined> {
    this.flush();
    return this.inner.loadDocumentJson(id);
  }

  insertNewDocument(id: string, tableId: number, json: string, entries: readonly IndexWrite[]): Promise<void> {
    if (!this.holding) return this.inner.insertNewDocument(id, tableId, json, entries);
    return this.hold({ kind: "insert", document: { id, tableId, json, entries } });
  }

  insertDocument(id: string, tableId: number, json: string): Promise<void> {
    return this.insertNewDocument(id, tableId, json, []);
  }

  updateDocument(id: string, json: string): Promise<void> {
    return this.other(() => this.inner.updateDocument(id, json));
  }

  deleteDocument(id: string): Promise<void> {
    return this.other(() => this.inner.deleteDocument(id));
  }

  insertEntries(indexId: number, keys: readonly Uint8Array[], docId: string): Promise<void> {
    return this.other(() => this.inner.insertEntries(indexId, keys, docId));
  }

  deleteEntry(indexId: number, key: Uint8Array): Promise<void> {
    return this.other(() => this.inner.deleteEntry(indexId, key));
  }

  persistTable(table: TableInfo): Promise<void> {
    return this.other(() => this.inner.persistTable(table));
  }

  insertIndex(tableId: number, indexId: number, name: string, fields: readonly string[]): Promise<void> {
    return this.other(() => this.inner.insertIndex(tableId, indexId, name, fields));
  }

  dropIndex(indexId: number): Promise<void> {
    return this.other(() => this.inner.dropIndex(indexId));
  }
}

/** Sends `writes` in order: each run of consecutive new documents as one statement. */
function sendInOrder(store: PostgresStore, writes: readonly Held[]): void {
  for (let i = 0; i < writes.length; ) {
    const write = writes[i]!;
    if (write.kind === "other") {
      settleWith(write.send(), [write]);
      i++;
      continue;
    }
    let end = i + 1;
    while (end < writes.length && writes[end]!.kind === "insert") end++;
    const run = writes.slice(i, end) as (Held & { kind: "insert" })[];
    settleWith(
      store.insertNewDocuments(run.map((held) => held.document)),
      run,
    );
    i = end;
  }
}

function settleWith(statement: Promise<void>, writes: readonly Held[]): void {
  statement.then(
    () => {
      for (const write of writes) write.settle.resolve();
    },
    (error: unknown) => {
      for (const write of writes) write.settle.reject(error);
    },
  );
}

async function done(statement: Promise<unknown>): Promise<void> {
  await statement;
}
