// The write side of a Postgres database: the queue of writes, the group-commit batches the one
// writer connection runs (strictly one after another, each storing its last timestamp), and
// recovery after a lost connection - re-taking the owner lock, and finding out whether a batch
// whose COMMIT was in flight did commit - plus the epoch fence every commit checks. The
// database wires it up; this file only writes.

import type { Catalog } from "../catalog.js";
import { CreationClock } from "../clock.js";
import { CommitQueue } from "../commit-queue.js";
import { notify } from "../database-common.js";
import type { CommittedWrite } from "../engine.js";
import { asStorageFull } from "../storage-full.js";
import type { Commit } from "../types.js";
import type { SchemaState } from "../validation.js";
import { runWriteBatch, type Outcome, type WriteJob } from "../write-batch.js";
import { WriterTenure } from "../writer-tenure.js";
import { commitsSince, pruneCommitLog } from "./commit-log.js";
import type { ConfirmedCommits } from "./confirmed-commits.js";
import { connectionLost, describeTarget, isConnectionError, type Target } from "./errors.js";
import { OWNER_LOCK } from "./layout.js";
import { checkEpoch, lockEpoch } from "./leader-row.js";
import { sleep } from "./retry.js";
import { inTransaction, type ReconnectingSession } from "./session.js";
import type { PostgresSettings } from "./settings.js";
import { readLastTs, send, type Queryable } from "./store.js";
import { logCommits, PostgresBatchConnection } from "./batch-connection.js";
import { OwnershipLostError, SessionChanged } from "./writer-errors.js";

/** A job that runs alone in its batch (a schema install, a snapshot load, a lock check). */
export type ExclusiveJob = {
  readonly exclusive: true;
  /** Runs inside BEGIN .. COMMIT on the writer; returns what to do after the commit. */
  readonly run: (conn: Queryable, lastTs: bigint) => Promise<{ ts: bigint | undefined; afterCommit: () => void }>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
};
/** What the write queue runs: mutations (batched together) or an exclusive job. */
export type Job = WriteJob | ExclusiveJob;

const MAX_BATCH = 256;

const PRUNE_EVERY_MS = 60_000;

/** What the write runner reads of (and reports to) the database it writes for. */
export interface WriteHost {
  /** The one writer connection (it holds the owner lock). */
  readonly writer: ReconnectingSession;
  readonly catalog: Catalog;
  /** The database, as messages name it. */
  readonly target: Target;
  /** The URL without its password, as messages name the database. */
  readonly name: string;
  readonly settings: PostgresSettings;
  /** The database's counters (`stats()`): the runner counts batches, commits and rollbacks. */
  readonly counters: { batches: number; commits: number; rollbacks: number; durableCommits: number };
  /** Advanced once a COMMIT returned: reads that saw the commit wait for it. */
  readonly confirmed: ConfirmedCommits;
  /** Told of every commit, in timestamp order. */
  readonly listeners: ReadonlySet<(commit: Commit) => void>;
  /** The schema writes validate by now. */
  schema(): SchemaState;
  /** The leader epoch this node writes in. */
  epoch(): bigint;
  /** Set once this node must never write again (fenced, or the database was taken over). */
  fatal(): Error | undefined;
  /** True once the database is closing. */
  closed(): boolean;
  /** Stops every write for good: queued and later ones fail with `error`. */
  fenceOff(error: Error): void;
}

/**
 * The write queue and its batches on the writer connection.
 *
 * @example
 * const writes = new WriteRunner(host, lastTs, lockPid);
 * writes.push({ exclusive: false, fn, options, resolve, reject });
 * await writes.idle();
 */
export class WriteRunner {
  private readonly queue = new CommitQueue<Job>((batch) => this.runBatch(batch), MAX_BATCH);
  /** Renewed whenever this server (re)takes the writer's lock after another may have held it. */
  readonly tenure = new WriterTenure();
  private readonly creationClock = new CreationClock();
  private readonly batchConnection: PostgresBatchConnection;
  private lastPrune = 0;
  /** The writer's backend pid while it holds the owner lock. */
  lockPid: number;
  /** The last timestamp the writer committed (or, on a follower, applied). */
  lastTs: bigint;
  /** A batch whose COMMIT was sent when the connection broke: it may or may not have committed. */
  private uncertain: { before: bigint; outcomes: Outcome[] } | undefined;
  /** Set when a batch gave up on a lost connection: the next batch first learns what the database holds. */
  needsCheck = false;

