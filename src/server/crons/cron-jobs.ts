// `cronJobs()`: the periodic jobs of `crons.ts`. Every definition is checked as it is made
// (unique name, a real schedule, a function reference, arguments that are values), so a mistake
// is a load error of `crons.ts` that names the cron.

import { getFunctionName, isFunctionReference, type OptionalRestArgs } from "../../functions/reference.js";
import { decodeValue, encodeValue } from "../../values/encoding.js";
import { isPlainObject, type Value } from "../../values/value.js";
import type { SchedulableFunctionReference } from "../define/context.js";
import { cronExpressionOf, DAYS_OF_WEEK, MIN_INTERVAL_SECONDS, type CronSchedule, type DayOfWeek } from "./cron-schedule.js";

const CRON_JOBS = Symbol.for("syncline.CronJobs");

/** One cron job as `crons.ts` defines it. */
export interface CronJob {
  name: string;
  schedule: CronSchedule;
  /** The canonical name of the function it runs. */
  functionName: string;
  /** The arguments object. */
  args: Value;
}

/** Exactly one unit. */
export type IntervalSchedule = { seconds: number; minutes?: undefined; hours?: undefined } | { minutes: number; seconds?: undefined; hours?: undefined } | { hours: number; seconds?: undefined; minutes?: undefined };

/** The cron jobs of `crons.ts`. Make one with `cronJobs()`. */
export class Crons {
  readonly [CRON_JOBS] = true as const;
  /** Every job by name, in definition order. */
  readonly jobs: Record<string, CronJob> = {};

  /**
   * Runs `fn` every `seconds`, `minutes` or `hours` (at least one second), the first time one
   * interval after the server starts.
   *
   * @example
   * crons.interval("clear messages table", { minutes: 1 }, internal.messages.clearAll);
   */
  interval<F extends SchedulableFunctionReference>(name: string, schedule: IntervalSchedule, fn: F, ...args: OptionalRestArgs<F>): void {
    const units = (["seconds", "minutes", "hours"] as const).filter((unit) => schedule?.[unit] !== undefined);
    if (units.length !== 1) throw cronError(name, `interval takes exactly one of seconds, minutes or hours, got ${JSON.stringify(schedule)}`);
    const unit = units[0]!;
    const amount = schedule[unit]!;
    const seconds = amount * { seconds: 1, minutes: 60, hours: 3600 }[unit];
    if (typeof amount !== "number" || !Number.isFinite(seconds) || seconds < MIN_INTERVAL_SECONDS) {
      throw cronError(name, `interval must be at least ${MIN_INTERVAL_SECONDS} second, got ${JSON.stringify(schedule)}`);
    }
    this.#add(name, { type: "interval", seconds }, fn, args[0]);
  }

  /**
   * Runs `fn` every hour at `minuteUTC`.
   *
   * @example
   * crons.hourly("clear presence data", { minuteUTC: 0 }, internal.presence.clear);
   */
  hourly<F extends SchedulableFunctionReference>(name: string, schedule: { minuteUTC: number }, fn: F, ...args: OptionalRestArgs<F>): void {
    this.#add(name, { type: "hourly", minuteUTC: schedule?.minuteUTC }, fn, args[0]);
  }

  /**
   * Runs `fn` every day at `hourUTC:minuteUTC`.
   *
   * @example
   * crons.daily("send reminders", { hourUTC: 17, minuteUTC: 30 }, internal.mail.sendReminders);
   */
  daily<F extends SchedulableFunctionReference>(name: string, schedule: { hourUTC: number; minuteUTC: number }, fn: F, ...args: OptionalRestArgs<F>): void {
    this.#add(name, { type: "daily", hourUTC: schedule?.hourUTC, minuteUTC: schedule?.minuteUTC }, fn, args[0]);
  }

