// Scheduled functions against the real server: `ctx.scheduler` from mutations and actions, job
// status in `_scheduled_functions` (live over the socket), exactly-once mutations, at-most-once
// actions, cancellation, bounded concurrency, and 10,000 jobs from one mutation.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer, ScheduledFunction } from "syncline/server";
import type { JSONValue } from "syncline/values";
import type { Transition } from "../../src/protocol/messages.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { call, startTestServer, recordingLogger } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";

const { logger, lines } = recordingLogger();

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({ logger });
});
afterAll(() => server.close());

const extra: RunningServer[] = [];
afterEach(async () => {
  for (const started of extra.splice(0)) await started.close();
});

type Job = Omit<ScheduledFunction, "_id"> & { _id: string };

async function value(kind: "query" | "mutation" | "action", name: string, args: JSONValue = {}, on = server): Promise<JSONValue> {
  const answer = await call(on.url, kind, name, args);
  if (answer.body.status !== "success") throw new Error(`${name}: ${String(answer.body.errorMessage)}`);
  return answer.body.value!;
}
const job = async (jobId: string, on = server) => (await value("query", "reports:job", { jobId }, on)) as Job | null;
const runCount = async (label: string, on = server) => (await value("query", "reports:runCount", { label }, on)) as number;
const jobsNamed = async (name: string, on = server) => ((await value("query", "reports:jobs", {}, on)) as Job[]).filter((j) => j.name === name);

describe("ctx.scheduler in mutations", () => {
  it("enqueueReport schedules internal.reports.build, which runs right after the commit", async () => {
    const { reportId, jobId } = (await value("mutation", "reports:enqueueReport", { title: "Q3" })) as { reportId: string; jobId: string };
    expect(jobId).toMatch(/^_scheduled_functions_/);
    const done = await waitFor(() => job(jobId), (j) => j?.state.kind === "success");
    expect(done).toMatchObject({ name: "reports:build", kind: "mutation", args: [{ reportId }], state: { kind: "success" } });
    expect(done!.completedTime).toBeGreaterThanOrEqual(done!.scheduledTime);
    expect(await value("query", "reports:getReport", { reportId })).toMatchObject({ status: "done", summary: 'Report "Q3"' });
    // Scheduled functions run as the server, with no user identity.
    expect(await value("query", "reports:runsOf", { label: `build:${reportId}` })).toMatchObject([{ who: "nobody" }]);
  });

  it("a mutation that throws after scheduling schedules nothing", async () => {
    const before = (await jobsNamed("reports:build")).length;
    const answer = await call(server.url, "mutation", "reports:enqueueThenThrow", { title: "never" });
    expect(answer.body.errorMessage).toMatch(/changed my mind after scheduling/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await jobsNamed("reports:build")).length).toBe(before);
  });

  it("a scheduled mutation that throws is marked failed with its error, and its writes are rolled back", async () => {
    const jobId = (await value("mutation", "reports:enqueueFailing", { label: "explosion" })) as string;
    const failed = await waitFor(() => job(jobId), (j) => j?.state.kind === "failed");
    expect(failed!.state).toEqual({ kind: "failed", error: expect.stringMatching(/scheduled mutation explosion blew up/) });
    expect(await runCount("explosion")).toBe(0);
    expect(lines.some((line) => line.startsWith("mutation reports:explode [ERROR]") && line.includes("blew up"))).toBe(true);
  });

  it("shows a job's status live to a subscribed query: pending, then success", async () => {
    const socket = await openRawSocket(server.url);
    try {
      socket.send({ type: "Mutation", requestId: 0, udfPath: "reports:enqueueReport", args: [{ title: "live", delayMs: 300 }] });
      const response = await socket.next("MutationResponse");
      if (!response.success) throw new Error(response.result);
      const { jobId } = response.result as { jobId: string };
      socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "reports:job", args: [{ jobId }] }] });
      const states: string[] = [];
      const stateOf = (transition: Transition) =>
        transition.modifications.flatMap((m) => (m.type === "QueryUpdated" ? [(m.value as unknown as Job).state.kind] : []));
      while (!states.includes("success")) states.push(...stateOf(await socket.next("Transition")));
      expect(states).toEqual(["pending", "success"]);
    } finally {
      socket.close();
    }
  });

  it("refuses to schedule a query or arguments that are not values, at scheduling time", async () => {
    expect((await call(server.url, "mutation", "reports:scheduleQuery", {})).body.errorMessage).toMatch(
      /ctx\.scheduler\.runAfter: 'reports:runCount' is a query; only mutations and actions can be scheduled/,
    );
    expect((await call(server.url, "mutation", "reports:scheduleNonValue", {})).body.errorMessage).toMatch(
      /ctx\.scheduler\.runAfter: the arguments of 'reports:countRun' are not values/,
    );
  });

  it("refuses arguments the target's validator refuses, at scheduling time: the mutation fails and writes nothing", async () => {
    const runsBefore = (await call(server.url, "query", "reports:runCount", { label: "written before the bad schedule" })).body.value;
    expect((await call(server.url, "mutation", "reports:scheduleWrongArgs", {})).body.errorMessage).toMatch(
      /ctx\.scheduler\.runAfter: ArgumentValidationError: invalid arguments for reports:countRun: args\.label: expected string/,
    );
    expect((await call(server.url, "query", "reports:runCount", { label: "written before the bad schedule" })).body.value).toEqual(runsBefore);
  });
});

