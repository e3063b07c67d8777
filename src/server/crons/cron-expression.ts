// Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC.
// Each field is `*`, a value, a range `a-b`, any of those with a step (`*/5`, `1-30/2`, `10/15`
// = from 10 to the end), or a comma-separated list of them. Months and weekdays also take
// three-letter names (JAN, MON); weekday 7 is Sunday like 0. As in Vixie cron, when both
// day-of-month and day-of-week are restricted (neither starts with `*`), a day matching either
// one matches.

/** A parsed expression. Make one with `parseCronExpression`. */
export interface CronExpression {
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 (Sunday) to 6. */
  readonly daysOfWeek: ReadonlySet<number>;
  readonly daysOfMonthRestricted: boolean;
  readonly daysOfWeekRestricted: boolean;
}

/** An expression that cannot be parsed, or can never match. */
export class CronExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CronExpressionError";
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

const MINUTE_MS = 60_000;
/** How far ahead `nextCronTime` looks: long enough for any February 29th. */
const SEARCH_YEARS = 9;

/**
 * Parses an expression; throws a `CronExpressionError` naming the field that is wrong.
 *
 * @example
 * const every5 = parseCronExpression("*\/5 * * * *");
 * nextCronTime(every5, Date.UTC(2030, 0, 1, 0, 2)) // Date.UTC(2030, 0, 1, 0, 5)
 */
export function parseCronExpression(source: string): CronExpression {
  if (typeof source !== "string") throw new CronExpressionError(`A cron expression must be a string, got ${typeof source}.`);
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new CronExpressionError(`Cron expression "${source}" has ${parts.length} field${parts.length === 1 ? "" : "s"}; it needs 5: minute hour day-of-month month day-of-week.`);
  }
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((part, i) => parseField(part, FIELDS[i]!, source));
  // 7 is another name for Sunday.
  if (daysOfWeek!.delete(7)) daysOfWeek!.add(0);
  const expression: CronExpression = {
    source,
    minutes: minutes!,
    hours: hours!,
    daysOfMonth: daysOfMonth!,
    months: months!,
    daysOfWeek: daysOfWeek!,
    daysOfMonthRestricted: !parts[2]!.startsWith("*"),
    daysOfWeekRestricted: !parts[4]!.startsWith("*"),
  };
  if (nextCronTime(expression, Date.UTC(2000, 0, 1)) === undefined) {
    throw new CronExpressionError(`Cron expression "${source}" never matches a date (check day of month against month).`);
  }
  return expression;
}

function parseField(text: string, field: FieldSpec, source: string): Set<number> {
  const values = new Set<number>();
  const fail = (why: string) => new CronExpressionError(`Cron expression "${source}": ${field.name} field "${text}" ${why}.`);
  for (const item of text.split(",")) {
    const [rangeText, stepText, extra] = item.split("/");
    if (extra !== undefined || rangeText === undefined || rangeText === "") throw fail("is malformed");
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw fail(`has step "${stepText}"; a step is a positive whole number`);
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (rangeText === "*") {
      [low, high] = [field.min, field.max === 7 ? 6 : field.max];
    } else {
      const [lowText, highText, more] = rangeText.split("-");
      if (more !== undefined) throw fail("is malformed");
      low = fieldValue(lowText!, field, fail);
      // `10/15` means from 10 to the end of the field, stepping by 15.
      high = highText !== undefined ? fieldValue(highText, field, fail) : stepText !== undefined ? field.max : low;
      if (high < low) throw fail(`has a range that runs backwards (${low}-${high})`);
    }
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

function fieldValue(text: string, field: FieldSpec, fail: (why: string) => Error): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return field.name === "month" ? named + 1 : named;
  if (!/^\d+$/.test(text)) throw fail(`has "${text}", which is not a number${field.names ? " or a name" : ""}`);
  const value = Number(text);
  if (value < field.min || value > field.max) throw fail(`has ${value}, outside ${field.min}-${field.max}`);
  return value;
}

function dayMatches(expression: CronExpression, date: Date): boolean {
  const byMonth = expression.daysOfMonth.has(date.getUTCDate());
  const byWeek = expression.daysOfWeek.has(date.getUTCDay());
  if (expression.daysOfMonthRestricted && expression.daysOfWeekRestricted) return byMonth || byWeek;
  return byMonth && byWeek;
}

/**
 * The first minute strictly after `afterMs` that matches (milliseconds since the epoch, UTC), or
 * undefined when there is none within nine years.
 *
 * @example
 * nextCronTime(parseCronExpression("0 9 * * MON"), Date.UTC(2030, 0, 1)) // Monday 2030-01-07 09:00 UTC
 */
export function nextCronTime(expression: CronExpression, afterMs: number): number | undefined {
  let time = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const limit = time + SEARCH_YEARS * 366 * 24 * 60 * MINUTE_MS;
  // Skip whole months, days and hours that cannot match before stepping minute by minute.
  while (time < limit) {
    const date = new Date(time);
    const [year, month, day, hour] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours()];
    if (!expression.months.has(month + 1)) {
      time = Date.UTC(year, month + 1, 1);
    } else if (!dayMatches(expression, date)) {
      time = Date.UTC(year, month, day + 1);
    } else if (!expression.hours.has(hour)) {
      time = Date.UTC(year, month, day, hour + 1);
    } else if (!expression.minutes.has(date.getUTCMinutes())) {
      time += MINUTE_MS;
    } else {
      return time;
    }
  }
  return undefined;
}
