// One group-commit batch on the writer connection: BEGIN; each transaction inside its own
// SAVEPOINT (rolled back alone when its function throws); one COMMIT for all. The caller settles
// the jobs and notifies listeners from the returned outcomes once the commit is durable. Every
// engine call may be synchronous (SQLite) or a promise (Postgres); only promises are awaited.

import { currentCallContext, runWithCallContext } from "../call-context.js";
import type { Catalog, TableInfo } from "./catalog.js";
import { nextTimestamp, type CreationClock } from "./clock.js";
import { isPromise, type BatchConnection, type CommittedWrite, type MaybePromise } from "./engine.js";
import { EVERYTHING, USER_ONLY } from "./reader.js";
import { TxState } from "./transaction.js";
import type { WriteOptions, WriteResult, WriteSet, WriteTransaction } from "./types.js";
import type { SchemaState } from "./validation.js";
import { Writer } from "./writer.js";
import type { WriterTenure } from "./writer-tenure.js";

/** A queued `db.write()` call. */
export interface WriteJob {
  readonly exclusive: false;
  readonly fn: (tx: WriteTransaction) => Promise<unknown>;
  readonly options: WriteOptions | undefined;
  readonly resolve: (result: WriteResult<unknown>) => void;
  readonly reject: (error: unknown) => void;
}

/** What became of one job of a batch. */
export type Outcome =
  | { ok: true; job: WriteJob; result: unknown; ts: bigint; writeSet: WriteSet; tables: ReadonlySet<TableInfo> }
  | { ok: false; job: WriteJob; error: unknown };

/** What a batch needs from the database. */
export interface BatchContext {
  conn: BatchConnection;
  catalog: Catalog;
  schema: SchemaState;
  creationClock: CreationClock;
  /** The last committed timestamp before the batch. */
  lastTs: bigint;
  /**
   * Do not wait for a successful job's writes before the next job starts: they are checked at
   * COMMIT (a failure then fails the whole batch, which the engine re-runs without this). Only
   * for engines that pipeline statements; SQLite's writes are done when they return.
   */
  deferWrites?: boolean;
  /** The writer's tenure, handed to each transaction (writer-tenure.ts). */
  tenure?: WriterTenure;
}

/** The result of a batch: its outcomes, and either the new last timestamp or why COMMIT failed. */
export type BatchResult = { committed: true; outcomes: Outcome[]; lastTs: bigint } | { committed: false; outcomes: Outcome[]; error: unknown };

/** True when called (synchronously or asynchronously) from inside a write transaction's function: a write() from there would wait for itself. */
export function isInsideWrite(): boolean {
  return currentCallContext()?.insideWrite === true;
}

/** Waits for `result` only when it is a promise. */
async function done(result: MaybePromise<void>): Promise<void> {
  if (isPromise(result)) await result;
}

/** Runs one job in its savepoint. Returns the outcome and whether the batch can go on. */
async function runJob(ctx: BatchContext, job: WriteJob, commitTs: bigint, deferred: Promise<unknown>[]): Promise<{ outcome: Outcome; broken?: unknown }> {
  const { conn } = ctx;
  const tx = new TxState(conn.store, ctx.catalog, ctx.schema, "write", undefined, undefined, ctx.creationClock);
  tx.commitTs = commitTs;
  try {
    tx.track(conn.savepoint());
    const view: WriteTransaction = {
      db: new Writer(tx, USER_ONLY) as unknown as WriteTransaction["db"],
      systemWriter: (job.options?.system === true ? new Writer(tx, EVERYTHING) : undefined) as unknown as WriteTransaction["systemWriter"],
      ts: commitTs,
      tenure: ctx.tenure,
    };
    const result = await runWithCallContext({ scope: currentCallContext()?.scope, insideWrite: true }, () => job.fn(view));
    tx.finish();
    const settled = tx.settle();
    if (ctx.deferWrites === true && isPromise(settled)) {
      for (const write of [settled, Promise.resolve(conn.release())]) {
        write.catch(() => undefined); // seen at COMMIT; never an unhandled rejection if the batch stops first
        deferred.push(write);
      }
    } else {
      if (isPromise(settled)) await settled;
      const released = conn.release();
      if (isPromise(released)) await released;
    }
    const writeSet: WriteSet = Object.freeze({ writes: Object.freeze(tx.writes) });
    return { outcome: { ok: true, job, result, ts: commitTs, writeSet, tables: tx.touchedTables } };
  } catch (thrown) {
    tx.finish();
    // Rolled back before its writes are waited for: an engine that held writes back drops them
    // unsent (they never fail), one that sent them answers the rollback after them.
    let rolledBack: MaybePromise<void>;
    try {
      rolledBack = conn.rollbackToSavepoint();
    } catch (rollbackError) {
      rolledBack = Promise.reject(rollbackError);
    }
    if (isPromise(rolledBack)) rolledBack.catch(() => undefined); // awaited below, after the writes
    // A failed write of the engine explains the failure better than what it caused later.
    const error = await failureOf(tx, thrown);
    try {
      await done(rolledBack);
      return { outcome: { ok: false, job, error } };
    } catch (rollbackError) {
      return { outcome: { ok: false, job, error }, broken: rollbackError };
    }
  }
}