describe("scheduled actions", () => {
  it("run once, pass through inProgress, and log like any action", async () => {
    const jobId = (await value("mutation", "reports:scheduleAction", { label: "summary", ms: 300 })) as string;
    await waitFor(() => job(jobId), (j) => j?.state.kind === "inProgress");
    const done = await waitFor(() => job(jobId), (j) => j?.state.kind === "success");
    expect(done).toMatchObject({ name: "reports:slowSummary", kind: "action" });
    expect([await runCount("summary:started"), await runCount("summary:finished")]).toEqual([1, 1]);
    expect(lines).toContain("action reports:slowSummary [LOG] 'summarizing' 'summary'");
  });

  it("a failing scheduled action is marked failed", async () => {
    const jobId = (await value("mutation", "reports:scheduleFailingAction", {})) as string;
    const failed = await waitFor(() => job(jobId), (j) => j?.state.kind === "failed");
    expect(failed!.state).toMatchObject({ error: expect.stringMatching(/the scheduled action failed/) });
  });

  it("actions schedule too, and public functions are valid targets", async () => {
    const jobId = (await value("action", "reports:scheduleFromAction", { label: "from-action" })) as string;
    await waitFor(() => job(jobId), (j) => j?.state.kind === "success");
    expect(await runCount("from-action")).toBe(1);
  });

  it("HTTP actions schedule with ctx.scheduler", async () => {
    const response = await fetch(`${server.siteUrl}/schedule`, { method: "POST", body: JSON.stringify({ label: "from-http" }) });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    await waitFor(() => job(jobId), (j) => j?.state.kind === "success");
    expect(await runCount("from-http")).toBe(1);
  });

  it("runs at most 10 actions at once; the rest wait their turn", async () => {
    const fresh = await startTestServer();
    extra.push(fresh);
    const ids = await Promise.all(Array.from({ length: 25 }, () => value("mutation", "reports:scheduleAction", { label: "crowd", ms: 150 }, fresh)));
    let most = 0;
    await waitFor(
      async () => {
        const all = await jobsNamed("reports:slowSummary", fresh);
        most = Math.max(most, all.filter((j) => j.state.kind === "inProgress").length);
        return all.filter((j) => j.state.kind === "success").length;
      },
      (done) => done === ids.length,
    );
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(10);
    expect(await runCount("crowd:started", fresh)).toBe(25);
  });
});

describe("timing and cancellation (controllable clock)", () => {
  const start = Date.UTC(2030, 0, 1, 12, 0, 0);

  it("runAfter and runAt wait for their time; a canceled job never runs", async () => {
    const clock = new ManualClock(start);
    const timed = await startTestServer({ clock });
    extra.push(timed);
    const { jobId: later } = (await value("mutation", "reports:enqueueReport", { title: "later", delayMs: 60_000 }, timed)) as { jobId: string };
    const canceled = (await value("mutation", "reports:scheduleAt", { at: start + 30_000, label: "canceled" }, timed)) as string;
    const at = (await value("mutation", "reports:scheduleAt", { at: start + 45_000, label: "at" }, timed)) as string;
    expect((await job(later, timed))!.scheduledTime).toBe(start + 60_000);

    await value("mutation", "reports:cancelJob", { jobId: canceled }, timed);
    expect((await job(canceled, timed))!.state).toEqual({ kind: "canceled" });

    clock.advance(44_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await job(at, timed))!.state.kind).toBe("pending");
    clock.advance(1_000);
    await waitFor(() => job(at, timed), (j) => j?.state.kind === "success");
    expect((await job(later, timed))!.state.kind).toBe("pending");
    clock.advance(15_000);
    await waitFor(() => job(later, timed), (j) => j?.state.kind === "success");
    expect((await job(canceled, timed))!.state.kind).toBe("canceled");
    expect(await runCount("canceled", timed)).toBe(0);
    // Canceling a finished job changes nothing.
    await value("mutation", "reports:cancelJob", { jobId: at }, timed);
    expect((await job(at, timed))!.state.kind).toBe("success");
  });
});

describe("wake-ups", () => {
  it("one timer for the next due job, none when nothing is pending: no polling", async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const timed = await startTestServer({ clock });
    extra.push(timed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const idle = clock.pendingTimers; // the hourly pruning of finished jobs
    expect(idle).toBe(1);
    const jobIds = await Promise.all([60_000, 30_000, 90_000].map((delayMs) => value("mutation", "reports:enqueueReport", { title: "t", delayMs }, timed)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(clock.pendingTimers).toBe(idle + 1);
    clock.advance(90_000);
    for (const { jobId } of jobIds as { jobId: string }[]) await waitFor(() => job(jobId, timed), (j) => j?.state.kind === "success");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(clock.pendingTimers).toBe(idle);
  });
});

describe("fan-out", () => {
  it("10,000 jobs scheduled in one mutation all run, each exactly once", async () => {
    const fresh = await startTestServer();
    extra.push(fresh);
    const started = performance.now();
    expect(await value("mutation", "reports:scheduleMany", { count: 10_000, label: "fan-out" }, fresh)).toBe(10_000);
    const progress = () => value("query", "reports:jobProgress", { name: "reports:countRun" }, fresh) as Promise<Record<string, number>>;
    await waitFor(progress, (counts) => counts.success === 10_000, 60_000);
    const elapsed = performance.now() - started;
    expect(await progress()).toEqual({ success: 10_000 });
    expect(await runCount("fan-out", fresh)).toBe(10_000);
    console.log(`10,000 jobs from one mutation ran in ${Math.round(elapsed)} ms`);
  }, 90_000);
});
