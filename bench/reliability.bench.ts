// Reliability under hostile and slow clients (issue #23), measured on the real server in a process
// of its own so its heap and RSS are its alone:
// - the server heap one stalled socket costs (a client with ten 100 kB subscriptions that stops
//   reading while commits stream), with the default per-socket budget;
// - the server's RSS and heap after a 100,000-frame hostile storm, every hostile socket closed,
//   against its baseline;
// - a good client's mutation latency (p50, p99) while 1,000 stalled readers subscribe to what it
//   writes, and the server CPU per mutation (steadier than latency on a shared machine), against
//   the same client with no other socket ("peer" column: the ratio is the cost).
// No official-client peer here: these are properties of the server alone.

import { fork, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import WebSocket from "ws";
import { frame, hostileSocket } from "../test/helpers/hostile-frames.js";
import { percentile } from "./lib/stats.js";
import { SyncSocket } from "./lib/sync-socket.js";
import type { BenchOptions, BenchResult, Suite } from "./lib/types.js";

const HEAP_SERVER = fileURLToPath(new URL("../test/integration/reliability/support/heap-server.ts", import.meta.url));
const MiB = 1024 * 1024;

interface Memory {
  heap: number;
  rss: number;
  sockets: number;
  queuedBytes: number;
  /** Sockets the server sees as not reading: bytes wait in them, or their recent transitions went unread. */
  socketsBehind: number;
}

/** The reliability fixture's server in a child process, with a memory probe. */
class MeasuredServer {
  private readonly waiting: ((memory: Memory) => void)[] = [];
  private readonly waitingCpu: ((ms: number) => void)[] = [];
  readonly errors: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on("message", (message: Memory | { error: string } | { cpu: NodeJS.CpuUsage }) => {
      if ("error" in message) this.errors.push(message.error);
      else if ("heap" in message) this.waiting.shift()?.(message);
      else if ("cpu" in message) this.waitingCpu.shift()?.((message.cpu.user + message.cpu.system) / 1000);
    });
  }

  static async start(options: Record<string, unknown> = {}): Promise<MeasuredServer> {
    const child = fork(HEAP_SERVER, [JSON.stringify(options)], { execArgv: ["--import", "tsx", "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const url = await new Promise<string>((resolve, reject) => {
      child.once("message", (message: { url: string }) => resolve(message.url));
      child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    });
    return new MeasuredServer(child, url);
  }

  /** CPU time (user + system, ms) the server process has used so far: less noisy than latency on a shared machine. */
  cpuMs(): Promise<number> {
    return new Promise((resolve) => {
      this.waitingCpu.push(resolve);
      this.child.send("cpu");
    });
  }

  /** Heap and RSS after full collections, open sockets, bytes queued for them. */
  memory(): Promise<Memory> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.send("heap");
    });
  }

  /** Polls `memory()` until the server holds `sockets` sockets (closes finish asynchronously). */
  async settled(sockets: number): Promise<Memory> {
    for (let i = 0; i < 200; i++) {
      const memory = await this.memory();
      if (memory.sockets === sockets) return memory;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the server still holds sockets other than the ${sockets} expected`);
  }

  async mutation(path: string, args: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.url}/api/mutation`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path, format: "convex_encoded_json", args: [args] }) });
    const body = (await response.json()) as { status: string; errorMessage?: string };
    if (body.status !== "success") throw new Error(`${path} failed: ${body.errorMessage}`);
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send("stop");
    await exited;
  }
}

