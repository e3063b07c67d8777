// Cron jobs with a controllable clock: every schedule kind fires when due, runs missed while the
// server was down are not replayed, `syncline dev` reloads reschedule, mistakes are load errors.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { startServer, type RunningServer, type ServerOptions } from "syncline/server";
import { ManualClock } from "../helpers/manual-clock.js";
import { call } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { waitFor } from "../helpers/wait.js";
import { testDatabase } from "../helpers/test-database.js";

const SCHEDULING_DIR = join(import.meta.dirname, "../fixtures/scheduling/syncline");
const START = Date.UTC(2030, 0, 1, 0, 0, 0); // a Tuesday

const cleanups = cleanupAfterEach();

async function start(options: ServerOptions & { clock: ManualClock }): Promise<RunningServer> {
  const server = await startServer({ dir: SCHEDULING_DIR, port: 0, db: testDatabase(), ...options });
  cleanups.push(() => server.close());
  return server;
}
const counts = async (server: RunningServer) => (await call(server.url, "query", "ticks:counts")).body.value as Record<string, number>;
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

interface CronRow {
  name: string;
  functionName: string;
  schedule: Record<string, unknown>;
  nextRun: number;
  lastRun?: number;
}
const cronRows = async (server: RunningServer) =>
  ((await server.db.read((tx) => tx.db.system.query("_cron_jobs").collect())).result as unknown as CronRow[]).sort((a, b) => (a.name < b.name ? -1 : 1));

describe("cron jobs", () => {
  it("fires every kind of schedule when it is due, each due cron once per wake-up", async () => {
    const clock = new ManualClock(START);
    const server = await start({ clock });
    expect(await counts(server)).toEqual({});
    expect((await cronRows(server)).map((row) => [row.name, new Date(row.nextRun).toISOString()])).toEqual([
      ["daily at 01:00", "2030-01-01T01:00:00.000Z"],
      ["every five minutes", "2030-01-01T00:05:00.000Z"],
      ["every minute, as an action", "2030-01-01T00:01:00.000Z"],
      ["every second", "2030-01-01T00:00:01.000Z"],
      ["hourly at :30", "2030-01-01T00:30:00.000Z"],
      ["monthly on the 31st", "2030-01-31T12:00:00.000Z"],
      ["weekly on wednesday", "2030-01-02T00:00:00.000Z"],
    ]);

    clock.advance(1_000);
    await waitFor(() => counts(server), (c) => c.second === 1);
    clock.advance(1_000);
    await waitFor(() => counts(server), (c) => c.second === 2);
    // A minute later in one step: the per-second cron runs once, not 58 times.
    clock.advance(58_000);
    await waitFor(() => counts(server), (c) => c.second === 3 && c["minute-action"] === 1);
    clock.advance(4 * 60_000);
    await waitFor(() => counts(server), (c) => c.five === 1 && c["minute-action"] === 2);
    clock.advance(25 * 60_000); // 00:30
    await waitFor(() => counts(server), (c) => c.hourly === 1 && c.five === 2);
    clock.advance(30 * 60_000); // 01:00
    await waitFor(() => counts(server), (c) => c.daily === 1);
    clock.advance(23 * 3600_000); // Wednesday 00:00
    await waitFor(() => counts(server), (c) => c.weekly === 1 && c.hourly === 2);
    clock.advance(Date.UTC(2030, 0, 31, 12) - clock.now());
    await waitFor(() => counts(server), (c) => c.monthly === 1);
    // February has no 31st: the next monthly run is in March.
    expect(new Date((await cronRows(server)).find((row) => row.name === "monthly on the 31st")!.nextRun).toISOString()).toBe("2030-03-31T12:00:00.000Z");
    await settle();
    const final = await counts(server);
    // Eight wake-ups, eight runs of the per-second cron; each other cron once per due time it passed.
    expect(final).toEqual({ second: 8, "minute-action": 6, five: 5, hourly: 3, daily: 2, weekly: 2, monthly: 1 });
  });

  it("cron runs are scheduled jobs: visible in _scheduled_functions with their status", async () => {
    const clock = new ManualClock(START);
    const server = await start({ clock });
    clock.advance(60_000);
    await waitFor(() => counts(server), (c) => c["minute-action"] === 1);
    // The job's final state is written by its own commit, after the action's mutation.
    const jobsNow = async () => (await server.db.read((tx) => tx.db.system.query("_scheduled_functions").collect())).result;
    const jobs = await waitFor(jobsNow, (rows) => rows.some((row) => row.name === "ticks:recordFromAction" && (row.state as { kind: string }).kind === "success"));
    expect(jobs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "ticks:recordFromAction", kind: "action", args: [{ name: "minute-action" }], scheduledTime: START + 60_000, state: { kind: "success" } }),
      ]),
    );
  });

  it("does not replay runs missed while the server was down; intervals keep their phase", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "syncline-crons-"));
    cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
    const db = join(scratch, "data.sqlite");
    const first = await startServer({ dir: SCHEDULING_DIR, port: 0, db, clock: new ManualClock(START) });
    await first.close();

    // Down for three hours and a half.
    const clock = new ManualClock(START + 3.5 * 3600_000 + 200);
    const messages: string[] = [];
    const logger = { info: (m: string) => messages.push(m), warn() {}, error() {}, functionLine() {} };
    const second = await start({ db, clock, logger });
    await settle();
    expect(await counts(second)).toEqual({});
    expect(messages.some((m) => m.startsWith(`Cron job "every second" was due at 2030-01-01T00:00:01.000Z while the server was down; missed runs are skipped, next run at 2030-01-01T03:30:01.000Z`))).toBe(true);
    const rows = await cronRows(second);
    expect(new Date(rows.find((row) => row.name === "every second")!.nextRun).toISOString()).toBe("2030-01-01T03:30:01.000Z");
    expect(new Date(rows.find((row) => row.name === "hourly at :30")!.nextRun).toISOString()).toBe("2030-01-01T04:30:00.000Z");
    clock.advance(800);
    await waitFor(() => counts(second), (c) => c.second === 1);
    await settle();
    expect(await counts(second)).toEqual({ second: 1 });
  });
});

