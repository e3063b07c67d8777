// When a cron job runs next. Calendar schedules (hourly ... monthly) are cron expressions in
// UTC; an interval keeps its phase (runs at anchor + k * interval) so a restart does not shift it.

import { nextCronTime, parseCronExpression, type CronExpression } from "./cron-expression.js";

/** The weekdays `crons.weekly` takes. */
export const DAYS_OF_WEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** A cron job's schedule, as stored in `_cron_jobs`. */
export type CronSchedule =
  | { type: "interval"; seconds: number }
  | { type: "hourly"; minuteUTC: number }
  | { type: "daily"; hourUTC: number; minuteUTC: number }
  | { type: "weekly"; dayOfWeek: DayOfWeek; hourUTC: number; minuteUTC: number }
  | { type: "monthly"; day: number; hourUTC: number; minuteUTC: number }
  | { type: "cron"; cron: string };

/** The shortest interval: crons are for periodic work, not busy loops. */
export const MIN_INTERVAL_SECONDS = 1;

/**
 * The cron expression of a calendar schedule (undefined for intervals). Throws for a malformed one.
 *
 * @example
 * cronExpressionOf({ type: "daily", hourUTC: 17, minuteUTC: 30 })?.source // "30 17 * * *"
 */
export function cronExpressionOf(schedule: CronSchedule): CronExpression | undefined {
  switch (schedule.type) {
    case "interval":
      return undefined;
    case "hourly":
      return parseCronExpression(`${schedule.minuteUTC} * * * *`);
    case "daily":
      return parseCronExpression(`${schedule.minuteUTC} ${schedule.hourUTC} * * *`);
    case "weekly":
      return parseCronExpression(`${schedule.minuteUTC} ${schedule.hourUTC} * * ${DAYS_OF_WEEK.indexOf(schedule.dayOfWeek)}`);
    // A day the month does not have (the 31st in April) is skipped that month, as in cron.
    case "monthly":
      return parseCronExpression(`${schedule.minuteUTC} ${schedule.hourUTC} ${schedule.day} * *`);
    case "cron":
      return parseCronExpression(schedule.cron);
  }
}

/**
 * The first run strictly after `nowMs`. For an interval with an `anchorMs` (an earlier planned
 * run) the phase is kept: the result is `anchorMs + k * interval`; without one it is one
 * interval from now.
 *
 * @example
 * nextRunTime({ type: "interval", seconds: 60 }, 1_000_000) // 1_060_000
 * nextRunTime({ type: "interval", seconds: 60 }, 1_000_000, 970_000) // 1_030_000
 */
export function nextRunTime(schedule: CronSchedule, nowMs: number, anchorMs?: number): number {
  if (schedule.type === "interval") {
    const period = schedule.seconds * 1000;
    if (anchorMs === undefined) return nowMs + period;
    if (anchorMs > nowMs) return anchorMs;
    return anchorMs + (Math.floor((nowMs - anchorMs) / period) + 1) * period;
  }
  const next = nextCronTime(cronExpressionOf(schedule)!, nowMs);
  // parseCronExpression refuses expressions that never match, so this is a bug if reached.
  if (next === undefined) throw new Error(`Cron schedule ${JSON.stringify(schedule)} has no next run.`);
  return next;
}
