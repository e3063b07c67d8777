// The embedded database: snapshot reads on a pool of reader connections, serializable writes on
// one writer connection with group commit, schema installs, commit notifications.

import type { GenericSchema, SchemaDefinition } from "../../define/schema.js";
import type { Catalog } from "../catalog.js";
import { CreationClock, nextTimestamp } from "../clock.js";
import { CommitQueue } from "../commit-queue.js";
import { notify, schemaStateFor, type SchemaRequest } from "../database-common.js";
import { installTables } from "../schema-install.js";
import { runSnapshotCalls } from "../snapshot-calls.js";
import { loadSnapshotRows } from "../snapshot-load.js";
import type {
  Commit,
  Database,
  DatabaseSnapshot,
  DatabaseStats,
  LoadedSnapshot,
  ReadCall,
  ReadOptions,
  ReadResult,
  ReadTransaction,
  SnapshotLoad,
  Timestamp,
  WriteOptions,
  WriteResult,
  WriteTransaction,
} from "../types.js";
import type { SchemaState } from "../validation.js";
import { asStorageFull, isNoSpace } from "../storage-full.js";
import { WriterTenure } from "../writer-tenure.js";
import { isInsideWrite, runWriteBatch, type Outcome, type WriteJob } from "../write-batch.js";
import type { Connection } from "./connection.js";
import type { DurabilityHorizon } from "./durability.js";
import { loadShapes, saveShapes } from "./meta.js";
import type { ReaderPool } from "./reader-pool.js";
import { SqliteLoadTarget } from "./snapshot-load.js";
import { SqliteSnapshot } from "./snapshot-read.js";
import { catalogRows, readLastTs, SqliteBatchConnection, writeLastTs } from "./store.js";

type ExclusiveOutcome = { ts: bigint | undefined; afterCommit: () => void };
type ExclusiveJob = {
  readonly exclusive: true;
  /**
   * Runs inside BEGIN IMMEDIATE .. COMMIT; returns what to do after the commit. It may be
   * asynchronous (a load pulling its documents): the queue runs nothing else meanwhile.
   */
  readonly run: (conn: Connection, lastTs: bigint) => Promise<ExclusiveOutcome>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
};
type Job = WriteJob | ExclusiveJob;

const MAX_BATCH = 256;

/** The SQLite-backed `Database`. Make one with `openDatabase`. */
export class EmbeddedDatabase implements Database {
  /**
   * Reads run on the event loop, so more at once are no faster; each holds its objects alive
   * across collections. Measured with 10,000 subscriptions added at once: 1,024 in flight cost
   * 420-460 ms of server CPU (garbage collection included), 128 cost 310-430 ms.
   */
  readonly readsInFlight = 128;
  /** One process holds the file's lock for its whole life: only snapshot loads renew this. */
  private readonly tenure = new WriterTenure();
  private readonly queue = new CommitQueue<Job>(
    (batch) => this.runBatch(batch),
    MAX_BATCH,
    () => this.horizon.whenDurable(this.horizon.committedSeq),
  );
  private readonly listeners = new Set<(commit: Commit) => void>();
  private readonly counters = { batches: 0, commits: 0, rollbacks: 0, reads: 0, durableCommits: 0 };
  private readonly creationClock = new CreationClock();
  private readonly batchConnection: SqliteBatchConnection;
  private activeReads = 0;
  private readsDrained: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  /** @internal Use `openDatabase`. */
  constructor(
    private readonly writer: Connection,
    private readonly pool: ReaderPool,
    private readonly catalog: Catalog,
    private schema: SchemaState,
    /** The last committed timestamp (maybe not durable yet): the next commit goes after it. */
    private lastTs: bigint,
    private readonly horizon: DurabilityHorizon,
    private readonly onClosed: () => void,
    /** How messages name the database (its file). */
    private readonly name: string,
  ) {
    this.durableTs = lastTs;
    this.batchConnection = new SqliteBatchConnection(writer);
  }

  /** The last durable commit's timestamp: nothing newer has been shown to anyone. */
  private durableTs: bigint;

  latestTimestamp(): Timestamp {
    return this.durableTs;
  }

  /**
   * Caps the database file at `bytes` from now on (see `maxSizeBytes` of `openDatabase`);
   * `undefined` lifts the cap. Raising it lets refused writes succeed again at once, with no
   * restart.
   *
   * @example
   * db.setMaxSize(512 * 1024 * 1024);
   */
  setMaxSize(bytes: number | undefined): void {
    this.assertOpen();
    this.writer.limitSize(bytes);
  }

