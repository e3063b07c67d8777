// Scheduled functions across restarts: pending jobs are durable and run after a restart, jobs
// cut off by a shutdown run exactly once overall, and an action killed mid-run is marked failed
// and never run again.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JSONValue } from "syncline/values";
import type { RunningServer } from "syncline/server";
import { startChildServer, type ChildServer } from "../helpers/child-server.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { call, FIXTURE_DIR, startTestServer } from "../helpers/server.js";
import { waitFor } from "../helpers/wait.js";

let scratch: string | undefined;
let child: ChildServer | undefined;
const servers: RunningServer[] = [];
afterEach(async () => {
  await child?.kill();
  child = undefined;
  for (const server of servers.splice(0)) await server.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});
const dbFile = () => {
  scratch = mkdtempSync(join(tmpdir(), "syncline-scheduler-restart-"));
  return join(scratch, "data.sqlite");
};

async function value(url: string, kind: "query" | "mutation" | "action", name: string, args: JSONValue = {}): Promise<JSONValue> {
  const answer = await call(url, kind, name, args);
  if (answer.body.status !== "success") throw new Error(`${name}: ${String(answer.body.errorMessage)}`);
  return answer.body.value!;
}
const runCount = async (url: string, label: string) => (await value(url, "query", "reports:runCount", { label })) as number;
const progress = async (url: string, name: string) => (await value(url, "query", "reports:jobProgress", { name })) as Record<string, number>;
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe("restarts", () => {
  it("jobs still pending at shutdown run after the restart, at their time", async () => {
    const db = dbFile();
    const start = Date.UTC(2030, 5, 1);
    const first = await startTestServer({ db, clock: new ManualClock(start) });
    await value(first.url, "mutation", "reports:scheduleMany", { count: 50, label: "durable", delayMs: 10_000 });
    const { reportId } = (await value(first.url, "mutation", "reports:enqueueReport", { title: "after restart", delayMs: 10_000 })) as { reportId: string };
    await first.close();

    const clock = new ManualClock(start + 5_000);
    const second = await startTestServer({ db, clock });
    servers.push(second);
    await settle();
    expect(await runCount(second.url, "durable")).toBe(0);
    clock.advance(5_000);
    await waitFor(() => progress(second.url, "reports:countRun"), (counts) => counts.success === 50);
    await waitFor(() => value(second.url, "query", "reports:getReport", { reportId }), (report) => (report as { status: string }).status === "done");
    expect(await runCount(second.url, "durable")).toBe(50);
  });

  it("a shutdown in the middle of 2,000 due jobs: after the restart each ran exactly once", async () => {
    const db = dbFile();
    const first = await startTestServer({ db });
    await value(first.url, "mutation", "reports:scheduleMany", { count: 2_000, label: "interrupted batch" });
    await first.close(); // while the runner is working through them

    // A look without running anything: the shutdown did cut the work in the middle.
    const look = await startTestServer({ db, runJobs: false });
    const atShutdown = await progress(look.url, "reports:countRun");
    await look.close();
    expect(atShutdown.pending).toBeGreaterThan(0);
    expect(atShutdown.success).toBeGreaterThan(0);
    expect(atShutdown.success! + atShutdown.pending!).toBe(2_000);

    const second = await startTestServer({ db });
    servers.push(second);
    await waitFor(() => progress(second.url, "reports:countRun"), (counts) => counts.success === 2_000, 30_000);
    expect(await progress(second.url, "reports:countRun")).toEqual({ success: 2_000 });
    expect(await runCount(second.url, "interrupted batch")).toBe(2_000);
  });

  it("an action cut off by a crash (kill -9) is marked failed after the restart and never run again", async () => {
    const db = dbFile();
    child = await startChildServer(FIXTURE_DIR, db);
    const jobId = (await value(child.url, "mutation", "reports:scheduleAction", { label: "crash", ms: 60_000 })) as string;
    await waitFor(() => runCount(child!.url, "crash:started"), (count) => count === 1);
    expect(((await value(child.url, "query", "reports:job", { jobId })) as { state: { kind: string } }).state.kind).toBe("inProgress");
    await child.kill();
    child = undefined;

    const restarted = await startTestServer({ db });
    servers.push(restarted);
    const job = (await value(restarted.url, "query", "reports:job", { jobId })) as { state: unknown; completedTime?: number };
    expect(job.state).toEqual({ kind: "failed", error: "Interrupted by a server restart; a scheduled action runs at most once, so it was not run again." });
    expect(job.completedTime).toBeGreaterThan(0);
    await settle();
    expect(await runCount(restarted.url, "crash:started")).toBe(1);
    expect(await runCount(restarted.url, "crash:finished")).toBe(0);
  });
});
