// `ctx.scheduler`: turns runAfter / runAt / cancel into rows of `_scheduled_functions`. In a
// mutation the rows are written by the mutation's own transaction (atomic with its writes); in
// an action each call is its own small write (a system write: on a cluster's follower, the
// leader commits it). Arguments are checked and copied here, when the caller can still see the
// error, not when the job runs.

import { getFunctionName, isFunctionReference, type FunctionKind } from "../../functions/reference.js";
import { tableOfId } from "../../values/id.js";
import { decodeValue, encodeValue } from "../../values/encoding.js";
import { isPlainObject, type Value } from "../../values/value.js";
import type { Scheduler } from "../define/context.js";
import type { ScheduledFunction } from "../define/system-tables.js";
import type { DatabaseWriter } from "../define/database.js";
import type { AnyDataModel } from "../define/data-model.js";
import type { WriteTransaction } from "../db/types.js";
import type { SystemWriter } from "../runtime/system-writer.js";
import { insertJob, isFinished, SCHEDULED_FUNCTIONS_TABLE, type NewJob } from "./scheduled-functions-table.js";

/** What the scheduler API needs from the server. */
export interface SchedulerContext {
  /** The scheduler's clock, in milliseconds since the epoch. */
  now(): number;
  /** The kind of a function of the loaded code (internal ones included), undefined when missing. */
  kindOf(name: string): FunctionKind | undefined;
  /** Throws an `ArgumentValidationError` when the function's `args` validator refuses `args`. */
  checkArgs(name: string, args: Value): void;
}

/** `ctx.scheduler` of a mutation, plus the earliest time it scheduled (to wake the runner after the commit). */
export interface TransactionScheduler {
  scheduler: Scheduler;
  /** Undefined when this transaction scheduled nothing. */
  earliestScheduledTime(): number | undefined;
}

type JobId = ScheduledFunction["_id"];

/**
 * Thrown by `ctx.scheduler.cancel` in a scheduled mutation given its own job's id. The job is
 * already settled inside this very transaction (its `success` is written with the mutation's
 * writes), so there is nothing left to cancel; the attempt changes nothing. Convex throws an
 * error of the same name.
 *
 * @example
 * try { await ctx.scheduler.cancel(ownJobId); } catch (error) { if (error instanceof ScheduledFunctionCancelingItself) ... }
 */
export class ScheduledFunctionCancelingItself extends Error {
  override readonly name = "ScheduledFunctionCancelingItself";

  constructor(jobId: string) {
    super(
      `A scheduled mutation cannot cancel itself (${jobId} is the job running now): it ends with this transaction either way. ` +
        "Return early (or throw) to stop its work instead.",
    );
  }
}

/**
 * The scheduler of a mutation: jobs are rows written by `tx` itself. `ownJobId` is the job the
 * mutation runs as, when the job runner started it.
 *
 * @example
 * const { scheduler, earliestScheduledTime } = transactionScheduler(tx, context, job._id);
 */
export function transactionScheduler(tx: WriteTransaction, context: SchedulerContext, ownJobId?: string): TransactionScheduler {
  let earliest: number | undefined;
  const writer = () => {
    if (tx.systemWriter === undefined) throw new Error("ctx.scheduler needs a transaction opened with { system: true }.");
    return tx.systemWriter;
  };
  const schedule = async (method: string, when: number, fn: unknown, args: unknown): Promise<JobId> => {
    const job = prepareJob(context, method, when, fn, args);
    const id = await insertJob(writer(), job);
    earliest = Math.min(earliest ?? Infinity, job.scheduledTime);
    return id;
  };
  return {
    scheduler: {
      runAfter: (delayMs: number, fn: unknown, args?: unknown) => schedule("runAfter", afterDelay(context, delayMs), fn, args),
      runAt: (timestamp: number | Date, fn: unknown, args?: unknown) => schedule("runAt", atTime(timestamp), fn, args),
      cancel: async (id: JobId) => {
        if (ownJobId !== undefined && id === ownJobId) throw new ScheduledFunctionCancelingItself(ownJobId);
        await cancelJob(writer(), id, context.now());
      },
    } as Scheduler,
    earliestScheduledTime: () => earliest,
  };
}

