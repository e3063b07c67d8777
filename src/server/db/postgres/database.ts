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

import type pg from "pg";
import type { GenericSchema, SchemaDefinition } from "../../define/schema.js";
import type { BlobStore } from "../../storage/blob-store.js";
import { Catalog, type IndexRow, type TableRow } from "../catalog.js";
import { CreationClock, nextTimestamp } from "../clock.js";
import { CommitQueue } from "../commit-queue.js";
import { notify, schemaStateFor, type SchemaRequest } from "../database-common.js";
import type { CommittedWrite } from "../engine.js";
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
import { WriterTenure } from "../writer-tenure.js";
import { isInsideWrite, runWriteBatch, type Outcome, type WriteJob } from "../write-batch.js";
import { asStorageFull } from "../storage-full.js";
import { PostgresBlobStore } from "./blob-store.js";
import { commitsSince, pruneCommitLog, prunedThrough } from "./commit-log.js";
import { connectionLost, describeTarget, isConnectionError, type Target } from "./errors.js";
import { OWNER_LOCK } from "./layout.js";
import { loadShapes, saveShapes } from "./meta.js";
import { inTransaction, withPooledSession, type ReconnectingSession } from "./session.js";
import { holdsDocuments, PostgresLoadTarget } from "./snapshot-load.js";
import { logCommits, PostgresBatchConnection, PostgresStore, readLastTs, send, type Queryable } from "./store.js";
import type { NodeRole } from "../cluster-node.js";
import { missingIndexes, readCatalogRows, withAliases } from "./catalog-rows.js";
import type { MembershipInit, PostgresSettings } from "./settings.js";
import { NotLeaderError, OwnershipLostError, SessionChanged } from "./writer-errors.js";
import { ConfirmedCommits } from "./confirmed-commits.js";
import { ClusterMember, type MemberHost } from "./cluster-member.js";
import { CommitTail } from "./commit-tail.js";
import { holdSnapshot, readSnapshot } from "./reads.js";
import { retryingConnection, sleep } from "./retry.js";
import { bumpEpoch, checkEpoch, FencedError, lockEpoch, readLeader, writeLeaderAddress } from "./leader-row.js";

type ExclusiveJob = {
  readonly exclusive: true;
  /** Runs inside BEGIN .. COMMIT on the writer; returns what to do after the commit. */
  readonly run: (conn: Queryable, lastTs: bigint) => Promise<{ ts: bigint | undefined; afterCommit: () => void }>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
};
type Job = WriteJob | ExclusiveJob;

const MAX_BATCH = 256;

export type { MembershipInit, PostgresSettings } from "./settings.js";
export { NotLeaderError, OwnershipLostError } from "./writer-errors.js";

const PRUNE_EVERY_MS = 60_000;

/** The Postgres-backed `Database`. Make one with `openDatabase({ path: "postgres://..." })`. */
export class PostgresDatabase implements OpenedDatabase {
  private readonly queue = new CommitQueue<Job>((batch) => this.runBatch(batch), MAX_BATCH);
  /** Renewed whenever this server (re)takes the writer's lock after another may have held it. */
  private readonly tenure = new WriterTenure();
  private readonly listeners = new Set<(commit: Commit) => void>();
  private readonly counters = { batches: 0, commits: 0, rollbacks: 0, reads: 0, durableCommits: 0 };
  private readonly creationClock = new CreationClock();
  private readonly batchConnection: PostgresBatchConnection;
  private activeReads = 0;
  private readsDrained: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private fatal: Error | undefined;
  private lastPrune = 0;
  /** The writer's backend pid while it holds the owner lock. */
  private lockPid: number;
  /** The last commit whose COMMIT returned here: nothing newer has been shown to anyone. */
  private readonly confirmed: ConfirmedCommits;
  /** The leader epoch this node writes in (every batch checks it is still the stored one). */
  private epoch: bigint;
  /** "follower" while another node leads (then `confirmed.ts` is the applied commit-log position). */
  private role: NodeRole | "promoting";
  /** The newest commit timestamp a follower's last catch-up found. */
  private headTs: bigint;
  /** Index ids known to the catalog: a commit naming another one makes a follower reload it. */
  private knownIndexIds: Set<number>;
  /** The schema this node's code asked for while following: installed when it becomes the leader. */
  private requestedSchema: { schema: SchemaDefinition<GenericSchema> | undefined } | undefined;
  /** This node of a cluster; undefined when opened alone (a CLI import/export). */
  readonly cluster: ClusterMember | undefined;