  /**
   * Runs `fn` every week on `dayOfWeek` at `hourUTC:minuteUTC`.
   *
   * @example
   * crons.weekly("weekly re-engagement email", { dayOfWeek: "tuesday", hourUTC: 8, minuteUTC: 0 }, internal.mail.weekly);
   */
  weekly<F extends SchedulableFunctionReference>(
    name: string,
    schedule: { dayOfWeek: DayOfWeek; hourUTC: number; minuteUTC: number },
    fn: F,
    ...args: OptionalRestArgs<F>
  ): void {
    if (!DAYS_OF_WEEK.includes(schedule?.dayOfWeek)) {
      throw cronError(name, `dayOfWeek must be one of ${DAYS_OF_WEEK.join(", ")}, got ${JSON.stringify(schedule?.dayOfWeek)}`);
    }
    this.#add(name, { type: "weekly", dayOfWeek: schedule.dayOfWeek, hourUTC: schedule.hourUTC, minuteUTC: schedule.minuteUTC }, fn, args[0]);
  }

  /**
   * Runs `fn` every month on `day` (1-31; months without that day are skipped) at
   * `hourUTC:minuteUTC`.
   *
   * @example
   * crons.monthly("payment reminder", { day: 1, hourUTC: 16, minuteUTC: 0 }, internal.payments.sendReminder, { kind: "monthly" });
   */
  monthly<F extends SchedulableFunctionReference>(
    name: string,
    schedule: { day: number; hourUTC: number; minuteUTC: number },
    fn: F,
    ...args: OptionalRestArgs<F>
  ): void {
    this.#add(name, { type: "monthly", day: schedule?.day, hourUTC: schedule?.hourUTC, minuteUTC: schedule?.minuteUTC }, fn, args[0]);
  }

  /**
   * Runs `fn` on a five-field cron expression, in UTC: minute hour day-of-month month day-of-week.
   *
   * @example
   * crons.cron("every five minutes", "*\/5 * * * *", internal.stats.refresh);
   */
  cron<F extends SchedulableFunctionReference>(name: string, expression: string, fn: F, ...args: OptionalRestArgs<F>): void {
    this.#add(name, { type: "cron", cron: expression }, fn, args[0]);
  }

  #add(name: string, schedule: CronSchedule, fn: unknown, args: unknown): void {
    if (typeof name !== "string" || name.trim() === "") throw new Error(`A cron job needs a name (a non-empty string), got ${JSON.stringify(name)}.`);
    if (Object.hasOwn(this.jobs, name)) throw cronError(name, "the name is used twice; cron job names must be unique");
    try {
      checkCalendarFields(schedule);
      cronExpressionOf(schedule);
    } catch (error) {
      throw cronError(name, (error as Error).message);
    }
    if (!isFunctionReference(fn)) throw cronError(name, "the function must be a reference such as internal.module.fn");
    this.jobs[name] = { name, schedule, functionName: getFunctionName(fn), args: cronArgs(name, args) };
  }
}

function cronError(name: string, problem: string): Error {
  // Wrapped messages (a bad cron expression) already end with a period.
  return new Error(`Cron job ${JSON.stringify(name)}: ${problem.replace(/\.$/, "")}.`);
}

const FIELD_RANGES = { minuteUTC: [0, 59], hourUTC: [0, 23], day: [1, 31] } as const;

function checkCalendarFields(schedule: CronSchedule): void {
  for (const [field, [low, high]] of Object.entries(FIELD_RANGES)) {
    if (!(field in schedule)) continue;
    const value = (schedule as Record<string, unknown>)[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high) {
      throw new Error(`${field} must be a whole number from ${low} to ${high}, got ${JSON.stringify(value)}`);
    }
  }
}

/** The arguments as a plain copy, checked to be a values object now rather than at 3 am. */
function cronArgs(name: string, args: unknown): Value {
  const given = args ?? {};
  if (!isPlainObject(given)) throw cronError(name, "arguments must be an object");
  try {
    return decodeValue(encodeValue(given as Value, "args"));
  } catch (error) {
    throw cronError(name, (error as Error).message);
  }
}

/**
 * Makes the cron jobs `crons.ts` default-exports.
 *
 * @example
 * const crons = cronJobs();
 * crons.interval("clear messages table", { minutes: 1 }, internal.messages.clearAll);
 * crons.cron("every five minutes", "*\/5 * * * *", internal.stats.refresh);
 * export default crons;
 */
export function cronJobs(): Crons {
  return new Crons();
}

/** True for the result of `cronJobs()` (from any copy of Syncline). */
export function isCronJobs(value: unknown): value is Crons {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[CRON_JOBS] === true;
}
