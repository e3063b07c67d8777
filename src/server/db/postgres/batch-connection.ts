// The writer connection as the group commit sees it: one Postgres transaction per batch, writes
// held (held-writes.ts) until a read or the COMMIT needs them, and the commit-log rows written in
// the same transaction. Apart from store.ts so that the row-level store stays below the held
// writes that wrap it, and data flows one way: store.ts <- held-writes.ts <- this file.

import type { BatchConnection, CommittedWrite } from "../engine.js";
import { encodeWrites } from "./write-set-codec.js";
import { COMMIT_CHANNEL } from "./layout.js";
import { HeldWritesStore } from "./held-writes.js";
import type { Queryable, ReconnectingSession } from "./session.js";
import { PostgresStore, send } from "./store.js";

/**
 * Records committed writes inside their transaction, as one statement whatever the batch's size:
 * one commit-log row per commit, the last timestamp, and the NOTIFY that wakes followers
 * (delivered at COMMIT).
 *
 * @example
 * await Promise.all([...logCommits(tx, [{ ts, writes: [] }], epoch), send(tx, "COMMIT", [])]);
 */
export function logCommits(conn: Queryable, commits: readonly CommittedWrite[], epoch: bigint): Promise<unknown>[] {
  const last = commits.at(-1);
  if (last === undefined) return [];
  const timestamps = commits.map((commit) => commit.ts.toString());
  const writes = commits.map((commit) => encodeWrites(commit.writes));
  return [send(conn, LOG_COMMITS, [timestamps, writes, epoch.toString(), last.ts.toString(), COMMIT_CHANNEL])];
}

/** The commit-log rows, the last timestamp and the NOTIFY: data-modifying WITHs always run in full. */
const LOG_COMMITS =
  "WITH logged AS (INSERT INTO syncline_commit_log (ts, writes, epoch) SELECT t, w, $3 FROM unnest($1::bigint[], $2::bytea[]) AS c(t, w)), " +
  "stored AS (UPDATE syncline_meta SET value = $4 WHERE key = 'last_ts') " +
  "SELECT pg_notify($5, $4)";

/** The first statement of a write batch: the writer's backend, and the epoch locked against a new leader's bump. */
const BEGIN_CHECKS = "SELECT pg_backend_pid() AS pid, (SELECT epoch::text FROM syncline_leader WHERE id = 1 FOR SHARE) AS epoch";

/**
 * The writer connection as a group-commit connection: one Postgres transaction per batch, writes
 * held until a read or the COMMIT needs them (held-writes.ts: a savepoint only for a mutation that
 * read after it wrote), and at COMMIT the commit-log rows, the last timestamp and a NOTIFY, all in
 * the same transaction. Statements are pipelined; the batch waits only where write-batch.ts waits.
 *
 * @example
 * const batch = await runWriteBatch({ conn: new PostgresBatchConnection(writer, prune), ... }, jobs);
 */
export class PostgresBatchConnection implements BatchConnection {
  readonly store: HeldWritesStore;
  /** False once the batch ended, or a statement of it failed beyond a savepoint. */
  inTransaction = false;

  constructor(
    private readonly conn: ReconnectingSession,
    /** Statements to add to a committing batch (the commit log's pruning). */
    private readonly beforeCommit: (conn: Queryable, commits: readonly CommittedWrite[]) => Promise<unknown>[],
    /**
     * Throws unless `pid` is the backend that holds the owner lock (the connection was not
     * replaced) and `epoch` (read FOR SHARE in this transaction) is still this leader's.
     */
    private readonly checkSession: (pid: number, epoch: readonly { epoch: string }[]) => void,
    /** The epoch this leader writes in (stored with each commit-log row). */
    private readonly epoch: () => bigint,
  ) {
    this.store = new HeldWritesStore(new PostgresStore(conn), (statement) => send(conn, statement, []));
  }

  /**
   * Whether writes are held (see held-writes.ts) in the batches that follow; false sends each
   * write as it is made, inside a savepoint per mutation (the careful re-run of a failed batch).
   */
  set holdWrites(hold: boolean) {
    this.store.holding = hold;
  }

  /** The open batch's check of the session and the epoch: it must pass before COMMIT is sent. */
  private checks: Promise<void> = Promise.resolve();
  /** True while the last batch on this connection committed: its session is the lock holder's. */
  private lastCommitted = false;

  /**
   * BEGIN, pipelined with the check that the session still is the lock holder and the epoch still
   * ours. After a committed batch the mutations start at once and COMMIT waits for the check
   * (one round trip per batch fewer); after anything else - a first batch, a failure, a new
   * connection - the check passes before any mutation runs.
   */
  begin(): Promise<void> | void {
    const renewed = this.conn.renew();
    this.inTransaction = true;
    this.store.discard();
    const begun = send(this.conn, "BEGIN", []);
    const checked = send<{ pid: number; epoch: string }>(this.conn, BEGIN_CHECKS, []);
    this.checks = Promise.all([begun, checked]).then(([, rows]) => this.checkSession(rows[0]!.pid, rows));
    this.checks.catch(() => undefined); // a batch that ends before its COMMIT never looks
    if (this.lastCommitted && !renewed) return;
    return this.checks.catch(async (error: unknown) => {
      this.inTransaction = false;
      await send(this.conn, "ROLLBACK", []).catch(() => undefined);
      throw error;
    });
  }

  savepoint(): Promise<void> {
    return this.store.startMutation();
  }

  release(): Promise<void> {
    return this.store.endMutation();
  }

  rollbackToSavepoint(): Promise<void> {
    return this.store.undoMutation();
  }

  /**
   * Sends the writes still held (before the batch waits for its writes). True - no need to wait -
   * while writes are held and no mutation was rolled back to its savepoint: then a failed write
   * leaves the transaction aborted, the commit-log statement (sent whenever a mutation succeeded)
   * fails, and `commit` with it - one round trip per batch fewer.
   */
  flush(): boolean {
    this.store.flush();
    return this.store.holding && !this.store.rolledBack;
  }

  async commit(commits: readonly CommittedWrite[]): Promise<void> {
    this.lastCommitted = false;
    await this.checks;
    this.store.flush();
    const statements = [...logCommits(this.conn, commits, this.epoch()), ...this.beforeCommit(this.conn, commits)];
    const committing = send(this.conn, "COMMIT", []);
    try {
      await Promise.all([...statements, committing]);
      this.lastCommitted = true;
    } finally {
      this.inTransaction = false;
    }
  }

  async rollback(): Promise<void> {
    this.lastCommitted = false;
    this.inTransaction = false;
    this.store.discard();
    await send(this.conn, "ROLLBACK", []);
  }
}