  /** @internal Use `openDatabase`. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly writer: ReconnectingSession,
    private readonly catalog: Catalog,
    private schema: SchemaState,
    private lastTs: bigint,
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
    this.headTs = lastTs;
    this.lockPid = lockPid;
    this.epoch = epoch;
    this.role = membership?.role ?? "leader";
    this.knownIndexIds = catalog.indexIds();
    this.batchConnection = new PostgresBatchConnection(
      writer,
      (conn, commits) => this.beforeCommit(conn, commits),
      (pid, epochRows) => {
        if (pid !== this.lockPid) throw new SessionChanged("The connection to PostgreSQL was replaced.");
        this.checkFence(epochRows);
      },
      () => this.epoch,
    );
    if (membership !== undefined) {
      const tail = new CommitTail({ connect: membership.connectListener, catchUp: () => this.catchUp(), pollMs: membership.pollMs });
      this.cluster = new ClusterMember(this.memberHost(), membership.nodeId, membership.role, epoch, tail, { electionMs: membership.electionMs });
    } else {
      this.cluster = undefined;
    }
  }

  /** Throws (and fences this node for good) when the epoch read in a write transaction is not ours. */
  private checkFence(epochRows: readonly { epoch: string }[]): void {
    try {
      checkEpoch(epochRows, this.epoch, `Refusing to commit on ${describeTarget(this.target)}`);
    } catch (error) {
      this.fenceOff(error as Error);
      throw error;
    }
  }

  /** Stops every write for good: queued and later ones fail with `error`. */
  private fenceOff(error: Error): void {
    this.fatal ??= error;
    this.cluster?.fence(error);
  }

