import { describe, expect, it } from "vitest";
import { CronExpressionError, nextCronTime, parseCronExpression } from "../../../src/server/crons/cron-expression.js";

const next = (expression: string, from: string) => {
  const at = nextCronTime(parseCronExpression(expression), Date.parse(from));
  return at === undefined ? undefined : new Date(at).toISOString();
};

describe("parseCronExpression", () => {
  it("reads *, values, ranges, steps and lists", () => {
    const expression = parseCronExpression("*/15 9-17/4 1,15,31 JAN-MAR,dec 1-5");
    expect([...expression.minutes]).toEqual([0, 15, 30, 45]);
    expect([...expression.hours]).toEqual([9, 13, 17]);
    expect([...expression.daysOfMonth]).toEqual([1, 15, 31]);
    expect([...expression.months]).toEqual([1, 2, 3, 12]);
    expect([...expression.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect(parseCronExpression("10/20 * * * *").minutes).toEqual(new Set([10, 30, 50]));
    expect(parseCronExpression("0 0 * * 7").daysOfWeek).toEqual(new Set([0]));
    expect(parseCronExpression("0 0 * * sun,SAT").daysOfWeek).toEqual(new Set([0, 6]));
    expect(parseCronExpression("  0   0 * *   *  ").source).toBe("  0   0 * *   *  ");
  });

  it("says which field is wrong and why", () => {
    const problem = (expression: string) => {
      try {
        parseCronExpression(expression);
        return "parsed";
      } catch (error) {
        expect(error).toBeInstanceOf(CronExpressionError);
        return (error as Error).message;
      }
    };
    expect(problem("* * * *")).toBe('Cron expression "* * * *" has 4 fields; it needs 5: minute hour day-of-month month day-of-week.');
    expect(problem("60 * * * *")).toBe('Cron expression "60 * * * *": minute field "60" has 60, outside 0-59.');
    expect(problem("* * 0 * *")).toMatch(/day of month field "0" has 0, outside 1-31/);
    expect(problem("* * * 13 * ")).toMatch(/month field "13" has 13, outside 1-12/);
    expect(problem("* * * * 8")).toMatch(/day of week field "8" has 8, outside 0-7/);
    expect(problem("*/0 * * * *")).toMatch(/minute field "\*\/0" has step "0"; a step is a positive whole number/);
    expect(problem("5-1 * * * *")).toMatch(/runs backwards \(5-1\)/);
    expect(problem("a * * * *")).toMatch(/minute field "a" has "a", which is not a number\./);
    expect(problem("* * * FOO *")).toMatch(/which is not a number or a name/);
    expect(problem("1,,2 * * * *")).toMatch(/is malformed/);
    expect(problem("0 0 30 2 *")).toMatch(/never matches a date/);
  });
});

describe("nextCronTime", () => {
  it("finds the next matching minute strictly after the given time", () => {
    expect(next("*/5 * * * *", "2030-01-01T00:02:30Z")).toBe("2030-01-01T00:05:00.000Z");
    expect(next("*/5 * * * *", "2030-01-01T00:05:00Z")).toBe("2030-01-01T00:10:00.000Z");
    expect(next("* * * * *", "2030-01-01T00:05:59.999Z")).toBe("2030-01-01T00:06:00.000Z");
    expect(next("30 * * * *", "2030-01-01T23:45:00Z")).toBe("2030-01-02T00:30:00.000Z");
  });

  it("crosses days, months and years", () => {
    expect(next("0 0 1 1 *", "2030-06-15T12:00:00Z")).toBe("2031-01-01T00:00:00.000Z");
    expect(next("0 12 31 * *", "2030-01-31T12:00:00Z")).toBe("2030-03-31T12:00:00.000Z");
    expect(next("0 0 29 2 *", "2030-01-01T00:00:00Z")).toBe("2032-02-29T00:00:00.000Z");
    expect(next("59 23 31 12 *", "2030-12-31T23:58:00Z")).toBe("2030-12-31T23:59:00.000Z");
  });

  it("weekdays, in UTC; day of month OR day of week when both are restricted", () => {
    // 2030-01-01 is a Tuesday.
    expect(next("0 9 * * MON", "2030-01-01T00:00:00Z")).toBe("2030-01-07T09:00:00.000Z");
    expect(next("0 9 * * 0", "2030-01-01T00:00:00Z")).toBe("2030-01-06T09:00:00.000Z");
    expect(next("0 0 15 * FRI", "2030-01-01T00:00:00Z")).toBe("2030-01-04T00:00:00.000Z");
    expect(next("0 0 15 * FRI", "2030-01-11T00:00:00Z")).toBe("2030-01-15T00:00:00.000Z");
    // With "*" for day of week only the day of month counts.
    expect(next("0 0 15 * *", "2030-01-01T00:00:00Z")).toBe("2030-01-15T00:00:00.000Z");
  });
});