describe("crons.ts under syncline dev", () => {
  function project(crons: string): TempProject {
    const made = tempProject({
      "ticks.ts": `import { internalMutation, query } from "syncline/server";
import { v } from "syncline/values";
export const record = internalMutation(async (ctx, { name }: { name: string }) => { await ctx.db.insert("ticks", { name }); });
export const validated = internalMutation({ args: { name: v.string() }, handler: async (ctx, { name }) => { await ctx.db.insert("ticks", { name }); } });
export const counts = query(async (ctx) => { const c: Record<string, number> = {}; for (const t of await ctx.db.query("ticks").collect()) c[t.name] = (c[t.name] ?? 0) + 1; return c; });`,
      "crons.ts": crons,
    }, cleanups);
    return made;
  }
  const cronsFile = (body: string) => `import { cronJobs, anyApi } from "syncline/server";
const internal = anyApi as any;
const crons = cronJobs();
${body}
export default crons;`;

  it("a reload reschedules: changed crons restart from now, removed ones stop, new ones start", async () => {
    const p = project(
      cronsFile(`crons.interval("a", { minutes: 10 }, internal.ticks.record, { name: "a" });
crons.interval("b", { minutes: 1 }, internal.ticks.record, { name: "b" });`),
    );
    const clock = new ManualClock(START);
    const server = await startServer({ dir: p.dir, port: 0, db: testDatabase(), clock });
    cleanups.push(() => server.close());
    expect((await cronRows(server)).map((row) => [row.name, row.nextRun - START])).toEqual([
      ["a", 600_000],
      ["b", 60_000],
    ]);

    clock.advance(30_000);
    p.write("crons.ts", cronsFile(`crons.interval("a", { seconds: 5 }, internal.ticks.record, { name: "a" });
crons.cron("c", "* * * * *", internal.ticks.record, { name: "c" });`));
    await server.reload();
    expect((await cronRows(server)).map((row) => [row.name, row.schedule, row.nextRun - START])).toEqual([
      ["a", { type: "interval", seconds: 5 }, 35_000],
      ["c", { type: "cron", cron: "* * * * *" }, 60_000],
    ]);
    clock.advance(5_000);
    await waitFor(() => call(server.url, "query", "ticks:counts").then((a) => a.body.value as Record<string, number>), (c) => c.a === 1);
    clock.advance(25_000);
    await waitFor(() => call(server.url, "query", "ticks:counts").then((a) => a.body.value as Record<string, number>), (c) => c.c === 1 && c.a === 2);
    await settle();
    expect((await call(server.url, "query", "ticks:counts")).body.value).toEqual({ a: 2, c: 1 });
  });

  it("never overlaps a cron with itself: a run due while the previous one still runs is skipped and logged", async () => {
    const p = project(cronsFile(`crons.interval("slow", { seconds: 1 }, internal.slow.run, {});`));
    p.write(
      "slow.ts",
      `import { internalAction, internalMutation, internalQuery, mutation } from "syncline/server";
const internal = (await import("syncline/server")).anyApi as any;
export const start = internalMutation(async (ctx) => { await ctx.db.insert("ticks", { name: "slow" }); });
export const released = internalQuery(async (ctx) => (await ctx.db.query("gates").first()) !== null);
export const release = mutation(async (ctx) => { await ctx.db.insert("gates", { open: true }); });
export const run = internalAction(async (ctx) => {
  await ctx.runMutation(internal.slow.start, {});
  while (!(await ctx.runQuery(internal.slow.released, {}))) await new Promise((resolve) => setTimeout(resolve, 10));
});`,
    );
    const warnings: string[] = [];
    const clock = new ManualClock(START);
    const server = await startServer({
      dir: p.dir,
      port: 0,
      db: testDatabase(),
      clock,
      logger: { info() {}, warn: (line) => warnings.push(line), error() {}, functionLine() {} },
    });
    cleanups.push(() => server.close());
    const slowRuns = async () => ((await call(server.url, "query", "ticks:counts")).body.value as Record<string, number>).slow ?? 0;

    clock.advance(1_000);
    await waitFor(slowRuns, (n) => n === 1); // the first run started and waits for the gate
    for (const skipped of [1, 2]) {
      clock.advance(1_000);
      await waitFor(
        async () => warnings.length,
        (n) => n === skipped,
      );
    }
    expect(warnings).toEqual(Array(2).fill('Cron job "slow": skipped a run because the previous one is still running.'));
    expect(await slowRuns()).toBe(1);

    await call(server.url, "mutation", "slow:release", {});
    await waitFor(
      async () => (await server.db.read((tx) => tx.db.system.query("_scheduled_functions").collect())).result as { state: { kind: string } }[],
      (jobs) => jobs.length === 1 && jobs[0]!.state.kind === "success",
    );
    clock.advance(1_000);
    await waitFor(slowRuns, (n) => n === 2); // the next occurrence runs again
  });

  it("mistakes in crons.ts are load errors that name the cron", async () => {
    const loadError = async (body: string) => {
      const p = project(cronsFile(body));
      return startServer({ dir: p.dir, port: 0, db: testDatabase() }).then(
        (server) => server.close().then(() => "started"),
        (error: Error) => error.message,
      );
    };
    expect(
      await loadError(`crons.hourly("cleanup", { minuteUTC: 0 }, internal.ticks.record, { name: "x" });
crons.daily("cleanup", { hourUTC: 1, minuteUTC: 0 }, internal.ticks.record, { name: "y" });`),
    ).toBe(`syncline/crons.ts:5:7: failed to load: Cron job "cleanup": the name is used twice; cron job names must be unique.`);
    expect(await loadError(`crons.cron("bad", "*/5 * * *", internal.ticks.record, { name: "x" });`)).toMatch(
      /Cron job "bad": Cron expression "\*\/5 \* \* \*" has 4 fields; it needs 5/,
    );
    expect(await loadError(`crons.cron("bad hour", "0 24 * * *", internal.ticks.record, { name: "x" });`)).toMatch(/hour field "24" has 24, outside 0-23\.$/);
    expect(await loadError(`crons.daily("bad daily", { hourUTC: 25, minuteUTC: 0 }, internal.ticks.record, { name: "x" });`)).toMatch(
      /Cron job "bad daily": hourUTC must be a whole number from 0 to 23, got 25/,
    );
    expect(await loadError(`crons.interval("too fast", { seconds: 0.5 }, internal.ticks.record, { name: "x" });`)).toMatch(/interval must be at least 1 second/);
    expect(await loadError(`crons.interval("ghost", { minutes: 1 }, internal.ticks.nothing, {});`)).toMatch(
      /crons\.ts: failed to load: cron job "ghost" runs ticks:nothing, which does not exist/,
    );
    expect(await loadError(`crons.interval("reads", { minutes: 1 }, internal.ticks.counts, {});`)).toMatch(/cron job "reads" runs ticks:counts, which is a query/);
    expect(await loadError(`crons.interval("args", { minutes: 1 }, internal.ticks.record, { when: new Date() } as any);`)).toMatch(/Cron job "args": /);
    expect(await loadError(`crons.interval("wrong args", { minutes: 1 }, internal.ticks.validated, { name: 5 });`)).toMatch(
      /cron job "wrong args" runs ticks:validated, with arguments it refuses: ArgumentValidationError: invalid arguments for ticks:validated: args\.name: expected string/,
    );
  });
});
