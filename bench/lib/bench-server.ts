// The real Syncline server for the server and sync benchmarks, running in a worker thread: the
// load generators (HTTP clients, raw sockets, official Convex clients) stay on the main thread, so
// on a 2-core machine the server gets a core of its own, as it would behind a network.
//
// The server is `startServer` on 127.0.0.1, port 0. Its database is a file in a fresh temporary
// directory (so every commit pays a real fsync) unless told ":memory:"; both are removed on close.
// The worker runs an esbuild bundle of the server, like the published package, not the sources
// under tsx: tsx keeps function names with a helper call per closure created, a cost in hot
// paths that users do not pay.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import type { DatabaseStats } from "../../src/server/db/index.js";

/** The functions folder of the benchmarks (schema with items, notes, counters). */
export const BENCH_FUNCTIONS_DIR = fileURLToPath(new URL("../fixtures/syncline", import.meta.url));

export type WorkerRequest =
  | { op: "start"; dir: string; db: string; prod?: boolean }
  | { op: "executionCount"; name: string }
  | { op: "subscriptions" }
  | { op: "connections" }
  | { op: "heap"; snapshot?: string }
  | { op: "dbStats" }
  | { op: "mutation"; name: string; args: unknown }
  | { op: "timeQuery"; name: string; argsList: unknown[]; warmup: number; samples: number; expectLength?: number; cache: boolean }
  | { op: "mutationLoad"; name: string; args: unknown; callers: number; perCaller: number }
  | { op: "elu" }
  | { op: "threadCpu" }
  | { op: "commits" }
  | { op: "profileStart" }
  | { op: "profileStop"; path: string }
  | { op: "close" };

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** What a load run did: operations, wall time, per-operation latencies (ms), write batches and log flushes (fsyncs). */
export interface LoadResult {
  operations: number;
  elapsedMs: number;
  latencies: number[];
  batches: number;
  flushes: number;
}

/** The embedded database's counters, as the worker reports them. */
export type DbStats = DatabaseStats;

/**
 * A running bench server.
 *
 * @example
 * const server = await BenchServer.start();
 * console.log(server.url, await server.executionCount("counters:get"));
 * await server.close();
 */
/**
 * Bundles a bench entry file (a worker or child of the benchmarks, and what it imports) into
 * node_modules/.cache, where its package imports still resolve; returns the bundle's path.
 *
 * @example
 * const file = await bundleBenchEntry("./server-worker.ts", "server-worker");
 */
export async function bundleBenchEntry(entry: string, name: string): Promise<string> {
  const dir = fileURLToPath(new URL("../../node_modules/.cache/syncline-bench/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${name}-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "silent",
  });
  return outfile;
}

/** The bundled server worker (see bundleBenchEntry). */
function builtWorker(): Promise<string> {
  return bundleBenchEntry("./server-worker.ts", "server-worker");
}

export class BenchServer {
  #nextId = 0;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #closed: Promise<void> | undefined;
  #url = "";

