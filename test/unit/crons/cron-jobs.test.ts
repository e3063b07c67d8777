import { describe, expect, it } from "vitest";
import { cronJobs, isCronJobs } from "../../../src/server/crons/cron-jobs.js";
import { nextRunTime } from "../../../src/server/crons/cron-schedule.js";
import { anyApi } from "../../../src/functions/any-api.js";
import type { SchedulableFunctionReference } from "../../../src/server/define/context.js";

const fn = (anyApi.jobs as Record<string, SchedulableFunctionReference>).run!;
const at = (iso: string) => Date.parse(iso);

describe("cronJobs()", () => {
  it("records each schedule kind with the function's name and a copy of its arguments", () => {
    const crons = cronJobs();
    const args = { n: 1n, tags: ["a"] };
    crons.interval("i", { minutes: 2 }, fn, args);
    crons.hourly("h", { minuteUTC: 5 }, fn);
    crons.daily("d", { hourUTC: 3, minuteUTC: 4 }, fn);
    crons.weekly("w", { dayOfWeek: "friday", hourUTC: 0, minuteUTC: 0 }, fn);
    crons.monthly("m", { day: 1, hourUTC: 0, minuteUTC: 0 }, fn);
    crons.cron("c", "0 * * * *", fn);
    args.tags.push("changed later");
    expect(isCronJobs(crons)).toBe(true);
    expect(Object.values(crons.jobs)).toEqual([
      { name: "i", schedule: { type: "interval", seconds: 120 }, functionName: "jobs:run", args: { n: 1n, tags: ["a"] } },
      { name: "h", schedule: { type: "hourly", minuteUTC: 5 }, functionName: "jobs:run", args: {} },
      { name: "d", schedule: { type: "daily", hourUTC: 3, minuteUTC: 4 }, functionName: "jobs:run", args: {} },
      { name: "w", schedule: { type: "weekly", dayOfWeek: "friday", hourUTC: 0, minuteUTC: 0 }, functionName: "jobs:run", args: {} },
      { name: "m", schedule: { type: "monthly", day: 1, hourUTC: 0, minuteUTC: 0 }, functionName: "jobs:run", args: {} },
      { name: "c", schedule: { type: "cron", cron: "0 * * * *" }, functionName: "jobs:run", args: {} },
    ]);
  });

  it("refuses duplicates, bad schedules, non-references and non-value arguments, naming the cron", () => {
    const crons = cronJobs();
    crons.hourly("once", { minuteUTC: 0 }, fn);
    expect(() => crons.daily("once", { hourUTC: 1, minuteUTC: 0 }, fn)).toThrow('Cron job "once": the name is used twice; cron job names must be unique.');
    expect(() => crons.interval("two units", { minutes: 1, seconds: 1 } as never, fn)).toThrow(/exactly one of seconds, minutes or hours/);
    expect(() => crons.interval("nan", { hours: Number.NaN }, fn)).toThrow(/at least 1 second/);
    expect(() => crons.hourly("minute", { minuteUTC: 60 }, fn)).toThrow('Cron job "minute": minuteUTC must be a whole number from 0 to 59, got 60.');
    expect(() => crons.monthly("day", { day: 0, hourUTC: 0, minuteUTC: 0 }, fn)).toThrow(/day must be a whole number from 1 to 31, got 0/);
    expect(() => crons.weekly("dow", { dayOfWeek: "funday" as never, hourUTC: 0, minuteUTC: 0 }, fn)).toThrow(/dayOfWeek must be one of sunday, monday/);
    expect(() => crons.cron("string ref", "* * * * *", "jobs:run" as unknown as typeof fn)).toThrow(/must be a reference such as internal\.module\.fn/);
    expect(() => crons.cron("args", "* * * * *", fn, [1] as never)).toThrow(/arguments must be an object/);
    expect(() => crons.cron("value", "* * * * *", fn, { f: () => 1 } as never)).toThrow(/Cron job "value": /);
    expect(() => crons.cron("", "* * * * *", fn)).toThrow(/needs a name/);
    expect(Object.keys(crons.jobs)).toEqual(["once"]);
  });
});

describe("nextRunTime", () => {
  it("intervals: one interval from now, or the next step of their phase", () => {
    expect(nextRunTime({ type: "interval", seconds: 60 }, 1_000_000)).toBe(1_060_000);
    expect(nextRunTime({ type: "interval", seconds: 60 }, 1_000_000, 1_030_000)).toBe(1_030_000);
    expect(nextRunTime({ type: "interval", seconds: 60 }, 1_000_000, 970_000)).toBe(1_030_000);
    expect(nextRunTime({ type: "interval", seconds: 60 }, 1_000_000, 940_000)).toBe(1_060_000);
    expect(nextRunTime({ type: "interval", seconds: 60 }, 1_000_000, 100_000)).toBe(1_060_000);
  });

  it("calendar schedules in UTC", () => {
    const from = at("2030-01-01T10:20:00Z"); // Tuesday
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(iso(nextRunTime({ type: "hourly", minuteUTC: 5 }, from))).toBe("2030-01-01T11:05:00.000Z");
    expect(iso(nextRunTime({ type: "daily", hourUTC: 10, minuteUTC: 20 }, from))).toBe("2030-01-02T10:20:00.000Z");
    expect(iso(nextRunTime({ type: "weekly", dayOfWeek: "tuesday", hourUTC: 11, minuteUTC: 0 }, from))).toBe("2030-01-01T11:00:00.000Z");
    expect(iso(nextRunTime({ type: "monthly", day: 31, hourUTC: 0, minuteUTC: 0 }, at("2030-01-31T00:00:00Z")))).toBe("2030-03-31T00:00:00.000Z");
    expect(iso(nextRunTime({ type: "cron", cron: "*/5 * * * *" }, from))).toBe("2030-01-01T10:25:00.000Z");
  });
});