/** A client that subscribes to `queries`, reads its first transition, then stops reading its socket. */
async function stalledReader(url: string, queries: readonly { udfPath: string; args: Record<string, unknown> }[]): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`, { perMessageDeflate: false });
  ws.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const first = new Promise<void>((resolve) => ws.once("message", () => resolve()));
  ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: queries.map((q, queryId) => ({ type: "Add", queryId, udfPath: q.udfPath, args: [q.args] })) }));
  await first;
  ws.pause(); // the TCP socket is no longer read: the server's writes pile up
  return ws;
}

/** Opens `count` stalled readers, `parallel` at a time. */
async function stalledReaders(url: string, count: number, queries: readonly { udfPath: string; args: Record<string, unknown> }[]): Promise<WebSocket[]> {
  const readers: WebSocket[] = [];
  for (let i = 0; i < count; i += 50) {
    readers.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => stalledReader(url, queries)))));
  }
  return readers;
}

function closeAll(readers: readonly WebSocket[]): void {
  for (const ws of readers) ws.terminate();
}

async function heapPerStalledSocket(options: BenchOptions): Promise<BenchResult[]> {
  const SLOTS = 10;
  const SLOT_BYTES = 100_000;
  const readersCount = options.quick ? 2 : 10;
  const rounds = options.quick ? 8 : 25;
  const server = await MeasuredServer.start();
  try {
    for (let slot = 0; slot < SLOTS; slot++) await server.mutation("load:fill", { slot, round: 0, bytes: SLOT_BYTES });
    const before = await server.memory();
    const queries = Array.from({ length: SLOTS }, (_, slot) => ({ udfPath: "load:slot", args: { slot } }));
    const readers = await stalledReaders(server.url, readersCount, queries);
    let mostQueued = 0;
    for (let round = 1; round <= rounds; round++) {
      for (let slot = 0; slot < SLOTS; slot++) await server.mutation("load:fill", { slot, round, bytes: SLOT_BYTES });
      mostQueued = Math.max(mostQueued, (await server.memory()).queuedBytes);
    }
    const after = await server.memory();
    closeAll(readers);
    const unthrottled = (rounds * SLOTS * SLOT_BYTES) / MiB;
    return [
      {
        label: `server heap per stalled socket (10 x 100 kB subscriptions, ${rounds} rounds = ${unthrottled.toFixed(0)} MB of results each; ${readersCount} sockets, default 8 MiB budget)`,
        unit: "MB",
        syncline: { median: (after.heap - before.heap) / readersCount / MiB },
        samples: readersCount,
      },
      {
        label: "bytes queued per stalled socket, most seen (Syncline's queue and the socket's buffer)",
        unit: "MB",
        syncline: { median: mostQueued / readersCount / MiB },
        samples: rounds,
      },
    ];
  } finally {
    await server.stop();
  }
}

async function hostileStorm(options: BenchOptions): Promise<BenchResult[]> {
  const sockets = options.quick ? 80 : 400;
  const framesPerSocket = 250; // 400 x 250 = 100,000 frames
  const server = await MeasuredServer.start();
  try {
    const good = await SyncSocket.open(server.url);
    good.addQueries([{ udfPath: "load:count", args: { name: "good" } }]);
    await good.waitFor((message) => message.type === "Transition");
    await hostileSocket(server.url, fc.sample(frame, { numRuns: 200, seed: 1 })); // every path warmed up once
    const baseline = await server.settled(1);
    const all = fc.sample(frame, { numRuns: sockets * framesPerSocket, seed: 23 });
    let peakRss = baseline.rss;
    const sampling = setInterval(() => void server.memory().then((memory) => (peakRss = Math.max(peakRss, memory.rss))), 1000);
    try {
      for (let batch = 0; batch < sockets; batch += 20) {
        await Promise.all(Array.from({ length: 20 }, (_, i) => hostileSocket(server.url, all.slice((batch + i) * framesPerSocket, (batch + i + 1) * framesPerSocket))));
      }
    } finally {
      clearInterval(sampling);
    }
    const after = await server.settled(1);
    await good.close();
    if (server.errors.length > 0) throw new Error(`the storm made the server log errors: ${server.errors[0]}`);
    const frames = (sockets * framesPerSocket).toLocaleString("en-US");
    return [
      { label: `server RSS after a ${frames}-frame hostile storm, sockets closed, minus baseline (${(baseline.rss / MiB).toFixed(0)} MB)`, unit: "MB", syncline: { median: (after.rss - baseline.rss) / MiB } },
      { label: `server RSS peak during the storm, minus baseline`, unit: "MB", syncline: { median: (peakRss - baseline.rss) / MiB } },
      { label: `server heap after the storm minus baseline (${(baseline.heap / MiB).toFixed(1)} MB)`, unit: "MB", syncline: { median: (after.heap - baseline.heap) / MiB } },
    ];
  } finally {
    await server.stop();
  }
}

/** `samples` sequential mutations of slot 0 from one good client: their latencies (ms). */
async function goodClientLatencies(url: string, warmup: number, samples: number): Promise<number[]> {
  const good = await SyncSocket.open(url);
  try {
    good.addQueries([]);
    const latencies: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      const started = performance.now();
      const requestId = good.mutation("load:fill", { slot: 0, round: i, bytes: 2000 });
      const { message } = await good.waitFor((m) => m.type === "MutationResponse" && m.requestId === requestId);
      if (message.type === "MutationResponse" && !message.success) throw new Error(`the good client's mutation failed: ${String(message.result)}`);
      if (i >= warmup) latencies.push(performance.now() - started);
    }
    return latencies;
  } finally {
    await good.close();
  }
}

