// The contract between the database and everything above it (runtime, sync, scheduler).
// The database knows documents, tables, indexes, snapshots and commits - never functions.

import type { ClusterNode } from "./cluster-node.js";
import type { WriterTenure } from "./writer-tenure.js";
import type { GenericSchema, SchemaDefinition } from "../define/schema.js";
import type { DatabaseReader, DatabaseWriter } from "../define/database.js";
import type { AnyDataModel } from "../define/data-model.js";
import type { JSONValue } from "../../values/value.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { Timestamp } from "./timestamp.js";

export type { Timestamp } from "./timestamp.js";

/**
 * What a read looked at, precise enough to decide whether a later write could change its
 * result: ranges of index keys (half-open `[low, high)`, byte-wise order) per index id.
 * Point reads (`get(id)`) are ranges of one key on the table's `by_id` index.
 */
export interface ReadSet {
  readonly ranges: readonly IndexRange[];
}

/**
 * A key as a read-set bound: its bytes as a string of one char per byte (`keyBound` in
 * read-set.ts). A server holds a read set per live query for as long as it is watched; one
 * flat one-byte string per bound costs about a sixth of a `Uint8Array` with its own buffer, and
 * `<` on such strings is byte-wise order.
 */
export type KeyBound = string;

/** One scanned key range of one index. Keys are order-preserving byte encodings of values. */
export interface IndexRange {
  readonly indexId: number;
  readonly low: KeyBound;
  /** Exclusive upper bound; `undefined` means "to the end of the index". */
  readonly high: KeyBound | undefined;
}

/** What a commit changed: for each written document, its old and new key in every index of its table. */
export interface WriteSet {
  readonly writes: readonly IndexWrite[];
}

/** A key that appeared or disappeared in an index. */
export interface IndexWrite {
  readonly indexId: number;
  readonly key: Uint8Array;
}

/** One committed transaction. */
export interface Commit {
  readonly ts: Timestamp;
  readonly writeSet: WriteSet;
}

/** True when `commit` wrote a key inside one of `readSet`'s ranges. */
export type OverlapTest = (readSet: ReadSet, writeSet: WriteSet) => boolean;

/** Options for one read-only transaction. */
export interface ReadOptions {
  /**
   * Also let `tx.db` itself read system tables (names starting with `_`), for privileged
   * runtime code. `db.system.get/query` read system tables either way.
   */
  system?: boolean;
  /**
   * The end cursor from the subscription's journal (protocol.md §14): the transaction's first
   * `paginate()` call that was given no `endCursor` uses this one, so a re-run reproduces the
   * page bounds of the earlier result. `| undefined` so callers can pass what they found, or nothing,
   * under `exactOptionalPropertyTypes` too (the strict type tests compile this file).
   */
  paginationEndCursor?: string | undefined;
}

/** Options for one read-write transaction. */
export interface WriteOptions {
  /** Allow writes to system tables (scheduler, mutation records). */
  system?: boolean;
}

/** A read-only transaction's view: `ctx.db` of a query. */
export interface ReadTransaction {
  readonly db: DatabaseReader<AnyDataModel> & { system: SystemReader };
  /** The snapshot every read of this transaction sees. */
  readonly ts: Timestamp;
}

/** A read-write transaction's view: `ctx.db` of a mutation. */
export interface WriteTransaction {
  readonly db: DatabaseWriter<AnyDataModel> & { system: SystemReader };
  /** The commit timestamp this transaction gets if it commits (e.g. for mutation records). */
  readonly ts: Timestamp;
  /** Privileged access to system tables; only given when `WriteOptions.system` is set. */
  readonly systemWriter: DatabaseWriter<AnyDataModel> | undefined;
  /**
   * The writer's tenure, for caches of what this process wrote (undefined: cache nothing). See
   * writer-tenure.ts.
   */
  readonly tenure?: WriterTenure | undefined;
}

/** Read-only access to system tables (`_scheduled_functions`, ...). */
export type SystemReader = Pick<DatabaseReader<AnyDataModel>, "get" | "query">;

/** One function of a `readBatch`, with its own read options. */
export interface ReadCall<T> {
  fn: (tx: ReadTransaction) => Promise<T>;
  options?: ReadOptions | undefined;
}

/** The result of a read-only transaction. */
export interface ReadResult<T> {
  result: T;
  readSet: ReadSet;
  ts: Timestamp;
  /**
   * The `continueCursor` of the transaction's first `paginate()` call (its end cursor), to put
   * into the query's journal; undefined when nothing was paginated.
   */
  paginationEndCursor?: string;
}