  /** What the cluster membership needs from this database. */
  private memberHost(): MemberHost {
    return {
      appliedTs: () => this.confirmed.ts,
      headTs: () => this.headTs,
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
        await this.queue.idle();
        await send(this.writer, "SELECT pg_advisory_unlock_all()", []).catch(() => undefined);
      },
      waitForApplied: (ts, timeoutMs) => this.confirmed.wait(ts, timeoutMs).then(() => true, () => false),
      fence: (error) => {
        this.fatal ??= error;
      },
    };
  }

  /**
   * A follower's catch-up: the commit log after the applied timestamp (one statement: a gapless
   * prefix, the leader commits batches one after another), the catalog when a commit names an
   * index this node does not know or changed the schema, then every commit in order through the
   * same listeners the leader's own commits go through. Never throws: the next wake-up retries.
   */
  private async catchUp(): Promise<void> {
    if (this.closed || this.role !== "follower") return;
    try {
      const from = this.confirmed.ts;
      const { commits, catalogRows, head } = await withPooledSession(this.pool, (conn) =>
        inTransaction(
          conn,
          async (tx) => {
            const [commits, head, pruned] = await Promise.all([commitsSince(tx, from), readLastTs(tx), prunedThrough(tx)]);
            if (pruned > from) {
              // Commits this node never applied are gone from the log: its subscriptions cannot be
              // brought up to date. Stop (the server exits) and come back fresh.
              throw new FencedError(`This follower fell behind the commit log's retention (${Math.round(this.settings.commitLogRetentionMs / 60_000)} min); it restarts to catch up.`);
            }
            const stale = commits.some((commit) => commit.writeSet.writes.length === 0 || commit.writeSet.writes.some((write) => !this.knownIndexIds.has(write.indexId)));
            const catalogRows = stale ? await readCatalogRows(tx) : undefined;
            return { commits, catalogRows, head };
          },
          "ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ),
      );
      if (this.role !== "follower" || this.confirmed.ts !== from) return; // promoted, or another catch-up applied these
      if (head > this.headTs) this.headTs = head;
      let aliases = new Map<number, number>();
      if (catalogRows !== undefined) {
        aliases = this.catalog.refresh(catalogRows.tables, catalogRows.indexes);
        this.knownIndexIds = this.catalog.indexIds();
      }
      for (const commit of commits) {
        const applied = aliases.size === 0 ? commit : withAliases(commit, aliases);
        for (const listener of [...this.listeners]) notify(listener, applied);
        this.lastTs = commit.ts;
        this.confirmed.advance(commit.ts);
      }
    } catch (error) {
      if (error instanceof FencedError) this.fenceOff(error);
      else if (!isConnectionError(error)) console.error("syncline: following the commit log failed; retrying", error);
    }
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
      this.knownIndexIds = this.catalog.indexIds();
      for (const commit of commits) {
        const applied = aliases.size === 0 ? commit : withAliases(commit, aliases);
        for (const listener of [...this.listeners]) notify(listener, applied);
        this.confirmed.advance(commit.ts);
      }
      const stored = await readLastTs(this.writer);
      this.lastTs = stored > this.confirmed.ts ? stored : this.confirmed.ts;
      this.confirmed.advance(this.lastTs);
      this.lockPid = pid;
      this.tenure.renew(); // another leader wrote before this one
      this.role = "leader";
    } catch (error) {
      this.role = "leader"; // the lock is held: a failure here is a write failure like any other
      this.needsCheck = true;
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
        else if (this.needsCheck) this.requestCheck();
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
      this.queue.push({ exclusive: false, fn, options, resolve: resolve as (result: WriteResult<unknown>) => void, reject });
    });
  }

  /** The statements a committing batch adds: the commit log's pruning, once a minute. */
  private beforeCommit(conn: Queryable, commits: readonly CommittedWrite[]): Promise<unknown>[] {
    const last = commits.at(-1);
    if (last === undefined || Date.now() - this.lastPrune < PRUNE_EVERY_MS) return [];
    this.lastPrune = Date.now();
    return [pruneCommitLog(conn, last.ts, this.settings.commitLogRetentionMs)];
  }

  /** Checks (pipelined with nothing else) that the writer still is the lock-holding session, re-taking the lock after a reconnect. */
  private async ensureOwner(): Promise<void> {
    this.writer.renew();
    const rows = await send<{ pid: number }>(this.writer, "SELECT pg_backend_pid() AS pid", []);
    const pid = rows[0]!.pid;
    if (pid === this.lockPid) return;
    const taken = await send<{ locked: boolean }>(this.writer, "SELECT pg_try_advisory_lock($1) AS locked", [OWNER_LOCK.toString()]);
    if (taken[0]?.locked !== true) {
      this.fenceOff(new OwnershipLostError(`Another Syncline server took over ${describeTarget(this.target)} while this one was disconnected; this server stops writing.`));
      throw this.fatal;
    }
    this.lockPid = pid;
    this.tenure.renew(); // another server may have held the lock (and written) meanwhile
    throw new SessionChanged("The connection to PostgreSQL was re-established.");
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const first = batch[0]!;
    if (this.fatal !== undefined) {
      for (const job of batch) job.reject(this.fatal);
      return;
    }
    if (first.exclusive) return this.runExclusive(first);
    const jobs = batch as WriteJob[];
    const deadline = Date.now() + this.settings.reconnectTimeoutMs;
    let careful = false;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      let error: unknown;
      try {
        const before = this.lastTs;
        if (await this.recoverIfNeeded(before, jobs)) return;
        this.counters.batches++;
        this.batchConnection.holdWrites = !careful;
        const context = { conn: this.batchConnection, catalog: this.catalog, schema: this.schema, creationClock: this.creationClock, lastTs: before, deferWrites: !careful, tenure: this.tenure };
        const done = await runWriteBatch(context, jobs);
        if (done.committed) {
          this.settle(done.outcomes, done.lastTs);
          return;
        }
        error = lostConnection(done.outcomes, done.error);
        if (error === undefined && !careful) {
          // A write failed where it was not awaited: run the batch again, each job's writes
          // checked before the next job starts, so the failure stays with its job.
          careful = true;
          continue;
        }
        if (error === undefined) {
          for (const outcome of done.outcomes) outcome.job.reject(asStorageFull(outcome.ok ? done.error : outcome.error, this.name));
          return;
        }
        this.uncertain = { before, outcomes: done.outcomes };
      } catch (thrown) {
        if (this.fatal !== undefined || !isConnectionError(thrown)) {
          for (const job of jobs) job.reject(this.fatal ?? asStorageFull(thrown, this.name));
          return;
        }
        error = thrown;
      }
      if (this.closed || Date.now() + delay > deadline) {
        for (const job of jobs) job.reject(connectionLost(this.target, error));
        this.needsCheck = true;
        this.uncertain = undefined;
        return;
      }
      await sleep(delay);
    }
  }

  /** A batch whose COMMIT was sent when the connection broke: it may or may not have committed. */
  private uncertain: { before: bigint; outcomes: Outcome[] } | undefined;
  /** Set when a batch gave up on a lost connection: the next batch first learns what the database holds. */
  private needsCheck = false;

  /**
   * Before a batch: when the writer's session changed, re-takes the lock and finds out whether the
   * batch that was committing then did commit (the database's last timestamp moved past the one
   * before it: only this server writes). If it did, its jobs are settled from the outcomes kept
   * and true is returned; otherwise the batch runs again.
   */
  private async recoverIfNeeded(before: bigint, jobs: readonly WriteJob[]): Promise<boolean> {
    if (!this.needsCheck && this.uncertain === undefined) return false;
    try {
      await this.ensureOwner();
    } catch (error) {
      if (!(error instanceof SessionChanged)) throw error;
    }
    const stored = await readLastTs(this.writer);
    const uncertain = this.uncertain;
    this.uncertain = undefined;
    this.needsCheck = false;
    if (stored > before && uncertain !== undefined && uncertain.before === before && uncertain.outcomes.every((o, i) => o.job === jobs[i])) {
      this.settle(uncertain.outcomes, stored);
      return true;
    }
    if (stored > this.confirmed.ts) {
      // Committed by a batch already answered with an error (its outcome was lost with the
      // connection): the commit log says what it wrote, so subscriptions still see it.
      for (const commit of await commitsSince(this.writer, this.confirmed.ts)) {
        for (const listener of [...this.listeners]) notify(listener, commit);
      }
      this.lastTs = stored > this.lastTs ? stored : this.lastTs;
      this.confirmed.advance(stored);
    }
    return false;
  }

  /**
   * Makes the writer find out what the database holds (`recoverIfNeeded`) even when no write
   * comes: a read saw a commit whose outcome a lost connection hid.
   */
  private requestCheck(): void {
    this.needsCheck = true;
    this.queue.push({ exclusive: true, run: async () => ({ ts: undefined, afterCommit: () => {} }), resolve: () => {}, reject: () => {} });
  }

  /** Marks a committed batch's tables persisted, then tells listeners (in ts order) and callers. */
  private settle(outcomes: readonly Outcome[], lastTs: bigint): void {
    this.lastTs = lastTs;
    let committed = 0;
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        this.counters.rollbacks++;
        continue;
      }
      committed++;
      for (const table of outcome.tables) table.persisted = true;
    }
    this.counters.commits += committed;
    this.counters.durableCommits += committed;
    this.confirmed.advance(lastTs);
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      const commit: Commit = { ts: outcome.ts, writeSet: outcome.writeSet };
      for (const listener of [...this.listeners]) notify(listener, commit);
    }
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.job.resolve({ result: outcome.result, ts: outcome.ts, writeSet: outcome.writeSet });
      else outcome.job.reject(asStorageFull(outcome.error, this.name));
    }
  }

  private async runExclusive(job: ExclusiveJob): Promise<void> {
    this.counters.batches++;
    let ts: bigint | undefined;
    let afterCommit: () => void;
    try {
      this.needsCheck = true; // schema installs are rare: always confirm the lock first
      await this.recoverIfNeeded(this.lastTs, []);
      ({ ts, afterCommit } = await inTransaction(this.writer, async (conn) => {
        this.checkFence(await lockEpoch(conn));
        const outcome = await job.run(conn, this.lastTs);
        // Logged like any commit (with no writes): followers reload their catalog on it.
        if (outcome.ts !== undefined) await Promise.all(logCommits(conn, [{ ts: outcome.ts, writes: [] }], this.epoch));
        return outcome;
      }));
    } catch (error) {
      job.reject(isConnectionError(error) ? connectionLost(this.target, error) : asStorageFull(error, this.name));
      if (isConnectionError(error)) this.needsCheck = true;
      return;
    }
    afterCommit();
    if (ts !== undefined) {
      this.lastTs = ts;
      this.confirmed.advance(ts);
      const commit: Commit = { ts, writeSet: Object.freeze({ writes: Object.freeze([]) }) };
      for (const listener of [...this.listeners]) notify(listener, commit);
    }
    job.resolve();
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
      this.queue.push({
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
      this.knownIndexIds = this.catalog.indexIds();
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
      this.queue.push({
        exclusive: true,
        run: async (conn, lastTs) => {
          this.tenure.renew(); // the records it loads were not written by this process
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
      await this.queue.idle();
      if (this.activeReads > 0) await new Promise<void>((resolve) => (this.readsDrained = resolve));
      this.confirmed.releaseAll();
      await Promise.all([this.pool.end(), this.writer.end()]);
    })();
    return this.closing;
  }
}

/** The connection error that failed a batch, if one did (then the batch may be run again). */
function lostConnection(outcomes: readonly Outcome[], error: unknown): unknown {
  if (isConnectionError(error)) return error;
  for (const outcome of outcomes) if (!outcome.ok && isConnectionError(outcome.error)) return outcome.error;
  return undefined;
}
