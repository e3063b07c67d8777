// `_cron_jobs`: the cron runner's durable state, one row per cron of `crons.ts` - its
// definition and the next run it owes. Keeping `nextRun` in the database (not in memory) lets an
// interval keep its phase across restarts, and lets a start-up tell a missed run from a future one.

import { defineTable } from "../define/schema.js";
import type { QueryInitializer } from "../define/database.js";
import type { Id } from "../../values/id.js";
import type { Value } from "../../values/value.js";
import { v } from "../../values/validators.js";
import type { CronSchedule } from "./cron-schedule.js";

export const CRON_JOBS_TABLE = "_cron_jobs";
export const BY_NEXT_RUN = "by_next_run";

export const cronJobsTable = defineTable({
  name: v.string(),
  functionName: v.string(),
  args: v.array(v.any()),
  schedule: v.any(),
  /** The definition as one string, to notice that `crons.ts` changed this cron. */
  definition: v.string(),
  nextRun: v.float64(),
  lastRun: v.optional(v.float64()),
  /** The job of the last run, to skip a run while it is still going (runs never overlap). */
  lastJob: v.optional(v.id("_scheduled_functions")),
}).index(BY_NEXT_RUN, ["nextRun"]);

/** A row of `_cron_jobs`. */
export type CronJobRow = {
  _id: Id<"_cron_jobs">;
  _creationTime: number;
  name: string;
  functionName: string;
  args: Value[];
  schedule: CronSchedule;
  definition: string;
  nextRun: number;
  lastRun?: number;
  lastJob?: Id<"_scheduled_functions">;
};

type CronTableInfo = {
  document: CronJobRow;
  fieldPaths: "_id" | "_creationTime" | "name" | "functionName" | "args" | "schedule" | "definition" | "nextRun" | "lastRun" | "lastJob";
  indexes: { by_id: ["_id"]; by_creation_time: ["_creationTime"]; [BY_NEXT_RUN]: ["nextRun", "_creationTime"] };
};

/**
 * A typed query on `_cron_jobs` through a system reader.
 *
 * @example
 * const due = await cronRows(tx.db.system).withIndex(BY_NEXT_RUN, (q) => q.lte("nextRun", now)).collect();
 */
export function cronRows(reader: { query(table: string): unknown }): QueryInitializer<CronTableInfo> {
  return reader.query(CRON_JOBS_TABLE) as QueryInitializer<CronTableInfo>;
}