  /** Counters: batches, commits, rollbacks, reads, open reader connections. */
  stats(): DatabaseStats {
    return { ...this.counters, flushes: this.horizon.flushes, flushMs: this.horizon.flushMs, readerConnections: this.pool.size };
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The database is closed.");
    if (this.horizon.failure !== undefined) throw this.horizon.failure;
  }

  /**
   * Runs `fn` on one snapshot.
   *
   * @example
   * const { result, readSet, ts } = await db.read((tx) => tx.db.query("messages").take(10));
   */
  async read<T>(fn: (tx: ReadTransaction) => Promise<T>, options?: ReadOptions): Promise<ReadResult<T>> {
    return (await this.readBatch([{ fn, options }]))[0]!;
  }

  /**
   * Runs every call on one snapshot (see `Database.readBatch`).
   *
   * @example
   * const [a, b] = await db.readBatch([{ fn: (tx) => tx.db.get(idA) }, { fn: (tx) => tx.db.get(idB) }]);
   */
  async readBatch<T>(calls: readonly ReadCall<T>[]): Promise<ReadResult<T>[]> {
    this.assertOpen();
    const seen = { commit: 0 };
    try {
      return await this.readSnapshot(calls, seen);
    } finally {
      // What it read - or the error it threw - may rest on commits still being flushed: nothing
      // of it leaves before they are on disk.
      await this.horizon.whenDurable(seen.commit);
    }
  }

  /** `readBatch` up to the durability wait; records in `seen.commit` the newest commit its snapshot holds. */
  private async readSnapshot<T>(calls: readonly ReadCall<T>[], seen: { commit: number }): Promise<ReadResult<T>[]> {
    this.activeReads++;
    this.counters.reads++;
    let conn: Connection | undefined;
    try {
      conn = await this.pool.acquire();
      conn.run("BEGIN");
      const ts = readLastTs(conn); // the first read starts the transaction and pins its WAL snapshot
      seen.commit = this.horizon.committedSeq; // (synchronously with it: exactly the commits it sees)
      return await runSnapshotCalls(conn.store, this.catalog, this.schema, ts, calls);
    } finally {
      this.endRead(conn);
    }
  }

  /** Ends a read begun by `activeReads++`: its connection (if it got one) goes back to the pool. */
  private endRead(conn: Connection | undefined): void {
    if (conn !== undefined) {
      if (conn.inTransaction) conn.run("COMMIT");
      this.pool.release(conn);
    }
    this.readEnded();
  }

  private readEnded(): void {
    if (--this.activeReads === 0) this.readsDrained?.();
  }

