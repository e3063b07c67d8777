// syncTest's fake time: the scheduler and crons run on a clock the test moves; jobs and cron
// occurrences run in the order of their times, each seeing the clock at its own time.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScheduledFunctionsPendingError, syncTest, type SyncTest } from "syncline/testing";
import { silentLogger } from "syncline/server";
import { api, internal } from "../../fixtures/testing/syncline/_generated/api";
import type { DataModel } from "../../fixtures/testing/syncline/_generated/dataModel";
import { TESTING_FIXTURE } from "./fixture";

// 09:00:00 UTC: the ten-minute cron fires at 09:10, 09:20, ...
const START = Date.parse("2030-01-01T09:00:00Z");
const MINUTE = 60_000;

let t: SyncTest<DataModel>;
beforeEach(async () => {
  t = await syncTest<DataModel>({ dir: TESTING_FIXTURE, startTime: START, logger: silentLogger });
});
afterEach(() => t.close());

const events = () => t.run(async (ctx) => (await ctx.db.query("events").collect()).map(({ what, at }) => ({ what, at: (at - START) / MINUTE })));

describe("the clock", () => {
  it("stands still, and is what Date.now() returns in queries and mutations", async () => {
    expect(t.now()).toBe(START);
    expect(await t.query(api.messages.now, {})).toBe(START);
    await t.mutation(internal.jobs.record, { what: "first" });
    await t.advanceTime(5 * MINUTE);
    expect(t.now()).toBe(START + 5 * MINUTE);
    await t.mutation(internal.jobs.record, { what: "second" });
    expect(await events()).toEqual([
      { what: "first", at: 0 },
      { what: "second", at: 5 },
    ]);
  });

  it("starts from a Date too", async () => {
    const other = await syncTest({ dir: TESTING_FIXTURE, startTime: new Date(START + 1), logger: silentLogger });
    expect(other.now()).toBe(START + 1);
    await other.close();
  });

  it("refuses to move backwards or by something that is not a number", async () => {
    await expect(t.advanceTime(-1)).rejects.toThrow(RangeError);
    await expect(t.advanceTime(Number.NaN)).rejects.toThrow(RangeError);
    expect(t.now()).toBe(START);
  });
});

describe("advanceTime", () => {
  it("runs a job when its time comes, not before", async () => {
    await t.mutation(api.jobs.later, { what: "reminder", delayMs: 5 * MINUTE });
    await t.advanceTime(5 * MINUTE - 1);
    expect(await events()).toEqual([]);
    await t.advanceTime(1);
    expect(await events()).toEqual([{ what: "reminder", at: 5 }]);
  });

  it("runs jobs and cron occurrences in time order, each at its own time, across one long jump", async () => {
    await t.mutation(api.jobs.later, { what: "at 25", delayMs: 25 * MINUTE });
    await t.mutation(api.jobs.later, { what: "action at 15", delayMs: 15 * MINUTE, asAction: true });
    await t.mutation(api.jobs.later, { what: "at 5", delayMs: 5 * MINUTE });
    await t.advanceTime(30 * MINUTE);
    expect(await events()).toEqual([
      { what: "at 5", at: 5 },
      { what: "cron", at: 10 },
      { what: "action at 15", at: 15 },
      { what: "cron", at: 20 },
      { what: "at 25", at: 25 },
      { what: "cron", at: 30 },
    ]);
  });

  it("runs jobs scheduled for now without moving time, once the test waits for them", async () => {
    await t.mutation(api.jobs.later, { what: "now", delayMs: 0 });
    await t.advanceTime(0);
    expect(await events()).toEqual([{ what: "now", at: 0 }]);
  });

  it("runs jobs that jobs schedule when their time falls inside the jump", async () => {
    await t.mutation(internal.jobs.chain, { steps: 3 });
    expect(await events()).toEqual([{ what: "chain 3", at: 0 }]);
    await t.advanceTime(1500);
    expect((await events()).map((e) => e.what)).toEqual(["chain 3", "chain 2"]);
    await t.advanceTime(1000);
    expect((await events()).map((e) => e.what)).toEqual(["chain 3", "chain 2", "chain 1"]);
  });
});

describe("finishScheduledFunctions", () => {
  it("runs every pending job, including the ones jobs scheduled, moving time to each", async () => {
    await t.mutation(internal.jobs.chain, { steps: 4 });
    await t.mutation(api.jobs.later, { what: "later", delayMs: 2500, asAction: true });
    await t.finishScheduledFunctions();
    expect((await events()).map((e) => e.what)).toEqual(["chain 4", "chain 3", "chain 2", "later", "chain 1"]);
    expect(t.now()).toBe(START + 3000);
    const jobs = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(jobs.every((job) => job.state.kind === "success")).toBe(true);
  });

  it("returns at once when nothing is pending (the crons do not count)", async () => {
    await t.finishScheduledFunctions();
    expect(t.now()).toBe(START);
  });

  it("records a failing job as failed and goes on", async () => {
    await t.mutation(api.jobs.laterCrash, { delayMs: 5 });
    await t.mutation(api.jobs.later, { what: "fine", delayMs: 10 });
    await t.finishScheduledFunctions();
    expect((await events()).map((e) => e.what)).toEqual(["fine"]);
    const jobs = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
    expect(jobs.map((job) => [job.name, job.state.kind])).toEqual([
      ["messages:crash", "failed"],
      ["jobs:record", "success"],
    ]);
    expect(jobs[0]!.state).toMatchObject({ error: expect.stringContaining("boom") });
  });

  it("gives up with a clear error on a function that schedules itself forever", async () => {
    await t.mutation(internal.jobs.forever, {});
    const error = await t.finishScheduledFunctions({ maxRounds: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduledFunctionsPendingError);
    expect((error as Error).message).toMatch(/still pending after 5 rounds \(jobs:forever at 2030-01-01T09:00:06\.000Z\).*advanceTime/);
  });
});