  constructor(
    private readonly host: WriteHost,
    lastTs: bigint,
    lockPid: number,
  ) {
    this.lastTs = lastTs;
    this.lockPid = lockPid;
    this.batchConnection = new PostgresBatchConnection(
      host.writer,
      (conn, commits) => this.beforeCommit(conn, commits),
      (pid, epochRows) => {
        if (pid !== this.lockPid) throw new SessionChanged("The connection to PostgreSQL was replaced.");
        this.checkFence(epochRows);
      },
      () => host.epoch(),
    );
  }

  /**
   * Queues a job; it runs in the next batch (an exclusive one alone).
   *
   * @example
   * writes.push({ exclusive: true, run: async (conn, lastTs) => ({ ts: undefined, afterCommit: () => {} }), resolve, reject });
   */
  push(job: Job): void {
    this.queue.push(job);
  }

  /**
   * Resolves once every queued job has run.
   *
   * @example
   * await writes.idle(); // before releasing the leader lock
   */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Throws (and fences this node for good) when the epoch read in a write transaction is not ours. */
  private checkFence(epochRows: readonly { epoch: string }[]): void {
    try {
      checkEpoch(epochRows, this.host.epoch(), `Refusing to commit on ${describeTarget(this.host.target)}`);
    } catch (error) {
      this.host.fenceOff(error as Error);
      throw error;
    }
  }

  /** The statements a committing batch adds: the commit log's pruning, once a minute. */
  private beforeCommit(conn: Queryable, commits: readonly CommittedWrite[]): Promise<unknown>[] {
    const last = commits.at(-1);
    if (last === undefined || Date.now() - this.lastPrune < PRUNE_EVERY_MS) return [];
    this.lastPrune = Date.now();
    return [pruneCommitLog(conn, last.ts, this.host.settings.commitLogRetentionMs)];
  }