  /**
   * Runs `fn` as a serializable transaction; resolves once its commit is durable.
   *
   * @example
   * const { result: id, ts } = await db.write((tx) => tx.db.insert("messages", { body: "hi" }));
   */
  write<T>(fn: (tx: WriteTransaction) => Promise<T>, options?: WriteOptions): Promise<WriteResult<T>> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    if (isInsideWrite()) {
      return Promise.reject(new Error("db.write() was called inside a write transaction: it would wait for that transaction forever. Finish the transaction first."));
    }
    return new Promise<WriteResult<T>>((resolve, reject) => {
      this.queue.push({
        exclusive: false,
        fn,
        options,
        resolve: resolve as (result: WriteResult<unknown>) => void,
        reject,
      });
    });
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const first = batch[0]!;
    const failure = this.horizon.failure;
    if (failure !== undefined) {
      for (const job of batch) job.reject(failure);
      return;
    }
    if (first.exclusive) return this.runExclusive(first);
    this.counters.batches++;
    const context = { conn: this.batchConnection, catalog: this.catalog, schema: this.schema, creationClock: this.creationClock, lastTs: this.lastTs, tenure: this.tenure };
    const done = await runWriteBatch(context, batch as WriteJob[]);
    if (!done.committed) return this.batchLost(done.outcomes, done.error);
    this.lastTs = done.lastTs;
    let committed = 0;
    for (const outcome of done.outcomes) {
      if (!outcome.ok) {
        this.counters.rollbacks++;
        continue;
      }
      committed++;
      for (const table of outcome.tables) table.persisted = true;
    }
    this.counters.commits += committed;
    // Even a batch that kept nothing answers only once what it read is durable: a failure's
    // message may rest on a commit that is still being flushed.
    const seq = committed > 0 ? this.horizon.committed() : this.horizon.committedSeq;
    // Not awaited: the queue waits for this flush before cutting the next batch, unless a full
    // batch is already waiting (then that one runs during the flush).
    void this.confirm(done.outcomes, seq, done.lastTs, committed);
  }

  /**
   * A batch that did not commit. When the disk filled up (SQLite then rolls the whole transaction
   * back), only the job that met it fails - with a retryable StorageFullError - and the jobs it
   * took down with it run again in a batch of their own: each is either kept whole or refused
   * alone. A job that failed by itself keeps its own error.
   */
  private async batchLost(outcomes: readonly Outcome[], error: unknown): Promise<void> {
    const culprit = outcomes.findIndex((outcome) => !outcome.ok && isNoSpace(outcome.error));
    if (culprit < 0) {
      const cause = asStorageFull(error, this.name);
      for (const outcome of outcomes) outcome.job.reject(outcome.ok ? cause : asStorageFull(outcome.error, this.name));
      return;
    }
    const again: WriteJob[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (i === culprit) outcome.job.reject(asStorageFull((outcome as { error: unknown }).error, this.name));
      else if (outcome.ok || i > culprit) again.push(outcome.job);
      else outcome.job.reject(outcome.error);
    }
    // Every round drops its culprit, so this ends; the queue runs nothing else meanwhile.
    if (again.length > 0) await this.runBatch(again);
  }

  /** Settles a committed batch's jobs once commit `seq` is durable (in commit order, like the flushes). */
  private async confirm(outcomes: readonly Outcome[], seq: number, lastTs: bigint, committed: number): Promise<void> {
    try {
      await this.horizon.whenDurable(seq);
    } catch (error) {
      for (const outcome of outcomes) outcome.job.reject(outcome.ok ? error : outcome.error);
      return;
    }
    this.durableTs = lastTs;
    this.counters.durableCommits += committed;
    // Listeners first (in ts order), then the callers: by the time a caller continues, the
    // sync layer already knows about its commit.
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      const commit: Commit = { ts: outcome.ts, writeSet: outcome.writeSet };
      for (const listener of [...this.listeners]) notify(listener, commit);
    }
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.job.resolve({ result: outcome.result, ts: outcome.ts, writeSet: outcome.writeSet });
      // (SQLite may roll back only the statement that found no room: the batch then commits.)
      else outcome.job.reject(asStorageFull(outcome.error, this.name));
    }
  }

  private async runExclusive(job: ExclusiveJob): Promise<void> {
    const conn = this.writer;
    this.counters.batches++;
    let ts: bigint | undefined;
    let afterCommit: () => void;
    try {
      conn.run("BEGIN IMMEDIATE");
      ({ ts, afterCommit } = await job.run(conn, this.lastTs));
      if (ts !== undefined) writeLastTs(conn, ts);
      conn.run("COMMIT");
    } catch (error) {
      if (conn.inTransaction) conn.run("ROLLBACK");
      job.reject(asStorageFull(error, this.name));
      return;
    }
    // The catalog follows the commit at once: a read starting now sees the new tables and
    // indexes in SQLite, and must not look them up in the old catalog (a rebuilt index's old
    // entries are gone). A read at an older snapshot refuses indexes built after it.
    afterCommit();
    // Schema changes are rare: the queue simply waits for this one to be durable.
    try {
      await this.horizon.whenDurable(this.horizon.committed());
    } catch (error) {
      job.reject(error);
      return;
    }
    if (ts !== undefined) {
      this.lastTs = ts;
      this.durableTs = ts;
      const commit: Commit = { ts, writeSet: Object.freeze({ writes: Object.freeze([]) }) };
      for (const listener of [...this.listeners]) notify(listener, commit);
    }
    job.resolve();
  }

  /**
   * Installs the user's schema (or removes it with `undefined`): existing documents are checked
   * first (nothing changes when one fails), then indexes are dropped, created and backfilled.
   *
   * @example
   * await db.setSchema(defineSchema({ messages: defineTable({ body: v.string() }).index("by_body", ["body"]) }));
   */
  setSchema(schema: SchemaDefinition<GenericSchema> | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new Error("The database is closed."));
    let request: SchemaRequest;
    try {
      request = schemaStateFor(schema, this.schema);
    } catch (error) {
      return Promise.reject(error);
    }
    const { tables, validate, state } = request;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        exclusive: true,
        run: async (conn, lastTs) => {
          const ts = nextTimestamp(lastTs);
          const outcome = await installTables(conn.store, this.catalog, {
            scope: "user",
            tables,
            validate,
            state,
            previous: loadShapes(conn, "user"),
            readyTs: ts,
          });
          saveShapes(conn, "user", schema === undefined ? undefined : outcome.shapes);
          return {
            ts: outcome.createdIndexes ? ts : undefined,
            afterCommit: () => {
              outcome.apply();
              this.schema = state;
            },
          };
        },
        resolve,
        reject,
      });
    });
  }

  /**
   * Opens one snapshot of everything for an export: a reader connection held in one read
   * transaction until `close` (closing the database waits for it, like for any read).
   *
   * @example
   * const snapshot = await db.openSnapshot();
   * try { for await (const page of snapshot.documents("messages")) write(page); } finally { await snapshot.close(); }
   */
  async openSnapshot(): Promise<DatabaseSnapshot> {
    this.assertOpen();
    this.activeReads++;
    this.counters.reads++;
    let conn: Connection | undefined;
    try {
      conn = await this.pool.acquire();
      conn.run("BEGIN");
      const ts = readLastTs(conn); // pins the WAL snapshot
      await this.horizon.whenDurable(this.horizon.committedSeq); // shows only what is on disk
      const held = conn;
      return new SqliteSnapshot(held, ts, () => this.endRead(held));
    } catch (error) {
      this.endRead(conn);
      throw error;
    }
  }

  /**
   * Loads a snapshot in one exclusive transaction: refuses a database holding documents unless
   * `load.replace`, commits only once every document went in and `load.beforeCommit` passed, and
   * then reloads the catalog. The user schema in memory is dropped: the next `setSchema` installs
   * it again (and skips checking documents when the snapshot's schema is the same).
   *
   * @example
   * const { documents, ts } = await db.loadSnapshot({ ts, tables, userSchema, documents: source, replace: false });
   */
  loadSnapshot(load: SnapshotLoad): Promise<LoadedSnapshot> {
    if (this.closed) return Promise.reject(new Error("The database is closed."));
    return new Promise<LoadedSnapshot>((resolve, reject) => {
      let loaded: LoadedSnapshot;
      this.queue.push({
        exclusive: true,
        run: async (conn, lastTs) => {
          this.tenure.renew(); // the records it loads were not written by this process
          // File contents stay in the server's folder beside the file: the caller stages them.
          const context = { target: new SqliteLoadTarget(conn), catalog: this.catalog, system: this.schema.system, lastTs, what: `The database ${this.name}`, files: undefined };
          loaded = await loadSnapshotRows(context, load);
          return {
            ts: loaded.ts,
            afterCommit: () => {
              const rows = catalogRows(conn);
              this.catalog.reload(rows.tables, rows.indexes);
              this.schema = { user: undefined, system: this.schema.system };
            },
          };
        },
        resolve: () => resolve(loaded),
        reject,
      });
    });
  }

  /**
   * True when no table holds a document.
   *
   * @example
   * if (!(await db.isEmpty())) throw new Error("not empty");
   */
  async isEmpty(): Promise<boolean> {
    this.assertOpen();
    this.activeReads++;
    try {
      const conn = await this.pool.acquire();
      try {
        return conn.statement("SELECT EXISTS (SELECT 1 FROM documents)").pluck().get() === 0;
      } finally {
        this.pool.release(conn);
      }
    } finally {
      this.readEnded();
    }
  }

  /**
   * Calls `listener` after every durable commit, in timestamp order; returns the unsubscribe.
   *
   * @example
   * const stop = db.onCommit(({ ts, writeSet }) => invalidate(ts, writeSet));
   */
  onCommit(listener: (commit: Commit) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Lets queued writes and running reads finish, then closes every connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await this.queue.idle();
      if (this.activeReads > 0) await new Promise<void>((resolve) => (this.readsDrained = resolve));
      await this.horizon.close();
      this.pool.close();
      this.writer.close();
      this.onClosed();
    })();
    return this.closing;
  }
}