/** The result of a committed read-write transaction (resolved only once it is durable). */
export interface WriteResult<T> {
  result: T;
  ts: Timestamp;
  writeSet: WriteSet;
}

/**
 * What the last `setSchema` installed: whether it validates, and each table's validator as JSON
 * text. A database keeps it so a server starting with the same schema does not check every
 * document again; a snapshot carries it for the same reason.
 */
export interface InstalledSchema {
  readonly validate: boolean;
  readonly validators: Readonly<Record<string, string>>;
}

/** A table as a snapshot records it: its name and its declared indexes (not `by_id`/`by_creation_time`). */
export interface SnapshotTable {
  readonly name: string;
  readonly indexes: readonly { readonly name: string; readonly fields: readonly string[] }[];
}

/**
 * Everything a database holds at one commit timestamp, read a page at a time, for
 * `syncline export` (`Database.openSnapshot`). Nothing committed after `ts` is seen. Call `close`
 * when done: until then the snapshot is held open (a reader connection, or a Postgres transaction).
 */
export interface DatabaseSnapshot {
  /** The commit timestamp the snapshot shows. */
  readonly ts: Timestamp;
  /** Every table that exists at `ts`, user and system, with its declared indexes. */
  readonly tables: readonly SnapshotTable[];
  /** The installed user schema, or undefined when none is. */
  readonly userSchema: InstalledSchema | undefined;
  /**
   * Stored files' contents as of `ts`, when the engine keeps them itself (Postgres: read in the
   * snapshot's transaction); undefined when they live beside the database (SQLite).
   */
  readonly files?: Pick<BlobStore, "open">;
  /**
   * The documents of `table` in `_creationTime` order, as pages of their stored JSON text
   * (`encodeValue` form, `_id` and `_creationTime` included). A page holds at most a few
   * thousand documents, so a table never has to fit in memory.
   */
  documents(table: string): AsyncIterable<readonly string[]>;
  /** Ends the snapshot (it may be called twice). */
  close(): Promise<void>;
}

/** One document to load: its table and its encoded value (`encodeValue` form, system fields included). */
export interface SnapshotDocument {
  readonly table: string;
  readonly value: JSONValue;
  /** Where it came from (its line in a snapshot file): an error the engine reports later names it. */
  readonly line?: number;
}

/**
 * A document the engine refused after later ones were already read (Postgres answers pipelined
 * writes late): `line` is the refused document's own, not where the reader is now.
 */
export class DocumentRefusedError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = "DocumentRefusedError";
  }
}

/** What `Database.loadSnapshot` loads. */
export interface SnapshotLoad {
  /** The commit timestamp the snapshot was taken at: every later commit gets a larger one. */
  readonly ts: Timestamp;
  /** The tables to create (user tables) or expect (system tables), with their indexes. */
  readonly tables: readonly SnapshotTable[];
  readonly userSchema: InstalledSchema | undefined;
  /**
   * The documents, pulled one at a time. When this iteration throws, nothing is kept and
   * `loadSnapshot` rejects with that error; only when it ends normally is the load committed.
   * `files` is where stored files' contents go when the engine keeps them itself (Postgres):
   * written inside the load's own transaction, so they are kept exactly when the documents are.
   * It is undefined when they live beside the database (SQLite): the caller stages them there.
   */
  readonly documents: (files: BlobStore | undefined) => AsyncIterable<SnapshotDocument>;
  /** Throw away what the database holds (otherwise a database holding documents is refused). */
  readonly replace: boolean;
  /** Runs after the last document, right before COMMIT; throwing aborts the load. */
  readonly beforeCommit?: () => Promise<void>;
}

/** What a committed `loadSnapshot` did. */
export interface LoadedSnapshot {
  readonly documents: number;
  /** The load's own commit timestamp: above every timestamp and creation time it loaded. */
  readonly ts: Timestamp;
}

/** `loadSnapshot` into a database that holds documents, without `replace`. */
export class DatabaseNotEmptyError extends Error {
  constructor(what: string) {
    super(`${what} is not empty: an import goes only into an empty database. Import into a new one, or pass --replace to throw away what it holds.`);
    this.name = "DatabaseNotEmptyError";
  }
}