/**
 * A good client's mutation latency among `readersCount` readers of what it writes that stopped
 * reading, against the same client alone. Measured twice: right after they stopped (their kernel
 * buffers would still take every update; the server stops sending once their pings go unanswered)
 * and once they are behind
 * (filled with large updates first until the server sees every one of them as behind: bytes
 * waiting, or its recent transitions unread).
 */
export async function latencyUnderStalledReaders(options: BenchOptions): Promise<BenchResult[]> {
  const readersCount = options.quick ? 100 : 1000;
  const warmup = options.quick ? 10 : 30;
  const samples = options.quick ? 100 : 400;
  const server = await MeasuredServer.start();
  try {
    await server.mutation("load:fill", { slot: 0, round: 0, bytes: 2000 });
    // Server CPU per mutation (warm-ups included: the first commits after the readers stop are the costly ones).
    const cpuPerMutation = async (latencies: () => Promise<number[]>): Promise<[number[], number]> => {
      const before = await server.cpuMs();
      const measured = await latencies();
      return [measured, ((await server.cpuMs()) - before) / (warmup + samples)];
    };
    const [alone, aloneCpu] = await cpuPerMutation(() => goodClientLatencies(server.url, warmup, samples));
    const before = await server.settled(0);
    // Every reader subscribes to what the good client writes: each commit concerns all of them.
    const readers = await stalledReaders(server.url, readersCount, [{ udfPath: "load:slot", args: { slot: 0 } }]);
    const [fresh, freshCpu] = await cpuPerMutation(() => goodClientLatencies(server.url, warmup, samples));
    let behind = await server.memory();
    for (let round = 1; behind.socketsBehind < readersCount && round <= 40; round++) {
      await server.mutation("load:fill", { slot: 0, round, bytes: 256 * 1024 });
      behind = await server.memory();
    }
    const [stalled, stalledCpu] = await cpuPerMutation(() => goodClientLatencies(server.url, warmup, samples));
    const during = await server.memory();
    closeAll(readers);
    const count = readersCount.toLocaleString("en-US");
    const cpuRow = (label: string, ms: number): BenchResult => ({ label, unit: "ms", syncline: { median: ms }, peer: { name: "no other socket", median: aloneCpu }, ratio: ms / aloneCpu, samples: warmup + samples });
    const row = (label: string, latencies: number[], p: number): BenchResult => {
      const value = percentile(latencies, p);
      const base = percentile(alone, p);
      return { label, unit: "ms", syncline: { median: value }, peer: { name: "no other socket", median: base }, ratio: value / base, samples };
    };
    return [
      row(`good-client mutation latency p50, ${count} readers of what it writes, just stopped reading`, fresh, 50),
      row(`good-client mutation latency p99, same`, fresh, 99),
      row(`good-client mutation latency p50, ${count} stalled readers (${behind.socketsBehind.toLocaleString("en-US")} seen as behind)`, stalled, 50),
      row(`good-client mutation latency p99, same`, stalled, 99),
      cpuRow(`server CPU per good-client mutation, ${count} readers just stopped reading (${warmup + samples} mutations)`, freshCpu),
      cpuRow(`server CPU per good-client mutation, ${count} stalled readers`, stalledCpu),
      {
        label: `server heap per stalled reader (${count} readers of one query, bytes waiting: ${(during.queuedBytes / MiB).toFixed(0)} MB in all)`,
        unit: "kB",
        syncline: { median: (during.heap - before.heap) / readersCount / 1024 },
        samples: readersCount,
      },
    ];
  } finally {
    await server.stop();
  }
}

const suite: Suite = {
  name: "reliability",
  description: "memory held for stalled sockets and after a hostile storm; a good client's latency among 1,000 stalled readers",
  async run(options) {
    return [...(await heapPerStalledSocket(options)), ...(await hostileStorm(options)), ...(await latencyUnderStalledReaders(options))];
  },
};

export default suite;