/**
 * The scheduler of an action: each call is a system write of its own (on a cluster's follower it
 * goes to the leader, whose job runner it wakes). Arguments are checked here, where the action
 * still sees the error.
 *
 * @example
 * const scheduler = standaloneScheduler(context, runtime.systemWriter());
 */
export function standaloneScheduler(context: SchedulerContext, write: SystemWriter): Scheduler {
  const schedule = async (method: string, when: number, fn: unknown, args: unknown): Promise<JobId> => {
    const job = prepareJob(context, method, when, fn, args);
    return (await write("scheduler.schedule", { ...job })) as JobId;
  };
  return {
    runAfter: (delayMs: number, fn: unknown, args?: unknown) => schedule("runAfter", afterDelay(context, delayMs), fn, args),
    runAt: (timestamp: number | Date, fn: unknown, args?: unknown) => schedule("runAt", atTime(timestamp), fn, args),
    cancel: async (id: JobId) => {
      checkJobId(id);
      await write("scheduler.cancel", { id });
    },
  } as Scheduler;
}

function afterDelay(context: SchedulerContext, delayMs: unknown): number {
  if (typeof delayMs !== "number" || Number.isNaN(delayMs)) {
    throw new TypeError(`ctx.scheduler.runAfter: the delay must be a number of milliseconds, got ${describe(delayMs)}.`);
  }
  // A negative delay is a time in the past: run as soon as possible, like setTimeout.
  return context.now() + Math.max(0, delayMs);
}

function atTime(timestamp: unknown): number {
  const ms = typeof timestamp === "object" && timestamp !== null && typeof (timestamp as Date).getTime === "function" ? (timestamp as Date).getTime() : timestamp;
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new TypeError(`ctx.scheduler.runAt: the time must be milliseconds since the epoch or a Date, got ${describe(timestamp)}.`);
  }
  return ms;
}

function prepareJob(context: SchedulerContext, method: string, scheduledTime: number, fn: unknown, args: unknown): NewJob {
  if (!Number.isFinite(scheduledTime)) throw new TypeError(`ctx.scheduler.${method}: the time must be finite.`);
  if (!isFunctionReference(fn)) {
    throw new TypeError(`ctx.scheduler.${method} expects a function reference such as internal.module.fn, got ${describe(fn)}.`);
  }
  const name = getFunctionName(fn);
  const kind = context.kindOf(name);
  if (kind === undefined) throw new Error(`ctx.scheduler.${method}: there is no function '${name}'.`);
  if (kind === "query") throw new Error(`ctx.scheduler.${method}: '${name}' is a query; only mutations and actions can be scheduled.`);
  const given = args ?? {};
  if (!isPlainObject(given)) throw new TypeError(`ctx.scheduler.${method}: the arguments of '${name}' must be an object, got ${describe(args)}.`);
  let copy: Value;
  try {
    // A copy through the wire encoding: it must be a value, and later changes by the caller must not leak in.
    copy = decodeValue(encodeValue(given as Value, "args"));
  } catch (error) {
    throw new Error(`ctx.scheduler.${method}: the arguments of '${name}' are not values: ${(error as Error).message}`);
  }
  try {
    // Now, while the caller can still see the error, rather than when the job runs.
    context.checkArgs(name, copy);
  } catch (error) {
    throw new Error(`ctx.scheduler.${method}: ${(error as Error).message}`);
  }
  return { name, kind, args: copy, scheduledTime };
}

/**
 * Cancels a pending job in the caller's transaction (a finished one stays as it is).
 *
 * @example
 * await cancelJob(tx.systemWriter!, jobId, Date.now());
 */
export async function cancelJob(writer: DatabaseWriter<AnyDataModel>, id: unknown, now: number): Promise<void> {
  checkJobId(id);
  const job = (await writer.get(id as JobId)) as ScheduledFunction | null;
  if (job === null) throw new Error(`ctx.scheduler.cancel: there is no scheduled function ${id}.`);
  if (isFinished(job.state)) return;
  await writer.patch(id as JobId, { state: { kind: "canceled" }, completedTime: now });
}

function checkJobId(id: unknown): asserts id is JobId {
  if (typeof id !== "string" || tableOfId(id) !== SCHEDULED_FUNCTIONS_TABLE) {
    throw new TypeError(`ctx.scheduler.cancel expects the id of a scheduled function, got ${describe(id)}.`);
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : ((value as object).constructor?.name ?? "an object");
}
