// The worker-thread side of bench/lib/bench-server.ts: runs the real Syncline server (startServer)
// on its own thread, so the load generator on the main thread does not steal its event loop, and
// answers requests about it (execution counts, subscriptions, heap after GC, in-runtime timings,
// CPU profiles) over the worker's message port.

import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { parentPort } from "node:worker_threads";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { OpenedDatabase } from "../../src/server/db/index.js";
import type { Value } from "../../src/values/index.js";
import { heapUsedAfterGc } from "./gc.js";
import type { WorkerReply, WorkerRequest } from "./bench-server.js";

const port = parentPort;
if (port === null) throw new Error("bench/lib/server-worker.ts runs as a worker thread (see bench-server.ts)");

let server: RunningServer | undefined;

/**
 * CPU time (user + system, ms) this thread has used, from /proc/thread-self/stat (Linux; 10 ms
 * ticks); undefined elsewhere. Unlike event-loop busy time it does not count time the thread was
 * runnable but preempted, which on a shared 2-core machine is most of the noise.
 */
function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
/** Time spent in the writer's COMMIT statements, when the database exposes its writer. */
const commits = { count: 0, ms: 0, instrumented: false };

/**
 * Bench-only instrumentation, no change to the server's code: wraps the writer connection's
 * `run(sql)` (how write batches issue BEGIN/COMMIT) to time COMMIT. Skipped if the database's
 * internals are not what this expects.
 */
function instrumentCommits(db: unknown): void {
  const writer = (db as { writer?: { run?: (sql: string) => void } }).writer;
  if (writer === undefined || typeof writer.run !== "function") return;
  const run = writer.run.bind(writer);
  writer.run = (sql: string) => {
    if (sql !== "COMMIT") return run(sql);
    const started = performance.now();
    try {
      return run(sql);
    } finally {
      commits.count++;
      commits.ms += performance.now() - started;
    }
  };
  commits.instrumented = true;
}
let profiler: Session | undefined;
const caller = { origin: "server", identity: null } as const;

function running(): RunningServer {
  if (server === undefined) throw new Error("the bench server is not started");
  return server;
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "start": {
      server = await startServer({ dir: request.dir, db: request.db, port: 0, host: "127.0.0.1", prod: request.prod ?? false });
      instrumentCommits(server.db);
      return { url: server.url };
    }
    case "executionCount":
      return running().runtime.executionCount(request.name);
    case "subscriptions":
      return running().sync.manager.size;
    case "connections":
      return running().sync.connections;
    case "heap": {
      const heap = heapUsedAfterGc();
      // After the collection, so the snapshot holds what is live (what heapUsed counted).
      if (request.snapshot !== undefined) writeHeapSnapshot(request.snapshot);
      return heap;
    }
    case "dbStats": {
      const db = running().db as Partial<OpenedDatabase>;
      return typeof db.stats === "function" ? db.stats() : undefined;
    }
    case "mutation": {
      const outcome = await running().runtime.mutation(request.name, request.args as Value, caller);
      if (!outcome.ok) throw new Error(`${request.name} failed: ${outcome.message}`);
      return outcome.value;
    }
    case "timeQuery": {
      // Sequential runtime.query calls, cycling through argsList (run, or answered from the cache
      // when it may); per-call times in ms.
      const runtime = running().runtime;
      const { name, argsList, warmup, samples } = request;
      const times: number[] = [];
      for (let i = 0; i < warmup + samples; i++) {
        const args = argsList[i % argsList.length] as Value;
        const started = performance.now();
        const outcome = await runtime.query(name, args, caller, { cache: request.cache });
        const elapsed = performance.now() - started;
        if (!outcome.ok) throw new Error(`${name} failed: ${outcome.message}`);
        if (request.expectLength !== undefined && (!Array.isArray(outcome.value) || outcome.value.length !== request.expectLength)) {
          throw new Error(`${name}: expected ${request.expectLength} rows, got ${JSON.stringify(outcome.value).slice(0, 200)}`);
        }
        if (i >= warmup) times.push(elapsed);
      }
      return times;
    }
    case "mutationLoad": {
      // `callers` concurrent loops of sequential runtime.mutation calls, no transport at all.
      const runtime = running().runtime;
      const db = running().db as Partial<OpenedDatabase>;
      const { name, callers, perCaller } = request;
      const before = db.stats?.();
      const latencies: number[] = [];
      const loop = async (caller: number) => {
        for (let seq = 0; seq < perCaller; seq++) {
          const args = { ...(request.args as Record<string, Value>), client: caller, seq };
          const started = performance.now();
          const outcome = await runtime.mutation(name, args, { origin: "server", identity: null });
          latencies.push(performance.now() - started);
          if (!outcome.ok) throw new Error(`${name} failed: ${outcome.message}`);
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: callers }, (_, c) => loop(c)));
      const elapsedMs = performance.now() - started;
      const after = db.stats?.();
      return { operations: callers * perCaller, elapsedMs, latencies, batches: (after?.batches ?? 0) - (before?.batches ?? 0), flushes: (after?.flushes ?? 0) - (before?.flushes ?? 0) };
    }
    case "commits":
      return commits.instrumented ? { count: commits.count, ms: commits.ms } : undefined;
    case "elu":
      return performance.eventLoopUtilization();
    case "threadCpu":
      return threadCpuMs();
    case "profileStart": {
      profiler = new Session();
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
      await profiler.post("Profiler.start");
      // BENCH_ALLOC_PROFILE=1: also sample allocations (a .heapprofile next to the .cpuprofile).
      if (process.env.BENCH_ALLOC_PROFILE) await profiler.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      return null;
    }
    case "profileStop": {
      if (profiler === undefined) return null;
      const { profile } = await profiler.post("Profiler.stop");
      writeFileSync(request.path, JSON.stringify(profile));
      if (process.env.BENCH_ALLOC_PROFILE) {
        const { profile: allocations } = await profiler.post("HeapProfiler.stopSampling");
        writeFileSync(request.path.replace(/\.cpuprofile$/, ".heapprofile"), JSON.stringify(allocations));
      }
      profiler.disconnect();
      profiler = undefined;
      return request.path;
    }
    case "close": {
      const closing = server?.close();
      server = undefined;
      await closing;
      return null;
    }
  }
}

port.on("message", (message: { id: number; request: WorkerRequest }) => {
  handle(message.request).then(
    (value) => port.postMessage({ id: message.id, ok: true, value } satisfies WorkerReply),
    (error: unknown) => port.postMessage({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) } satisfies WorkerReply),
  );
});
port.postMessage({ ready: true });