/** The database: snapshot reads, serializable durable writes, commit notifications. */
export interface Database {
  /** The newest committed timestamp. */
  latestTimestamp(): Timestamp;
  /**
   * Runs `fn` against one consistent snapshot (other transactions may commit meanwhile; this one
   * does not see them) and returns what it read.
   */
  read<T>(fn: (tx: ReadTransaction) => Promise<T>, options?: ReadOptions): Promise<ReadResult<T>>;
  /**
   * Runs every call against one and the same snapshot, each with its own read set, and resolves
   * with their results in order (all at one `ts`). Cheaper than one `read` each: the snapshot is
   * opened, timestamped and confirmed durable once. A call that rejects fails the whole batch
   * (after the others settled), so calls catch their own errors and reject only when the
   * database failed.
   *
   * @example
   * const [a, b] = await db.readBatch([{ fn: (tx) => tx.db.get(idA) }, { fn: (tx) => tx.db.get(idB) }]);
   */
  readBatch<T>(calls: readonly ReadCall<T>[]): Promise<ReadResult<T>[]>;
  /**
   * How many reads are worth running at once. An engine whose reads wait on round trips
   * (Postgres) keeps its connections busy with many; one whose reads run on the event loop
   * (SQLite) gains nothing from more than a batch, and every read in flight holds its objects
   * alive across garbage collections.
   */
  readonly readsInFlight: number;
  /**
   * Runs `fn` as a serializable transaction. When `fn` throws, nothing it wrote is kept and the
   * promise rejects with that error. Resolves only after the commit is durable. Transactions run
   * in the order of their `write` calls: one called after another's `write` returned runs after
   * it and sees its writes (both may share one group commit).
   */
  write<T>(fn: (tx: WriteTransaction) => Promise<T>, options?: WriteOptions): Promise<WriteResult<T>>;
  /** Installs (or removes) the schema: validates on later writes, builds and drops indexes. */
  setSchema(schema: SchemaDefinition<GenericSchema> | undefined): Promise<void>;
  /** Calls `listener` after every durable commit, in timestamp order. */
  onCommit(listener: (commit: Commit) => void): () => void;
  /**
   * Opens one consistent snapshot of everything (user and system tables) for an export. Writes
   * go on meanwhile; the snapshot does not see them.
   *
   * @example
   * const snapshot = await db.openSnapshot();
   * try { for await (const page of snapshot.documents("messages")) write(page); } finally { await snapshot.close(); }
   */
  openSnapshot(): Promise<DatabaseSnapshot>;
  /**
   * Loads a snapshot's tables and documents - ids and `_creationTime`s as they are - in one
   * atomic step: when anything fails (a bad document, the source's iteration throwing) the
   * database is left as it was. Meant for a database no server is serving.
   *
   * @example
   * await db.loadSnapshot({ ts, tables, userSchema: undefined, documents: readDocuments(), replace: false });
   */
  loadSnapshot(load: SnapshotLoad): Promise<LoadedSnapshot>;
  /** True when no table (user or system) holds a document. */
  isEmpty(): Promise<boolean>;
  /** Closes every connection; later calls reject. */
  close(): Promise<void>;
  /** This node of a cluster (a Postgres database opened with `cluster`); undefined for a lone server. */
  readonly cluster?: ClusterNode | undefined;
}

/** Counters for tests and monitoring. */
export interface DatabaseStats {
  /** Write batches run (each is one engine transaction). */
  batches: number;
  /** Flushes of the log to disk (each covers every batch committed before it started; Postgres: its COMMITs). */
  flushes: number;
  /** Wall time spent in those flushes (ms; they run off the event loop; Postgres: 0, not measured). */
  flushMs: number;
  /** Read-write transactions committed. */
  commits: number;
  /** Read-write transactions whose function threw (rolled back). */
  rollbacks: number;
  /** Read transactions run. */
  reads: number;
  /** Reader connections open (Postgres: pooled connections). */
  readerConnections: number;
  /** Commits confirmed durable (a flush of the log covers every commit made before it started). */
  durableCommits: number;
}

/** A database as `openDatabase` returns it, with either engine: the contract plus its counters. */
export interface OpenedDatabase extends Database {
  /** Counters: batches, commits, rollbacks, reads, open connections. */
  stats(): DatabaseStats;
  /**
   * Where stored files' contents live when the engine keeps them itself (Postgres: chunked in
   * the database, so every server on it can serve every file); undefined for SQLite, whose
   * server keeps them in a folder beside the file.
   */
  fileContents?(): Promise<BlobStore>;
}