  /** Checks (pipelined with nothing else) that the writer still is the lock-holding session, re-taking the lock after a reconnect. */
  private async ensureOwner(): Promise<void> {
    this.host.writer.renew();
    const rows = await send<{ pid: number }>(this.host.writer, "SELECT pg_backend_pid() AS pid", []);
    const pid = rows[0]!.pid;
    if (pid === this.lockPid) return;
    const taken = await send<{ locked: boolean }>(this.host.writer, "SELECT pg_try_advisory_lock($1) AS locked", [OWNER_LOCK.toString()]);
    if (taken[0]?.locked !== true) {
      this.host.fenceOff(new OwnershipLostError(`Another Syncline server took over ${describeTarget(this.host.target)} while this one was disconnected; this server stops writing.`));
      throw this.host.fatal();
    }
    this.lockPid = pid;
    this.tenure.renew(); // another server may have held the lock (and written) meanwhile
    throw new SessionChanged("The connection to PostgreSQL was re-established.");
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const first = batch[0]!;
    if (this.host.fatal() !== undefined) {
      for (const job of batch) job.reject(this.host.fatal());
      return;
    }
    if (first.exclusive) return this.runExclusive(first);
    const jobs = batch as WriteJob[];
    const deadline = Date.now() + this.host.settings.reconnectTimeoutMs;
    let careful = false;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      let error: unknown;
      try {
        const before = this.lastTs;
        if (await this.recoverIfNeeded(before, jobs)) return;
        this.host.counters.batches++;
        this.batchConnection.holdWrites = !careful;
        const context = { conn: this.batchConnection, catalog: this.host.catalog, schema: this.host.schema(), creationClock: this.creationClock, lastTs: before, deferWrites: !careful, tenure: this.tenure };
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
          for (const outcome of done.outcomes) outcome.job.reject(asStorageFull(outcome.ok ? done.error : outcome.error, this.host.name));
          return;
        }
        this.uncertain = { before, outcomes: done.outcomes };
      } catch (thrown) {
        if (this.host.fatal() !== undefined || !isConnectionError(thrown)) {
          for (const job of jobs) job.reject(this.host.fatal() ?? asStorageFull(thrown, this.host.name));
          return;
        }
        error = thrown;
      }
      if (this.host.closed() || Date.now() + delay > deadline) {
        for (const job of jobs) job.reject(connectionLost(this.host.target, error));
        this.needsCheck = true;
        this.uncertain = undefined;
        return;
      }
      await sleep(delay);
    }
  }

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
    const stored = await readLastTs(this.host.writer);
    const uncertain = this.uncertain;
    this.uncertain = undefined;
    this.needsCheck = false;
    if (stored > before && uncertain !== undefined && uncertain.before === before && uncertain.outcomes.every((o, i) => o.job === jobs[i])) {
      this.settle(uncertain.outcomes, stored);
      return true;
    }
    if (stored > this.host.confirmed.ts) {
      // Committed by a batch already answered with an error (its outcome was lost with the
      // connection): the commit log says what it wrote, so subscriptions still see it.
      for (const commit of await commitsSince(this.host.writer, this.host.confirmed.ts)) {
        for (const listener of [...this.host.listeners]) notify(listener, commit);
      }
      this.lastTs = stored > this.lastTs ? stored : this.lastTs;
      this.host.confirmed.advance(stored);
    }
    return false;
  }

  /**
   * Makes the writer find out what the database holds (`recoverIfNeeded`) even when no write
   * comes: a read saw a commit whose outcome a lost connection hid.
   *
   * @example
   * if (writes.needsCheck) writes.requestCheck();
   */
  requestCheck(): void {
    this.needsCheck = true;
    this.queue.push({ exclusive: true, run: async () => ({ ts: undefined, afterCommit: () => {} }), resolve: () => {}, reject: () => {} });
  }

  /** Marks a committed batch's tables persisted, then tells listeners (in ts order) and callers. */
  private settle(outcomes: readonly Outcome[], lastTs: bigint): void {
    this.lastTs = lastTs;
    let committed = 0;
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        this.host.counters.rollbacks++;
        continue;
      }
      committed++;
      for (const table of outcome.tables) table.persisted = true;
    }
    this.host.counters.commits += committed;
    this.host.counters.durableCommits += committed;
    this.host.confirmed.advance(lastTs);
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      const commit: Commit = { ts: outcome.ts, writeSet: outcome.writeSet };
      for (const listener of [...this.host.listeners]) notify(listener, commit);
    }
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.job.resolve({ result: outcome.result, ts: outcome.ts, writeSet: outcome.writeSet });
      else outcome.job.reject(asStorageFull(outcome.error, this.host.name));
    }
  }

  private async runExclusive(job: ExclusiveJob): Promise<void> {
    this.host.counters.batches++;
    let ts: bigint | undefined;
    let afterCommit: () => void;
    try {
      this.needsCheck = true; // schema installs are rare: always confirm the lock first
      await this.recoverIfNeeded(this.lastTs, []);
      ({ ts, afterCommit } = await inTransaction(this.host.writer, async (conn) => {
        this.checkFence(await lockEpoch(conn));
        const outcome = await job.run(conn, this.lastTs);
        // Logged like any commit (with no writes): followers reload their catalog on it.
        if (outcome.ts !== undefined) await Promise.all(logCommits(conn, [{ ts: outcome.ts, writes: [] }], this.host.epoch()));
        return outcome;
      }));
    } catch (error) {
      job.reject(isConnectionError(error) ? connectionLost(this.host.target, error) : asStorageFull(error, this.host.name));
      if (isConnectionError(error)) this.needsCheck = true;
      return;
    }
    afterCommit();
    if (ts !== undefined) {
      this.lastTs = ts;
      this.host.confirmed.advance(ts);
      const commit: Commit = { ts, writeSet: Object.freeze({ writes: Object.freeze([]) }) };
      for (const listener of [...this.host.listeners]) notify(listener, commit);
    }
    job.resolve();
  }
}

/** The connection error that failed a batch, if one did (then the batch may be run again). */
function lostConnection(outcomes: readonly Outcome[], error: unknown): unknown {
  if (isConnectionError(error)) return error;
  for (const outcome of outcomes) if (!outcome.ok && isConnectionError(outcome.error)) return outcome.error;
  return undefined;
}
