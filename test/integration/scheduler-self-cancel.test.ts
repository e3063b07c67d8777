// A scheduled mutation that calls `ctx.scheduler.cancel` with its own job id gets a
// `ScheduledFunctionCancelingItself` error (as in Convex) and its job is unchanged by the attempt;
// cancelling another job from a scheduled mutation still works. Through the official client, on
// both engines.

import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServer, silentLogger } from "syncline/server";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";
import { waitFor } from "../helpers/wait.js";

const cleanups = cleanupAfterEach();

const JOBS_TS = `import { internalAction, internalMutation, mutation, query } from "syncline/server";
import { anyApi as internal } from "syncline/server";
import { v } from "syncline/values";

/** Schedules cancelSelf, telling it (through a note) the id of its own job. */
export const start = mutation({
  args: { catchIt: v.boolean(), otherDelayMs: v.optional(v.number()) },
  handler: async (ctx, { catchIt, otherDelayMs }) => {
    const noteId = await ctx.db.insert("notes", { outcome: "not run" });
    const otherId = otherDelayMs === undefined ? undefined : await ctx.scheduler.runAfter(otherDelayMs, internal.jobs.bystander, {});
    const jobId = await ctx.scheduler.runAfter(0, internal.jobs.cancelSelf, { noteId, catchIt });
    await ctx.db.patch(noteId, { jobId, otherId });
    return { jobId, noteId, otherId };
  },
});
export const cancelSelf = internalMutation({
  args: { noteId: v.id("notes"), catchIt: v.boolean() },
  handler: async (ctx, { noteId, catchIt }) => {
    const note = (await ctx.db.get(noteId))!;
    if (note.otherId !== undefined) await ctx.scheduler.cancel(note.otherId);
    await ctx.db.patch(noteId, { outcome: "before the attempt" });
    if (!catchIt) return await ctx.scheduler.cancel(note.jobId);
    try {
      await ctx.scheduler.cancel(note.jobId);
      await ctx.db.patch(noteId, { outcome: "cancelled itself" });
    } catch (error) {
      await ctx.db.patch(noteId, { outcome: (error as Error).name + ": " + (error as Error).message });
    }
  },
});
export const bystander = internalMutation({ args: {}, handler: async () => null });
export const startAction = mutation({
  args: {},
  handler: async (ctx) => {
    const noteId = await ctx.db.insert("notes", { outcome: "not run" });
    const jobId = await ctx.scheduler.runAfter(0, internal.jobs.actionCancelSelf, { noteId });
    await ctx.db.patch(noteId, { jobId });
    return { jobId, noteId };
  },
});
export const actionCancelSelf = internalAction({
  args: { noteId: v.id("notes") },
  handler: async (ctx, { noteId }) => {
    const note = await ctx.runQuery(internal.jobs.noteOf, { noteId });
    await ctx.scheduler.cancel(note!.jobId);
    await ctx.runMutation(internal.jobs.record, { noteId, outcome: "went on after cancelling itself" });
  },
});
export const noteOf = query({ args: { noteId: v.id("notes") }, handler: (ctx, { noteId }) => ctx.db.get(noteId) });
export const record = internalMutation({ args: { noteId: v.id("notes"), outcome: v.string() }, handler: (ctx, { noteId, outcome }) => ctx.db.patch(noteId, { outcome }) });
export const job = query({ args: { jobId: v.id("_scheduled_functions") }, handler: (ctx, { jobId }) => ctx.db.system.get(jobId) });
`;

type Job = { state: { kind: string; error?: string } };

async function start() {
  const project = tempProject({ "jobs.ts": JOBS_TS }, cleanups);
  const server = await startServer({ dir: project.dir, port: 0, db: testDatabase(), logger: silentLogger });
  cleanups.push(() => server.close());
  const client = new ConvexClient(server.url, { webSocketConstructor: WebSocket as never, unsavedChangesWarning: false });
  cleanups.push(() => client.close());
  const api = anyApi.jobs!;
  /** The job once it left pending / inProgress. */
  const settled = async (jobId: string): Promise<Job> =>
    (await waitFor(async () => (await client.query(api.job!, { jobId })) as Job | null, (job) => job !== null && job.state.kind !== "pending" && job.state.kind !== "inProgress"))!;
  const note = async (noteId: string) => ((await client.query(api.noteOf!, { noteId })) as { outcome: string }).outcome;
  return { client, api, settled, note };
}

describe("a scheduled function cancelling itself", () => {
  it("a scheduled mutation that cancels its own job gets ScheduledFunctionCancelingItself; caught, the job goes on and succeeds", async () => {
    const { client, api, settled, note } = await start();
    const { jobId, noteId } = (await client.mutation(api.start!, { catchIt: true })) as { jobId: string; noteId: string };
    expect((await settled(jobId)).state).toEqual({ kind: "success" });
    expect(await note(noteId)).toMatch(/^ScheduledFunctionCancelingItself: A scheduled mutation cannot cancel itself \(_scheduled_functions_\w+ is the job running now\)/);
  });

  it("uncaught, the error fails the job with that message and rolls back its writes; the job is not cancelled", async () => {
    const { client, api, settled, note } = await start();
    const { jobId, noteId } = (await client.mutation(api.start!, { catchIt: false })) as { jobId: string; noteId: string };
    const job = await settled(jobId);
    expect(job.state.kind).toBe("failed");
    expect(job.state.error).toContain("ScheduledFunctionCancelingItself: A scheduled mutation cannot cancel itself");
    expect(await note(noteId)).toBe("not run"); // "before the attempt" was rolled back
  });

  it("a scheduled mutation still cancels another pending job", async () => {
    const { client, api, settled } = await start();
    const { jobId, otherId } = (await client.mutation(api.start!, { catchIt: true, otherDelayMs: 60_000 })) as { jobId: string; otherId: string };
    expect((await settled(jobId)).state).toEqual({ kind: "success" });
    expect((await settled(otherId)).state).toEqual({ kind: "canceled" });
  });

  it("a scheduled action may cancel its own running job, as in Convex: the job is canceled and the action runs to its end", async () => {
    const { client, api, settled, note } = await start();
    const { jobId, noteId } = (await client.mutation(api.startAction!, {})) as { jobId: string; noteId: string };
    await waitFor(() => note(noteId), (outcome) => outcome === "went on after cancelling itself");
    expect((await settled(jobId)).state).toEqual({ kind: "canceled" });
  });
});
