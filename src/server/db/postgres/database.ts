// The PostgreSQL database: snapshot reads in REPEATABLE READ transactions of a connection pool,
// serializable writes by one writer connection with group commit (the only writer: it holds the
// owner advisory lock), schema installs, commit notifications.
//
// Writes commit strictly one batch after another on the writer, and each batch stores the last
// timestamp in `syncline_meta` - so any Postgres snapshot holds a gapless prefix of the commits,
// and the `last_ts` it reads is the one commit timestamp it shows (scaleout.md, design (a)).
// COMMIT with synchronous_commit on is durable before it is visible, and a read that saw a commit
// whose COMMIT has not returned here yet waits for it: nothing shows a mutation's effect before
// its caller may learn of it.
//
// This file wires the parts and holds the state they share (the role, the epoch, the schema),
// and takes over as the leader (promote): write-runner.ts runs the write queue, its batches and
// their recovery; reads.ts the snapshot reads (retry.ts retries them over a lost connection);
// confirmed-commits.ts holds reads back until the commits they saw are confirmed;
// commit-log-follower.ts applies the leader's commits on a follower; cluster-member.ts and
// leader-row.ts run the election and the epoch.

import type pg from "pg";
import type { GenericSchema, SchemaDefinition } from "../../define/schema.js";
import type { BlobStore } from "../../storage/blob-store.js";
import { Catalog, type IndexRow, type TableRow } from "../catalog.js";
import { nextTimestamp } from "../clock.js";
import type { NodeRole } from "../cluster-node.js";
import { notify, schemaStateFor, type SchemaRequest } from "../database-common.js";
import { installTables } from "../schema-install.js";
import { loadSnapshotRows } from "../snapshot-load.js";
import type {
  Commit,
  DatabaseSnapshot,
  DatabaseStats,
  LoadedSnapshot,
  OpenedDatabase,
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
import { isInsideWrite } from "../write-batch.js";
import { PostgresBlobStore } from "./blob-store.js";
import { missingIndexes, readCatalogRows, withAliases } from "./catalog-rows.js";
import { ClusterMember, type MemberHost } from "./cluster-member.js";
import { CommitLogFollower, type FollowerHost } from "./commit-log-follower.js";
import { commitsSince } from "./commit-log.js";
import { CommitTail } from "./commit-tail.js";
import { ConfirmedCommits } from "./confirmed-commits.js";
import { describeTarget, type Target } from "./errors.js";
import { OWNER_LOCK } from "./layout.js";
import { bumpEpoch, readLeader, writeLeaderAddress } from "./leader-row.js";
import { loadShapes, saveShapes } from "./meta.js";
import { holdSnapshot, readSnapshot } from "./reads.js";
import { retryingConnection, sleep } from "./retry.js";
import { withPooledSession, type ReconnectingSession } from "./session.js";
import type { MembershipInit, PostgresSettings } from "./settings.js";
import { holdsDocuments, PostgresLoadTarget } from "./snapshot-load.js";
import { PostgresStore, readLastTs, send } from "./store.js";
import { WriteRunner, type WriteHost } from "./write-runner.js";
import { NotLeaderError } from "./writer-errors.js";

export type { MembershipInit, PostgresSettings } from "./settings.js";
export { NotLeaderError, OwnershipLostError } from "./writer-errors.js";

/** The Postgres-backed `Database`. Make one with `openDatabase({ path: "postgres://..." })`. */
export class PostgresDatabase implements OpenedDatabase {
  private readonly listeners = new Set<(commit: Commit) => void>();
  private readonly counters = { batches: 0, commits: 0, rollbacks: 0, reads: 0, durableCommits: 0 };
  private activeReads = 0;
  private readsDrained: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private fatal: Error | undefined;
  /** The last commit whose COMMIT returned here: nothing newer has been shown to anyone. */
  private readonly confirmed: ConfirmedCommits;
  /** The leader epoch this node writes in (every batch checks it is still the stored one). */
  private epoch: bigint;
  /** "follower" while another node leads (then `confirmed.ts` is the applied commit-log position). */
  private role: NodeRole | "promoting";
  /** A follower's catch-up with the commit log (and the catalog ids it knows). */
  private readonly following: CommitLogFollower;
  /** The schema this node's code asked for while following: installed when it becomes the leader. */
  private requestedSchema: { schema: SchemaDefinition<GenericSchema> | undefined } | undefined;
  /** The write queue, its group-commit batches and their recovery after a lost connection. */
  private readonly writes: WriteRunner;
  /** This node of a cluster; undefined when opened alone (a CLI import/export). */
  readonly cluster: ClusterMember | undefined;
  /** Reads wait on round trips: many at once keep the pool's connections busy (256 ran slower than 1,024). */
  readonly readsInFlight = 1024;

  /** @internal Use `openDatabase`. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly writer: ReconnectingSession,
    private readonly catalog: Catalog,
    private schema: SchemaState,
    lastTs: bigint,
    lockPid: number,
    private readonly target: Target,
    private readonly settings: PostgresSettings,
    private readonly maxReaders: number,
    /** The URL without its password, as messages name the database. */
    private readonly name: string,
    epoch: bigint,
    membership?: MembershipInit,
  ) {
    this.confirmed = new ConfirmedCommits(lastTs, target);
    this.epoch = epoch;
    this.role = membership?.role ?? "leader";
    this.writes = new WriteRunner(this.writeHost(), lastTs, lockPid);
    this.following = new CommitLogFollower(this.followerHost(), lastTs);
    if (membership !== undefined) {
      const tail = new CommitTail({ connect: membership.connectListener, catchUp: () => this.following.catchUp(), pollMs: membership.pollMs });
      this.cluster = new ClusterMember(this.memberHost(), membership.nodeId, membership.role, epoch, tail, { electionMs: membership.electionMs });
    } else {
      this.cluster = undefined;
    }
  }

  /** Stops every write for good: queued and later ones fail with `error`. */
  private fenceOff(error: Error): void {
    this.fatal ??= error;
    this.cluster?.fence(error);
  }

  /** What the write runner needs from this database. */
  private writeHost(): WriteHost {
    return {
      writer: this.writer,
      catalog: this.catalog,
      target: this.target,
      name: this.name,
      settings: this.settings,
      counters: this.counters,
      confirmed: this.confirmed,
      listeners: this.listeners,
      schema: () => this.schema,
      epoch: () => this.epoch,
      fatal: () => this.fatal,
      closed: () => this.closed,
      fenceOff: (error) => this.fenceOff(error),
    };
  }

  /** What a follower's catch-up needs from this database. */
  private followerHost(): FollowerHost {
    return {
      pool: this.pool,
      catalog: this.catalog,
      settings: this.settings,
      confirmed: this.confirmed,
      listeners: this.listeners,
      closed: () => this.closed,
      role: () => this.role,
      applied: (ts) => {
        this.writes.lastTs = ts;
      },
      fenceOff: (error) => this.fenceOff(error),
    };
  }

  /** What the cluster membership needs from this database. */
  private memberHost(): MemberHost {
    return {
      appliedTs: () => this.confirmed.ts,
      headTs: () => this.following.headTs,
      tryLock: async () => {
        this.writer.renew();
        const rows = await send<{ locked: boolean; pid: number }>(this.writer, "SELECT pg_try_advisory_lock($1) AS locked, pg_backend_pid() AS pid", [OWNER_LOCK.toString()]);
        return rows[0]?.locked === true ? rows[0].pid : undefined;
      },
      promote: (pid, nodeId, address) => this.promote(pid, nodeId, address),
      readLeader: () => this.retryingConnection(() => withPooledSession(this.pool, readLeader)),
      writeAddress: (epoch, address) => withPooledSession(this.pool, (conn) => writeLeaderAddress(conn, epoch, address)),
      release: async () => {
        // Writes already queued commit first; later ones are refused (they go to the next leader).
        this.role = "follower";
        await this.writes.idle();
        await send(this.writer, "SELECT pg_advisory_unlock_all()", []).catch(() => undefined);
      },
      waitForApplied: (ts, timeoutMs) => this.confirmed.wait(ts, timeoutMs).then(() => true, () => false),
      fence: (error) => {
        this.fatal ??= error;
      },
    };
  }

  /**
   * Takes over as the leader (the writer just took the lock as `pid`): bumps the epoch - from now
   * on the old leader cannot commit - then applies what it committed, and loads the writer's state.
   */
  private async promote(pid: number, nodeId: string, address: string): Promise<bigint> {
    const epoch = await bumpEpoch(this.writer, nodeId, address);
    this.epoch = epoch;
    this.role = "promoting"; // no follower catch-up, no writes yet
    try {
      const commits = await commitsSince(this.writer, this.confirmed.ts);
      const catalogRows = await readCatalogRows(this.writer);
      const aliases = this.catalog.refresh(catalogRows.tables, catalogRows.indexes);
      this.following.knownIndexIds = this.catalog.indexIds();
      for (const commit of commits) {
        const applied = aliases.size === 0 ? commit : withAliases(commit, aliases);
        for (const listener of [...this.listeners]) notify(listener, applied);
        this.confirmed.advance(commit.ts);
      }
      const stored = await readLastTs(this.writer);
      this.writes.lastTs = stored > this.confirmed.ts ? stored : this.confirmed.ts;
      this.confirmed.advance(this.writes.lastTs);
      this.writes.lockPid = pid;
      this.writes.tenure.renew(); // another leader wrote before this one
      this.role = "leader";
    } catch (error) {
      this.role = "leader"; // the lock is held: a failure here is a write failure like any other
      this.writes.needsCheck = true;
      throw error;
    }
    if (this.requestedSchema !== undefined) await this.setSchema(this.requestedSchema.schema);
    return epoch;
  }

  latestTimestamp(): Timestamp {
    return this.confirmed.ts;
  }

  /** Counters: batches, commits, rollbacks, reads, pooled reader connections. */
  stats(): DatabaseStats {
    return { ...this.counters, flushes: this.counters.batches, flushMs: 0, readerConnections: this.maxReaders };
  }

  /** Stored files' contents, chunked in this database (every server on it can serve every file). */
  async fileContents(): Promise<BlobStore> {
    return PostgresBlobStore.open(this.pool);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("The database is closed.");
    if (this.fatal !== undefined) throw this.fatal;
  }

  /**
   * Runs `fn` on one snapshot (a REPEATABLE READ READ ONLY transaction); retried while Postgres is
   * unreachable, up to the reconnect timeout.
   *
   * @example
   * const { result, readSet, ts } = await db.read((tx) => tx.db.query("messages").take(10));
   */
  async read<T>(fn: (tx: ReadTransaction) => Promise<T>, options?: ReadOptions): Promise<ReadResult<T>> {
    return (await this.readBatch([{ fn, options }]))[0]!;
  }

  /**
   * Runs every call on one snapshot (see `Database.readBatch`): one pooled connection, one
   * BEGIN and one timestamp for all of them.
   *
   * @example
   * const [a, b] = await db.readBatch([{ fn: (tx) => tx.db.get(idA) }, { fn: (tx) => tx.db.get(idB) }]);
   */
  async readBatch<T>(calls: readonly ReadCall<T>[]): Promise<ReadResult<T>[]> {
    this.assertOpen();
    this.activeReads++;
    this.counters.reads++;
    try {
      const results = await this.retryingConnection(() => readSnapshot(this.pool, this.catalog, () => this.schema, calls));
      // Its snapshot may hold a commit whose COMMIT has not returned to the writer yet.
      const ts = results[0]?.ts;
      if (ts !== undefined && ts > this.confirmed.ts) {
        if (this.role !== "leader") this.cluster?.tail.wake();
        else if (this.writes.needsCheck) this.writes.requestCheck();
        await this.confirmed.wait(ts, this.settings.reconnectTimeoutMs * 2);
      }
      return results;
    } finally {
      this.readEnded();
    }
  }

  /** Runs `attempt` again after a lost connection, until it works or the reconnect timeout passed. */
  private retryingConnection<T>(attempt: () => Promise<T>): Promise<T> {
    return retryingConnection(attempt, { reconnectTimeoutMs: this.settings.reconnectTimeoutMs, target: this.target, closed: () => this.closed });
  }

  /**
   * Runs `fn` as a serializable transaction; resolves once its COMMIT returned.
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
    if (this.role !== "leader") {
      return Promise.reject(new NotLeaderError(`This node follows the leader of ${describeTarget(this.target)}: only the leader writes (mutations are forwarded to it).`));
    }
    if (isInsideWrite()) {
      return Promise.reject(new Error("db.write() was called inside a write transaction: it would wait for that transaction forever. Finish the transaction first."));
    }
    return new Promise<WriteResult<T>>((resolve, reject) => {
      this.writes.push({ exclusive: false, fn, options, resolve: resolve as (result: WriteResult<unknown>) => void, reject });
    });
  }

  /**
   * Installs the user's schema (or removes it with `undefined`): existing documents are checked
   * first (nothing changes when one fails), then indexes are dropped, created and backfilled a
   * page at a time.
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
    if (this.role !== "leader") {
      this.requestedSchema = { schema };
      return this.awaitLeaderSchema(request);
    }
    const { tables, validate, state } = request;
    return new Promise<void>((resolve, reject) => {
      this.writes.push({
        exclusive: true,
        run: async (conn, lastTs) => {
          const ts = nextTimestamp(lastTs);
          const outcome = await installTables(new PostgresStore(conn), this.catalog, {
            scope: "user",
            tables,
            validate,
            state,
            previous: await loadShapes(conn, "user"),
            readyTs: ts,
          });
          await saveShapes(conn, "user", schema === undefined ? undefined : outcome.shapes);
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
   * A follower's `setSchema`: the leader installs the schema (it runs the same code); this node
   * waits until its tables and indexes are committed, then reads and validates by it.
   */
  private async awaitLeaderSchema(request: SchemaRequest): Promise<void> {
    const deadline = Date.now() + this.settings.reconnectTimeoutMs;
    for (;;) {
      const rows = await this.retryingConnection(() => withPooledSession(this.pool, readCatalogRows));
      this.catalog.refresh(rows.tables, rows.indexes);
      this.following.knownIndexIds = this.catalog.indexIds();
      const missing = missingIndexes(this.catalog, request.tables);
      if (missing.length === 0) {
        this.schema = request.state;
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`The leader of ${describeTarget(this.target)} has not installed this schema (missing ${missing.slice(0, 3).join(", ")}): do all nodes run the same code?`);
      }
      await sleep(100);
    }
  }

  /**
   * Opens one snapshot of everything for an export: a pooled connection held in one REPEATABLE
   * READ READ ONLY transaction until `close` (closing the database waits for it, like for any
   * read). The catalog and the installed schema are read in it too, so they are those of `ts`.
   *
   * @example
   * const snapshot = await db.openSnapshot();
   * try { for await (const page of snapshot.documents("messages")) write(page); } finally { await snapshot.close(); }
   */
  async openSnapshot(): Promise<DatabaseSnapshot> {
    this.assertOpen();
    this.activeReads++;
    this.counters.reads++;
    return holdSnapshot(this.pool, () => this.readEnded());
  }

  private readEnded(): void {
    if (--this.activeReads === 0) this.readsDrained?.();
  }

  /**
   * Loads a snapshot in one transaction on the writer (which holds the owner lock, so no other
   * server runs on this database): refuses a database holding documents unless `load.replace`,
   * writes stored files' contents in that same transaction, and commits only once every document
   * went in and `load.beforeCommit` passed; then reloads the catalog. The user schema in memory
   * is dropped: the next `setSchema` installs it again.
   *
   * @example
   * const { documents, ts } = await db.loadSnapshot({ ts, tables, userSchema, documents: source, replace: false });
   */
  loadSnapshot(load: SnapshotLoad): Promise<LoadedSnapshot> {
    if (this.closed) return Promise.reject(new Error("The database is closed."));
    if (this.role !== "leader") return Promise.reject(new NotLeaderError("Only the leader loads snapshots."));
    return new Promise<LoadedSnapshot>((resolve, reject) => {
      let loaded: LoadedSnapshot;
      this.writes.push({
        exclusive: true,
        run: async (conn, lastTs) => {
          this.writes.tenure.renew(); // the records it loads were not written by this process
          const target = new PostgresLoadTarget(conn);
          const what = `The database ${this.name}`;
          const context = { target, catalog: this.catalog, system: this.schema.system, lastTs, what, files: PostgresBlobStore.within(conn) };
          loaded = await loadSnapshotRows(context, load);
          const [tables, indexes] = await Promise.all([
            send<TableRow>(conn, "SELECT id, name FROM syncline_tables", []),
            send<IndexRow>(conn, "SELECT id, table_id, name, fields FROM syncline_indexes", []),
          ]);
          return {
            ts: loaded.ts,
            afterCommit: () => {
              this.catalog.reload(tables, indexes);
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
   * True when no table (user or system) holds a document.
   *
   * @example
   * if (!(await db.isEmpty())) throw new Error("not empty");
   */
  async isEmpty(): Promise<boolean> {
    this.assertOpen();
    return !(await this.retryingConnection(() => withPooledSession(this.pool, holdsDocuments)));
  }

  /**
   * Calls `listener` after every committed write, in timestamp order; returns the unsubscribe.
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

  /** Lets queued writes and running reads finish, then closes every connection (releasing the lock). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.cluster?.stop();
      await this.cluster?.tail.stop();
      await this.writes.idle();
      if (this.activeReads > 0) await new Promise<void>((resolve) => (this.readsDrained = resolve));
      this.confirmed.releaseAll();
      await Promise.all([this.pool.end(), this.writer.end()]);
    })();
    return this.closing;
  }
}
