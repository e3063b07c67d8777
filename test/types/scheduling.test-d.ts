// Compile-time tests: ctx.scheduler takes mutations and actions (public or internal) with typed
// arguments and returns job ids; ctx.db.system reads typed job rows; httpAction, httpRouter and
// cronJobs are typed the same way.
import { cronJobs, httpRouter, type ScheduledFunction } from "syncline/server";
import type { Id } from "syncline/values";
import { api, internal } from "../fixtures/app/syncline/_generated/api";
import { httpAction, query, type ActionCtx, type HttpActionCtx, type MutationCtx, type QueryCtx } from "../fixtures/app/syncline/_generated/server";
import { expectTrue, type Equal } from "./helpers";

declare const ctx: MutationCtx;
declare const reportId: Id<"reports">;

// Mutations and actions, internal or public, with their arguments; the result is a job id.
async function schedules() {
  const jobId = await ctx.scheduler.runAfter(0, internal.reports.build, { reportId });
  expectTrue<Equal<typeof jobId, Id<"_scheduled_functions">>>();
  await ctx.scheduler.runAt(new Date(), internal.reports.slowSummary, { label: "x", ms: 1 });
  await ctx.scheduler.runAt(Date.now() + 1000, api.reports.publicCount, { label: "x" });
  await ctx.scheduler.cancel(jobId);
  // @ts-expect-error queries cannot be scheduled
  await ctx.scheduler.runAfter(0, api.reports.runCount, { label: "x" });
  // @ts-expect-error arguments are checked
  await ctx.scheduler.runAfter(0, internal.reports.build, { reportId: 1 });
  // @ts-expect-error required arguments cannot be left out
  await ctx.scheduler.runAfter(0, internal.reports.build);
  // @ts-expect-error cancel takes a job id
  await ctx.scheduler.cancel(reportId);
}

// Actions and HTTP actions have the scheduler too.
declare const actionCtx: ActionCtx;
declare const httpCtx: HttpActionCtx;
actionCtx.scheduler.runAfter(0, internal.reports.countRun, { label: "x" });
httpCtx.scheduler.runAfter(0, internal.reports.countRun, { label: "x" });

// Job rows are typed, through ctx.db.system only.
export const progress = query({
  args: {},
  handler: async (ctx) => {
    const job = await ctx.db.system.get("" as Id<"_scheduled_functions">);
    expectTrue<Equal<typeof job, ScheduledFunction | null>>();
    const all = await ctx.db.system.query("_scheduled_functions").collect();
    const kinds: ("pending" | "inProgress" | "success" | "failed" | "canceled")[] = all.map((row) => row.state.kind);
    // @ts-expect-error system tables are not user tables
    await ctx.db.query("_scheduled_functions");
    return kinds;
  },
});

// Queries have no scheduler: they only read.
declare const queryCtx: QueryCtx;
// @ts-expect-error queries have no ctx.scheduler
void queryCtx.scheduler;

// httpAction: (ctx, Request) => Promise<Response>.
const hook = httpAction(async (ctx, request) => {
  const body: unknown = await request.json();
  await ctx.runMutation(internal.messages.sendOne, { body: String(body), author: "a" });
  return new Response(null, { status: 204 });
});
// @ts-expect-error the handler must return a Response
httpAction(async () => "text");
const http = httpRouter();
http.route({ path: "/hook", method: "POST", handler: hook });
http.route({ pathPrefix: "/files/", method: "GET", handler: hook });
// @ts-expect-error not a routable method
http.route({ path: "/hook", method: "TRACE", handler: hook });
// @ts-expect-error the handler must be an httpAction
http.route({ path: "/hook", method: "GET", handler: async () => new Response() });

// cronJobs: mutations and actions with typed arguments.
const crons = cronJobs();
crons.interval("i", { minutes: 1 }, internal.reports.countRun, { label: "x" });
crons.cron("c", "*/5 * * * *", internal.reports.slowSummary, { label: "x", ms: 0 });
crons.weekly("w", { dayOfWeek: "monday", hourUTC: 0, minuteUTC: 0 }, internal.reports.countRun, { label: "x" });
// @ts-expect-error crons do not run queries
crons.hourly("q", { minuteUTC: 0 }, api.reports.runCount, { label: "x" });
// @ts-expect-error arguments are checked
crons.daily("d", { hourUTC: 0, minuteUTC: 0 }, internal.reports.countRun, { label: 1 });
// @ts-expect-error not a weekday
crons.weekly("w2", { dayOfWeek: "someday", hourUTC: 0, minuteUTC: 0 }, internal.reports.countRun, { label: "x" });

export { schedules };
