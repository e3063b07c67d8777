// Scheduled functions and HTTP actions on a real server (in process, ":memory:" database):
//   - delay from the commit of a mutation calling runAfter(0) to the start of the scheduled job;
//   - 10,000 jobs scheduled by one mutation: time from its commit until the last job committed;
//   - HTTP action requests per second for a trivial handler (keep-alive, 50 in flight).
// Standalone: `npx tsx bench/scheduler.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startServer, type RunningServer } from "../src/server/index.js";
import type { BenchResult, Suite } from "./lib/types.js";

const FUNCTIONS = {
  "schema.ts": `import { defineSchema, defineTable } from "syncline/server";
import { v } from "syncline/values";
export default defineSchema({ starts: defineTable({ sample: v.number(), at: v.number() }).index("by_sample", ["sample"]) });`,
  "jobs.ts": `import { internalMutation, mutation, query, anyApi } from "syncline/server";
import { v } from "syncline/values";
const internal = anyApi as any;
export const kick = mutation({ args: { sample: v.number() }, handler: (ctx, { sample }) => ctx.scheduler.runAfter(0, internal.jobs.started, { sample }) });
// performance.now() is not frozen in mutations (Date.now() is): the job's start on the bench's clock.
export const started = internalMutation({ args: { sample: v.number() }, handler: (ctx, { sample }) => ctx.db.insert("starts", { sample, at: performance.now() }) });
export const startOf = query({ args: { sample: v.number() }, handler: async (ctx, { sample }) => (await ctx.db.query("starts").withIndex("by_sample", (q) => q.eq("sample", sample)).first())?.at ?? null });
export const fanOut = mutation({ args: { count: v.number() }, handler: async (ctx, { count }) => { for (let i = 0; i < count; i++) await ctx.scheduler.runAfter(0, internal.jobs.noop, { i }); } });
export const noop = internalMutation({ args: { i: v.number() }, handler: () => null });`,
  "http.ts": `import { httpRouter, httpAction } from "syncline/server";
const http = httpRouter();
http.route({ path: "/ping", method: "GET", handler: httpAction(async () => new Response("pong")) });
export default http;`,
};

const SERVER = { origin: "server" as const, identity: null };

export interface SchedulerBenchResults {
  delay: { medianMs: number; p99Ms: number; samples: number };
  fanOut: { jobs: number; totalMs: number };
  http: { requestsPerSecond: number; requests: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function withServer<T>(fn: (server: RunningServer) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), "syncline-scheduler-bench-"));
  const dir = join(root, "syncline");
  mkdirSync(dir);
  for (const [file, text] of Object.entries(FUNCTIONS)) writeFileSync(join(dir, file), text);
  const server = await startServer({ dir, port: 0, db: ":memory:" });
  try {
    return await fn(server);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Commit-to-start delay of runAfter(0), sample by sample (one job in flight at a time). */
async function benchDelay(server: RunningServer, samples: number): Promise<SchedulerBenchResults["delay"]> {
  const committedAt = new Map<bigint, number>();
  const stop = server.db.onCommit((commit) => committedAt.set(commit.ts, performance.now()));
  const delays: number[] = [];
  try {
    for (let sample = -50; sample < samples; sample++) {
      const kicked = await server.runtime.mutation("jobs:kick", { sample }, SERVER);
      if (!kicked.ok || kicked.ts === undefined) throw new Error(kicked.ok ? "no commit" : kicked.message);
      let start: number | null = null;
      while (start === null) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const outcome = await server.runtime.query("jobs:startOf", { sample }, SERVER);
        start = outcome.ok ? (outcome.value as number | null) : null;
      }
      if (sample >= 0) delays.push(start - committedAt.get(kicked.ts)!); // the first 50 warm up
      committedAt.clear();
    }
  } finally {
    stop();
  }
  delays.sort((a, b) => a - b);
  return { medianMs: percentile(delays, 0.5), p99Ms: percentile(delays, 0.99), samples: delays.length };
}

/** From the commit of one mutation scheduling `jobs` jobs to the commit of the last of them. */
async function benchFanOut(server: RunningServer, jobs: number): Promise<SchedulerBenchResults["fanOut"]> {
  let scheduledAt: number | undefined;
  let jobCommits = 0;
  let finished: () => void = () => {};
  const allRan = new Promise<void>((resolve) => (finished = resolve));
  // The first commit is the scheduling mutation's; each later one is one job (its writes and
  // its success status commit together).
  const stop = server.db.onCommit(() => {
    if (scheduledAt === undefined) scheduledAt = performance.now();
    else if (++jobCommits === jobs) finished();
  });
  try {
    const outcome = await server.runtime.mutation("jobs:fanOut", { count: jobs }, SERVER);
    if (!outcome.ok) throw new Error(outcome.message);
    await allRan;
    return { jobs, totalMs: performance.now() - scheduledAt! };
  } finally {
    stop();
  }
}

/** Requests per second against GET /ping with `inFlight` keep-alive connections. */
async function benchHttp(server: RunningServer, requests: number, inFlight = 50): Promise<SchedulerBenchResults["http"]> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const url = new URL("/ping", server.siteUrl);
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { agent }, (response) => {
        response.resume();
        response.on("end", () => (response.statusCode === 200 ? resolve() : reject(new Error(`status ${response.statusCode}`))));
      });
      req.on("error", reject);
      req.end();
    });
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next++ < count) await once();
    }));
  };
  await run(Math.min(2_000, requests)); // warm up
  const started = performance.now();
  await run(requests);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { requestsPerSecond: Math.round(requests / seconds), requests };
}

/**
 * All three measurements.
 *
 * @example
 * const { delay, fanOut, http } = await benchScheduler({ quick: true });
 */
export async function benchScheduler(options: { quick?: boolean } = {}): Promise<SchedulerBenchResults> {
  const quick = options.quick ?? false;
  const delay = await withServer((server) => benchDelay(server, quick ? 200 : 1_000));
  const fanOut = await withServer((server) => benchFanOut(server, 10_000));
  const http = await withServer((server) => benchHttp(server, quick ? 5_000 : 30_000));
  return { delay, fanOut, http };
}

const suite: Suite = {
  name: "scheduler",
  description: "scheduled functions and HTTP actions on a real server (no peer)",
  async run(options) {
    const { delay, fanOut, http } = await benchScheduler(options);
    const results: BenchResult[] = [
      { label: "commit of runAfter(0) -> start of the job", unit: "ms", syncline: { median: delay.medianMs, p99: delay.p99Ms }, samples: delay.samples },
      { label: `${fanOut.jobs.toLocaleString("en-US")} jobs from one mutation: commit -> last job committed`, unit: "ms", syncline: { median: fanOut.totalMs } },
      { label: "HTTP action, trivial handler, 50 in flight: time per request", unit: "µs", syncline: { median: 1e6 / http.requestsPerSecond }, samples: http.requests },
    ];
    return results;
  },
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { delay, fanOut, http } = await benchScheduler({ quick: process.argv.includes("--quick") });
  console.log(`runAfter(0): commit -> job start: median ${delay.medianMs.toFixed(3)} ms, p99 ${delay.p99Ms.toFixed(3)} ms (${delay.samples} samples)`);
  console.log(`${fanOut.jobs.toLocaleString("en-US")} jobs from one mutation: all ran ${Math.round(fanOut.totalMs)} ms after its commit`);
  console.log(`HTTP action (trivial handler, 50 in flight): ${http.requestsPerSecond.toLocaleString("en-US")} requests/s`);
}
