// `_scheduled_functions`: one row per job, written by `ctx.scheduler`, crons and the job runner,
// read by user queries (`ctx.db.system`) to show progress live. The row is the job's whole
// durable state, so a restart picks up exactly where the last process left it.

import { defineTable } from "../define/schema.js";
import type { ScheduledFunction, ScheduledFunctionState, SystemDataModel } from "../define/system-tables.js";
import type { DatabaseWriter, QueryInitializer } from "../define/database.js";
import type { AnyDataModel } from "../define/data-model.js";
import type { Value } from "../../values/value.js";
import { v } from "../../values/validators.js";

export const SCHEDULED_FUNCTIONS_TABLE = "_scheduled_functions";

/**
 * The one extra index (every index costs each job insert and status change): the runner's
 * queue - pending jobs of one kind in due order - and, with other states, recovery and pruning.
 */
export const BY_KIND_STATE_TIME = "by_kind_state_time";

export const scheduledFunctionsTable = defineTable({
  name: v.string(),
  kind: v.union(v.literal("mutation"), v.literal("action")),
  args: v.array(v.any()),
  scheduledTime: v.float64(),
  completedTime: v.optional(v.float64()),
  state: v.union(
    v.object({ kind: v.literal("pending") }),
    v.object({ kind: v.literal("inProgress") }),
    v.object({ kind: v.literal("success") }),
    v.object({ kind: v.literal("failed"), error: v.string() }),
    v.object({ kind: v.literal("canceled") }),
  ),
}).index(BY_KIND_STATE_TIME, ["kind", "state.kind", "scheduledTime"]);

export type JobKind = ScheduledFunction["kind"];

/** The table with its private indexes, which `SystemDataModel` leaves out of user types. */
type JobTableInfo = {
  document: ScheduledFunction;
  fieldPaths: SystemDataModel["_scheduled_functions"]["fieldPaths"];
  indexes: SystemDataModel["_scheduled_functions"]["indexes"] & {
    [BY_KIND_STATE_TIME]: ["kind", "state.kind", "scheduledTime", "_creationTime"];
  };
};

/**
 * A typed query on `_scheduled_functions` through a system reader, private indexes included.
 *
 * @example
 * const next = await jobs(tx.db.system).withIndex(BY_KIND_STATE_TIME, (q) => q.eq("kind", "action").eq("state.kind", "pending")).first();
 */
export function jobs(reader: { query(table: string): unknown }): QueryInitializer<JobTableInfo> {
  return reader.query(SCHEDULED_FUNCTIONS_TABLE) as QueryInitializer<JobTableInfo>;
}

/** A new job's fields. */
export interface NewJob {
  name: string;
  kind: JobKind;
  /** The arguments object (already checked to be a value). */
  args: Value;
  scheduledTime: number;
}

/**
 * Inserts a pending job with a privileged writer (inside the caller's transaction).
 *
 * @example
 * const id = await insertJob(tx.systemWriter!, { name: "reports:build", kind: "mutation", args: {}, scheduledTime: Date.now() });
 */
export async function insertJob(writer: DatabaseWriter<AnyDataModel>, job: NewJob): Promise<ScheduledFunction["_id"]> {
  const id = await writer.insert(SCHEDULED_FUNCTIONS_TABLE, {
    name: job.name,
    kind: job.kind,
    args: [job.args],
    scheduledTime: job.scheduledTime,
    state: { kind: "pending" },
  });
  return id as ScheduledFunction["_id"];
}

/** True for the states a job does not leave. */
export function isFinished(state: ScheduledFunctionState): boolean {
  return state.kind === "success" || state.kind === "failed" || state.kind === "canceled";
}