/** The first failed write of `tx`, else `thrown`. */
async function failureOf(tx: TxState, thrown: unknown): Promise<unknown> {
  try {
    await tx.settle();
    return thrown;
  } catch (failure) {
    return failure;
  }
}

/**
 * Runs `jobs` one after another in one engine transaction and commits once. A job whose function
 * throws is rolled back alone; if COMMIT itself fails, nothing of the batch is kept.
 *
 * @example
 * const batch = await runWriteBatch({ conn, catalog, schema, creationClock, lastTs }, jobs);
 * if (batch.committed) lastTs = batch.lastTs;
 */
export async function runWriteBatch(ctx: BatchContext, jobs: readonly WriteJob[]): Promise<BatchResult> {
  const { conn } = ctx;
  const outcomes: Outcome[] = [];
  const deferred: Promise<unknown>[] = [];
  let ts = ctx.lastTs;
  let broken: unknown;
  try {
    const begun = conn.begin();
    if (isPromise(begun)) await begun;
  } catch (error) {
    return { committed: false, outcomes: jobs.map((job) => ({ ok: false, job, error })), error };
  }
  for (const job of jobs) {
    if (broken !== undefined) {
      outcomes.push({ ok: false, job, error: broken });
      continue;
    }
    // Transactions of a batch run one after another, so the timestamp this one commits at is
    // known before it runs (tx.ts); a failed one leaves it to the next.
    const ran = await runJob(ctx, job, nextTimestamp(ts), deferred);
    outcomes.push(ran.outcome);
    if (ran.outcome.ok) ts = ran.outcome.ts;
    broken = ran.broken;
    // SQLite rolls the whole transaction back on some errors (disk full, I/O): the batch is lost.
    if (broken === undefined && !conn.inTransaction) broken = new Error("The write batch was aborted by the storage engine.");
  }
  try {
    if (broken !== undefined) throw broken;
    const commits: CommittedWrite[] = [];
    for (const outcome of outcomes) if (outcome.ok) commits.push({ ts: outcome.ts, writes: outcome.writeSet.writes });
    // Every deferred write must have succeeded before COMMIT is sent: after one failed, a later
    // job's ROLLBACK TO SAVEPOINT (its function threw on the aborted transaction) revives the
    // transaction, and a COMMIT sent with it would keep the rest of the batch while this batch is
    // reported lost - and run again, applying those mutations twice. Unless the engine says no
    // savepoint was rolled back: then a failed write fails the commit by itself (no wait needed).
    const commitChecksWrites = conn.flush?.() === true;
    if (deferred.length > 0 && !commitChecksWrites) await Promise.all(deferred);
    const committed = conn.commit(commits);
    if (isPromise(committed)) await committed;
  } catch (error) {
    try {
      await done(conn.rollback());
    } catch {
      // The connection is gone: the engine rolled the transaction back itself.
    }
    return { committed: false, outcomes, error };
  }
  return { committed: true, outcomes, lastTs: ts };
}