  private constructor(
    private readonly worker: Worker,
    private readonly tempDir: string | undefined,
    private readonly workerFile: string,
  ) {}

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.#url;
  }

  /** Starts the server on the bench functions; `db: "file"` (default) is a fresh file in a temp dir. */
  static async start(options: { dir?: string; db?: "file" | ":memory:" | { url: string }; prod?: boolean } = {}): Promise<BenchServer> {
    const url = typeof options.db === "object" ? options.db.url : undefined;
    const tempDir = options.db === ":memory:" || url !== undefined ? undefined : mkdtempSync(join(tmpdir(), "syncline-bench-"));
    const dbPath = url ?? (tempDir === undefined ? ":memory:" : join(tempDir, "data.sqlite"));
    const workerFile = await builtWorker();
    const worker = new Worker(workerFile);
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if ((message as { ready?: boolean }).ready) {
          worker.off("message", onMessage);
          resolve();
        }
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the bench server worker exited with code ${code} before it was ready`)));
    });
    try {
      await ready;
    } catch (error) {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      rmSync(workerFile, { force: true });
      throw error;
    }
    const server = new BenchServer(worker, tempDir, workerFile);
    worker.on("message", (message: WorkerReply) => server.#settle(message));
    worker.on("error", (error) => server.#failAll(error));
    worker.on("exit", (code) => server.#failAll(new Error(`the bench server worker exited with code ${code}`)));
    try {
      const { url } = (await server.#request({ op: "start", dir: options.dir ?? BENCH_FUNCTIONS_DIR, db: dbPath, prod: options.prod ?? false })) as { url: string };
      server.#url = url;
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  #request(request: WorkerRequest): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  #settle(reply: WorkerReply): void {
    const waiter = this.#pending.get(reply.id);
    if (waiter === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(`bench server: ${reply.error}`));
  }

  #failAll(error: Error): void {
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }

  /** `runtime.executionCount(name)`: how many times the function started executing. */
  executionCount(name: string): Promise<number> {
    return this.#request({ op: "executionCount", name }) as Promise<number>;
  }

  /** `sync.manager.size`: distinct live subscriptions. */
  subscriptions(): Promise<number> {
    return this.#request({ op: "subscriptions" }) as Promise<number>;
  }

  /** `sync.connections`: open sockets. */
  connections(): Promise<number> {
    return this.#request({ op: "connections" }) as Promise<number>;
  }

  /** CPU time the server thread has used so far (ms; Linux only, 10 ms resolution), else undefined. */
  threadCpuMs(): Promise<number | undefined> {
    return this.#request({ op: "threadCpu" }) as Promise<number | undefined>;
  }

  /**
   * The server thread's heapUsed after full collections (`collected` false when gc was unavailable);
   * with `snapshot`, also writes a V8 heap snapshot of that thread there.
   *
   * @example
   * const before = await server.heap("/tmp/before.heapsnapshot");
   */
  heap(snapshot?: string): Promise<{ heapUsed: number; collected: boolean }> {
    return this.#request(snapshot === undefined ? { op: "heap" } : { op: "heap", snapshot }) as Promise<{ heapUsed: number; collected: boolean }>;
  }

  /** The embedded database's counters (batches = SQLite write transactions, flushes = fsyncs of the log). */
  dbStats(): Promise<DbStats | undefined> {
    return this.#request({ op: "dbStats" }) as Promise<DbStats | undefined>;
  }

  /** `runtime.mutation(name, args)` as the server (internal functions allowed); resolves with the value. */
  mutation(name: string, args: unknown): Promise<unknown> {
    return this.#request({ op: "mutation", name, args });
  }

  /**
   * Sequential `runtime.query(name, args, {origin: "server"})` calls inside the server thread,
   * cycling through `argsList`; resolves with the per-call times (ms) after `warmup` calls.
   */
  timeQuery(name: string, argsList: unknown[], options: { warmup: number; samples: number; expectLength?: number; cache: boolean }): Promise<number[]> {
    return this.#request({ op: "timeQuery", name, argsList, ...options }) as Promise<number[]>;
  }

  /**
   * `callers` concurrent loops of `perCaller` sequential `runtime.mutation(name, {...args, client,
   * seq})` calls inside the server thread (no transport): what the runtime and database sustain.
   */
  mutationLoad(name: string, args: Record<string, unknown>, callers: number, perCaller: number): Promise<LoadResult> {
    return this.#request({ op: "mutationLoad", name, args, callers, perCaller }) as Promise<LoadResult>;
  }

  /**
   * Runs `phase` and reports how busy the server thread's event loop was meanwhile (0..1; time
   * blocked in a synchronous fsync counts as busy), the main thread's, and the share of the
   * phase the server thread spent in COMMIT (fsync) when that could be measured.
   */
  async busy<T>(phase: () => Promise<T>): Promise<{ result: T; server: number; main: number; commitShare: number | undefined }> {
    const serverBefore = (await this.#request({ op: "elu" })) as EventLoopUtilization;
    const commitsBefore = (await this.#request({ op: "commits" })) as { ms: number } | undefined;
    const mainBefore = performance.eventLoopUtilization();
    const started = performance.now();
    const result = await phase();
    const elapsed = performance.now() - started;
    const main = performance.eventLoopUtilization(mainBefore).utilization;
    const commitsAfter = (await this.#request({ op: "commits" })) as { ms: number } | undefined;
    const serverAfter = (await this.#request({ op: "elu" })) as EventLoopUtilization;
    const server = performance.eventLoopUtilization(serverAfter, serverBefore).utilization;
    const commitShare = commitsBefore && commitsAfter ? (commitsAfter.ms - commitsBefore.ms) / elapsed : undefined;
    return { result, server, main, commitShare };
  }

  /** COMMIT statements run by the writer so far and the time they took (ms); undefined when not measurable. */
  commits(): Promise<{ count: number; ms: number } | undefined> {
    return this.#request({ op: "commits" }) as Promise<{ count: number; ms: number } | undefined>;
  }

  /** Starts the V8 CPU profiler in the server thread. */
  profileStart(): Promise<void> {
    return this.#request({ op: "profileStart" }) as Promise<void>;
  }

  /** Stops the profiler and writes the `.cpuprofile` to `path`. */
  profileStop(path: string): Promise<void> {
    return this.#request({ op: "profileStop", path }) as Promise<void>;
  }

  /** Closes the server, ends the worker, removes the temporary database. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      try {
        await Promise.race([this.#request({ op: "close" }), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      } catch {
        // the worker is gone already
      }
      await this.worker.terminate();
      if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
      rmSync(this.workerFile, { force: true });
    })();
    return this.#closed;
  }
}

/**
 * Runs `phase` under the server's CPU profiler when BENCH_CPU_PROFILE names a directory
 * (`<dir>/<name>.cpuprofile`, open in Chrome DevTools); otherwise just runs it.
 */
export async function profiled<T>(server: BenchServer, name: string, phase: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return phase();
  await server.profileStart();
  try {
    return await phase();
  } finally {
    await server.profileStop(join(dir, `${name}.cpuprofile`));
  }
}
