// Ctx.scheduler from actions and mutations, cancellation of running actions, runAt, and
// what nested calls of an action pass back (AppError data, log lines). A throwaway functions
// folder and a hand-moved clock: nothing here waits for real time to pass.

import { describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import type { JSONValue } from "syncline/values";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { call, recordingLogger } from "../helpers/server.js";
import { tempProject } from "../helpers/temp-project.js";
import { waitFor } from "../helpers/wait.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();
const START = Date.UTC(2030, 0, 1, 12, 0, 0);

const JOBS_TS = `import { action, internalAction, internalMutation, internalQuery, mutation, query, anyApi } from "syncline/server";
import { AppError, v } from "syncline/values";
const internal = anyApi as any;

export const record = internalMutation({ args: { label: v.string() }, handler: async (ctx, { label }) => { await ctx.db.insert("runs", { label }); } });
export const count = query({ args: { label: v.string() }, handler: async (ctx, { label }) => (await ctx.db.query("runs").collect()).filter((r) => r.label === label).length });
export const job = query({ args: { id: v.id("_scheduled_functions") }, handler: (ctx, { id }) => ctx.db.system.get(id) });
export const open = mutation({ args: { name: v.string() }, handler: async (ctx, { name }) => { await ctx.db.insert("gates", { name }); } });
export const isOpen = internalQuery({ args: { name: v.string() }, handler: async (ctx, { name }) => (await ctx.db.query("gates").collect()).some((g) => g.name === name) });

// An action schedules, then fails: its job was its own write and stays.
export const scheduleThenThrow = action({ args: { label: v.string() }, handler: async (ctx, { label }) => {
  await ctx.scheduler.runAfter(0, internal.jobs.record, { label });
  throw new Error("the action failed after scheduling");
} });

// Waits (in real time, polling) until the gate named label is open, recording start and end.
export const waitForGate = internalAction({ args: { label: v.string() }, handler: async (ctx, { label }) => {
  await ctx.runMutation(internal.jobs.record, { label: label + ":started" });
  while (!(await ctx.runQuery(internal.jobs.isOpen, { name: label }))) await new Promise((r) => setTimeout(r, 10));
  await ctx.runMutation(internal.jobs.record, { label: label + ":finished" });
} });
export const scheduleGated = mutation({ args: { label: v.string() }, handler: (ctx, { label }) => ctx.scheduler.runAfter(0, internal.jobs.waitForGate, { label }) });
export const cancel = mutation({ args: { id: v.id("_scheduled_functions") }, handler: (ctx, { id }) => ctx.scheduler.cancel(id) });

export const at = mutation({ args: { at: v.number(), label: v.string(), asDate: v.boolean() }, handler: (ctx, { at, label, asDate }) =>
  ctx.scheduler.runAt(asDate ? new Date(at) : at, internal.jobs.record, { label }) });
export const scheduleMissing = mutation({ args: {}, handler: (ctx) => ctx.scheduler.runAfter(0, internal.jobs.nothingHere, {}) });

// Nested calls: AppError data and log lines travel back to the action's caller.
export const refuse = internalMutation({ args: {}, handler: async () => { console.log("in the mutation"); throw new AppError({ code: "LIMIT", max: 3 }); } });
export const peek = internalQuery({ args: {}, handler: async () => { console.info("in the query"); return 1; } });
export const nested = action({ args: {}, handler: async (ctx) => {
  console.log("before");
  await ctx.runQuery(internal.jobs.peek, {});
  console.log("between");
  await ctx.runMutation(internal.jobs.refuse, {});
} });
export const chatty = internalQuery({ args: { round: v.number() }, handler: async () => { for (let i = 0; i < 200; i++) console.log(i); return 1; } });
export const chattyTwice = action({ args: {}, handler: async (ctx) => {
  await ctx.runQuery(internal.jobs.chatty, { round: 1 });
  await ctx.runQuery(internal.jobs.chatty, { round: 2 }); // other arguments: not answered from the cache
} });
export const nestedCaught = action({ args: {}, handler: async (ctx) => {
  try { await ctx.runMutation(internal.jobs.refuse, {}); } catch (error: any) { return { data: error.data, name: error.name }; }
  return null;
} });
`;

async function serve(clock: ManualClock): Promise<RunningServer> {
  const project = tempProject({ "jobs.ts": JOBS_TS }, cleanups);
  const { logger } = recordingLogger();
  const server = await startServer({ dir: project.dir, port: 0, db: testDatabase(), clock, logger });
  cleanups.push(() => server.close());
  return server;
}

async function value(server: RunningServer, kind: "query" | "mutation" | "action", name: string, args: JSONValue = {}): Promise<JSONValue> {
  const answer = await call(server.url, kind, name, args);
  if (answer.body.status !== "success") throw new Error(`${name}: ${String(answer.body.errorMessage)}`);
  return answer.body.value!;
}
type Job = { name: string; scheduledTime: number; completedTime?: number; state: { kind: string; error?: string } };
const job = async (server: RunningServer, id: string) => (await value(server, "query", "jobs:job", { id })) as Job | null;
const count = async (server: RunningServer, label: string) => (await value(server, "query", "jobs:count", { label })) as number;

describe("scheduling from actions is not transactional", () => {
  it("an action that schedules and then throws still scheduled its job, which runs", async () => {
    const server = await serve(new ManualClock(START));
    const answer = await call(server.url, "action", "jobs:scheduleThenThrow", { label: "kept" });
    expect(answer.body.status).toBe("error");
    expect(String(answer.body.errorMessage)).toMatch(/the action failed after scheduling/);
    await waitFor(() => count(server, "kept"), (n) => n === 1);
  });
});

describe("cancel", () => {
  it("canceling a running action does not stop it, and its job stays canceled after it finishes", async () => {
    const clock = new ManualClock(START);
    const server = await serve(clock);
    const id = (await value(server, "mutation", "jobs:scheduleGated", { label: "g1" })) as string;
    await waitFor(() => count(server, "g1:started"), (n) => n === 1);
    expect((await job(server, id))!.state.kind).toBe("inProgress");
    clock.advance(5_000);
    await value(server, "mutation", "jobs:cancel", { id });
    const canceled = await job(server, id);
    expect(canceled).toMatchObject({ state: { kind: "canceled" }, completedTime: START + 5_000 });
    // Not stopped: once the gate opens it finishes its work...
    await value(server, "mutation", "jobs:open", { name: "g1" });
    await waitFor(() => count(server, "g1:finished"), (n) => n === 1);
    // ...and its end does not overwrite the cancellation.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await job(server, id)).toMatchObject({ state: { kind: "canceled" }, completedTime: START + 5_000 });
  });
});

describe("runAt and unknown targets", () => {
  it("runAt takes a number or a Date; a time in the past runs at once", async () => {
    const clock = new ManualClock(START);
    const server = await serve(clock);
    const asNumber = (await value(server, "mutation", "jobs:at", { at: START + 10_000, label: "number", asDate: false })) as string;
    const asDate = (await value(server, "mutation", "jobs:at", { at: START + 10_000, label: "date", asDate: true })) as string;
    const past = (await value(server, "mutation", "jobs:at", { at: START - 60_000, label: "past", asDate: true })) as string;
    expect((await job(server, asNumber))!.scheduledTime).toBe(START + 10_000);
    expect((await job(server, asDate))!.scheduledTime).toBe(START + 10_000);
    await waitFor(() => job(server, past), (j) => j?.state.kind === "success");
    expect((await job(server, asNumber))!.state.kind).toBe("pending");
    clock.advance(10_000);
    await waitFor(() => job(server, asDate), (j) => j?.state.kind === "success");
    await waitFor(() => job(server, asNumber), (j) => j?.state.kind === "success");
    expect(await count(server, "number")).toBe(1);
  });

  it("scheduling a function that does not exist fails the scheduling mutation", async () => {
    const server = await serve(new ManualClock(START));
    const answer = await call(server.url, "mutation", "jobs:scheduleMissing", {});
    expect(answer.body.status).toBe("error");
    expect(String(answer.body.errorMessage)).toMatch(/ctx\.scheduler\.runAfter: there is no function 'jobs:nothingHere'/);
  });
});

describe("nested calls of an action", () => {
  it("AppError data of a nested mutation reaches the action's caller, and the action can catch it with its data", async () => {
    const server = await serve(new ManualClock(START));
    const failed = await call(server.url, "action", "jobs:nested", {});
    expect(failed.body).toMatchObject({ status: "error", errorData: { code: "LIMIT", max: 3 } });
    // The nested calls' console lines are the caller's, in the order they were written.
    expect(failed.body.logLines).toEqual(["[LOG] 'before'", "[INFO] 'in the query'", "[LOG] 'between'", "[LOG] 'in the mutation'"]);
    expect(await value(server, "action", "jobs:nestedCaught", {})).toEqual({ data: { code: "LIMIT", max: 3 }, name: "AppError" });
  });

  it("the lines of nested calls count towards the caller's bound of 256, with the one notice after", async () => {
    const server = await serve(new ManualClock(START));
    const answer = await call(server.url, "action", "jobs:chattyTwice", {});
    const lines = answer.body.logLines as string[];
    expect(lines).toHaveLength(257);
    expect(lines[255]).toBe("[LOG] 55");
    expect(lines[256]).toMatch(/were dropped/);
  });
});
