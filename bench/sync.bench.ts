// Live queries over the sync protocol (issue 4), against the real server (`startServer` in a worker
// thread, file-backed database in a temp dir: every commit pays a real fsync). Clients run on the
// main thread: lean raw-protocol sockets (bench/lib/sync-socket.ts), and the official ConvexClient
// (convex/browser) as the peer where one makes sense (same server, same mutation trigger).
//
// - mutation round trip from one client: Mutation -> MutationResponse + the transition reaching its
//   ts (protocol §7), durable commits; peer: `await convexClient.mutation(...)`;
// - durable insert mutations per second over WebSocket: 1 and 50 raw sockets with 1 and 20
//   mutations in flight each, each done at its MutationResponse plus the Transition reaching its
//   ts; the limit row's peer is a trivial `ws` server answering the same frames (limit-worker.ts),
//   same generator, same thread layout, alternating rounds;
// - with PostgreSQL installed, every row again on a Postgres database (a durable temp cluster);
// - fan-out: N sockets subscribed to one query (`counters:get`), one mutation from another socket;
//   time from sending it until every socket has the transition with the new value, and how many
//   times the query executed for that commit (must be 1); peer: N official ConvexClients;
// - 10,000 sockets on one server, each watching one query (the sockets in child processes):
//   time until all have their first result, server process RSS per socket, one commit -> all,
//   and the server process's CPU per such commit;
// - 10,000 distinct subscriptions on one socket: time to the first complete transition (one
//   ModifyQuerySet with 10,000 Adds), the server thread's CPU time until then, and its heap per
//   subscription after GC.
//
// Standalone: `npx tsx bench/sync.bench.ts [--quick]`. Also the `sync` suite of bench/run.ts.
// BENCH_CPU_PROFILE=<dir> writes a server-thread .cpuprofile per phase (with BENCH_ALLOC_PROFILE=1
// also a .heapprofile of what the phase allocated, collected objects included); BENCH_HEAP_SNAPSHOT=<dir>
// writes the server thread's heap snapshots around the last round of many subscriptions.

import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import WebSocket from "ws";
import type { ServerMessage } from "../src/protocol/messages.js";
import { decodeTimestamp } from "../src/protocol/timestamp.js";
import { BenchServer, profiled } from "./lib/bench-server.js";
import { describeMs, latencyRow, quantityRow, sampleAlternating, throughputVersusLimit } from "./lib/latency.js";
import { LimitServer } from "./lib/limit-server.js";
import { epochNow, SocketSwarm } from "./lib/socket-swarm.js";
import { wsMutationLoad, type WsLoadResult } from "./lib/ws-mutation-load.js";
import { median } from "./lib/stats.js";
import { openSockets, SyncSocket, updatedValue } from "./lib/sync-socket.js";
import { formatResults } from "./lib/table.js";
import { benchCluster, PG } from "./lib/postgres.js";
import type { BenchOptions, BenchResult, Suite } from "./lib/types.js";

interface Sizes {
  /** Mutation round trips per contender (after warm-up). */
  roundTrips: number;
  roundTripWarmup: number;
  /** Raw sockets watching one query. */
  fanOutSockets: number;
  /** Official ConvexClients watching one query (the peer). */
  fanOutClients: number;
  fanOutRounds: number;
  /** Distinct subscriptions on one socket. */
  subscriptions: number;
  subscriptionRounds: number;
  /** Sockets, each watching one query, held at once (spread over child processes). */
  swarmSockets: number;
  swarmRounds: number;
  /** Durable WebSocket inserts per round of each WS_SHAPES row. */
  wsInserts: number;
  wsRounds: number;
}

const FULL: Sizes = {
  roundTrips: 1_000,
  roundTripWarmup: 100,
  fanOutSockets: 1_000,
  fanOutClients: 1_000,
  fanOutRounds: 30,
  subscriptions: 10_000,
  subscriptionRounds: 5,
  swarmSockets: 10_000,
  swarmRounds: 5,
  wsInserts: 3_000,
  wsRounds: 3,
};
const QUICK: Sizes = {
  roundTrips: 100,
  roundTripWarmup: 20,
  fanOutSockets: 200,
  fanOutClients: 100,
  fanOutRounds: 5,
  subscriptions: 2_000,
  subscriptionRounds: 2,
  swarmSockets: 1_000,
  swarmRounds: 2,
  wsInserts: 400,
  wsRounds: 1,
};

// Untyped references by path: the official client's own escape hatch.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const api = anyApi as any;

function convexClient(url: string): ConvexClient {
  return new ConvexClient(url, {
    webSocketConstructor: WebSocket as never,
    skipConvexDeploymentUrlCheck: true,
    unsavedChangesWarning: false,
    logger: false,
  });
}

/** Resolves with the first value `onUpdate` delivers that passes `accept`. */
function nextValue<T>(client: ConvexClient, query: unknown, args: object, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for a ConvexClient update")), timeoutMs);
    const stop = client.onUpdate(query as never, args as never, (value: unknown) => {
      if (accept(value as T)) {
        clearTimeout(timer);
        queueMicrotask(() => stop());
        resolve(value as T);
      }
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

// ---- 5: mutation round trip ----------------------------------------------------------------------

/** Mutation -> MutationResponse -> the first transition whose endVersion.ts reaches the commit ts. */
async function rawRoundTrip(socket: SyncSocket, name: string): Promise<void> {
  let requestId = -1;
  let committedAt: bigint | undefined;
  let failure: string | undefined;
  // One waiter for both frames: they may arrive in one read, before a second waiter could register.
  const done = socket.waitFor((message: ServerMessage) => {
    if (message.type === "MutationResponse" && message.requestId === requestId) {
      if (!message.success) {
        failure = message.result;
        return true;
      }
      committedAt = decodeTimestamp(message.ts);
      return false;
    }
    return message.type === "Transition" && committedAt !== undefined && decodeTimestamp(message.endVersion.ts) >= committedAt;
  });
  requestId = socket.mutation("counters:increment", { name });
  await done;
  if (failure !== undefined) throw new Error(`counters:increment failed: ${failure}`);
}

async function benchRoundTrip(server: BenchServer, sizes: Sizes): Promise<BenchResult[]> {
  const socket = await SyncSocket.open(server.url);
  const client = convexClient(server.url);
  try {
    // Both watch the counter their mutations change, so each round trip carries a real update.
    const [queryId] = socket.addQueries([{ udfPath: "counters:get", args: { name: "rtt-raw" } }]);
    await socket.waitFor((m) => updatedValue(m, queryId!) !== undefined);
    const watching = client.onUpdate(api.counters.get, { name: "rtt-convex" }, () => {});
    await nextValue(client, api.counters.get, { name: "rtt-convex" }, () => true);

    const commitsBefore = await server.commits();
    const statsBefore = await server.dbStats();
    const [raw, official] = await profiled(server, "mutation-round-trip", () =>
      sampleAlternating(
        [
          { name: "raw socket", once: () => rawRoundTrip(socket, "rtt-raw") },
          { name: "ConvexClient", once: () => client.mutation(api.counters.increment, { name: "rtt-convex" }) },
        ],
        { warmup: sizes.roundTripWarmup, samples: sizes.roundTrips },
      ),
    );
    const commitsAfter = await server.commits();
    const statsAfter = await server.dbStats();
    watching();
    const commit =
      commitsBefore && commitsAfter && commitsAfter.count > commitsBefore.count
        ? `, mean COMMIT ${describeMs((commitsAfter.ms - commitsBefore.ms) / (commitsAfter.count - commitsBefore.count))}`
        : "";
    const fsync =
      statsBefore && statsAfter && statsAfter.flushes > statsBefore.flushes
        ? `, mean fsync of the log ${describeMs((statsAfter.flushMs - statsBefore.flushMs) / (statsAfter.flushes - statsBefore.flushes))}`
        : "";
    return [latencyRow(`mutation round trip, 1 client: Mutation -> MutationResponse + Transition (durable)${commit}${fsync}`, raw!, { name: "ConvexClient", samples: official! })];
  } finally {
    await socket.close();
    await client.close();
  }
}

// ---- 6: durable mutations per second over WebSocket, against the limit ---------------------------

/** Socket counts and mutations in flight per socket of the WebSocket insert rows. */
const WS_SHAPES = [
  { sockets: 1, inFlight: 1 },
  { sockets: 1, inFlight: 20 },
  { sockets: 50, inFlight: 1 },
  { sockets: 50, inFlight: 20 },
] as const;

/**
 * Durable inserts over raw sync sockets (each done at its MutationResponse plus the Transition
 * reaching its ts), and the same load against the trivial `ws` server (limit-worker.ts) in
 * alternating rounds; each row is the median round of each.
 */
async function benchWsInsertRows(server: BenchServer, limit: LimitServer, sizes: Sizes): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  for (const { sockets, inFlight } of WS_SHAPES) {
    const perSocket = Math.max(inFlight, Math.round(sizes.wsInserts / sockets));
    const load = (url: string, transitions: boolean, count = perSocket) =>
      wsMutationLoad(url, {
        sockets,
        inFlight,
        perSocket: count,
        udfPath: "notes:insertOne",
        args: (c, seq) => ({ client: c, seq, body: `note ${seq} over a socket from client ${c}` }),
        transitions,
      });
    await load(server.url, true, inFlight * 2); // warm-up
    await load(limit.url, false, inFlight * 2);
    const ours: WsLoadResult[] = [];
    const theirs: WsLoadResult[] = [];
    await profiled(server, `ws-inserts-${sockets}x${inFlight}`, async () => {
      for (let round = 0; round < sizes.wsRounds; round++) {
        ours.push(await load(server.url, true));
        theirs.push(await load(limit.url, false));
      }
    });
    const label = `WebSocket insert mutation (durable), ${sockets} socket${sockets > 1 ? "s" : ""} x ${inFlight} in flight (MutationResponse + Transition)`;
    rows.push(throughputVersusLimit(label, medianRate(ours), { name: "trivial ws", ...medianRate(theirs) }));
  }
  return rows;
}

/** The round with the median rate. */
function medianRate(rounds: readonly WsLoadResult[]): WsLoadResult {
  return [...rounds].sort((a, b) => a.operations / a.elapsedMs - b.operations / b.elapsedMs)[Math.floor(rounds.length / 2)]!;
}

// ---- 3: fan-out ------------------------------------------------------------------------------

interface FanOut {
  times: number[];
  executions: number[];
  /** From sending the mutation until the server stamped the last transition (serverTs, ms resolution); raw sockets only. */
  serverTimes: number[];
}

/** When the watchers all have the new value: the last arrival (performance.now()) and, if known, the last serverTs (epoch ms). */
interface Arrived {
  last: number;
  lastServerMs?: number;
}

/**
 * Rounds of: send counters:increment from `mutator`; wait until `arrived` reports every watcher
 * saw the new value. `expect(target)` arms the watchers and resolves with the last arrival time.
 */
async function fanOutRounds(
  server: BenchServer,
  mutator: SyncSocket,
  name: string,
  start: number,
  rounds: number,
  expect: (target: number) => Promise<Arrived>,
): Promise<FanOut> {
  const times: number[] = [];
  const executions: number[] = [];
  const serverTimes: number[] = [];
  let value = start;
  for (let round = 0; round < rounds; round++) {
    const target = ++value;
    const arrived = expect(target);
    const before = await server.executionCount("counters:get");
    const sentWall = Date.now();
    const sent = performance.now();
    mutator.mutation("counters:increment", { name });
    const { last, lastServerMs } = await arrived;
    times.push(last - sent);
    if (lastServerMs !== undefined) serverTimes.push(lastServerMs - sentWall);
    await sleep(10); // a second execution for the same commit would show up here
    executions.push((await server.executionCount("counters:get")) - before);
  }
  return { times, executions, serverTimes };
}

async function fanOutRaw(server: BenchServer, mutator: SyncSocket, sizes: Sizes): Promise<FanOut> {
  const name = "fan-raw";
  const sockets = await openSockets(server.url, sizes.fanOutSockets);
  try {
    const firsts = sockets.map((socket) => {
      const first = socket.waitFor((m) => updatedValue(m, 0) !== undefined);
      socket.addQueries([{ udfPath: "counters:get", args: { name } }]);
      return first;
    });
    const start = (await Promise.all(firsts)).map(({ message }) => updatedValue(message, 0) as number);
    if (new Set(start).size !== 1) throw new Error(`fan-out: sockets disagree on the start value: ${[...new Set(start)].join(", ")}`);
    const subscriptions = await server.subscriptions();
    if (subscriptions !== 1) throw new Error(`fan-out: expected 1 shared subscription, the server has ${subscriptions}`);
    const expect = async (target: number) => {
      const arrivals = await Promise.all(sockets.map((socket) => socket.waitFor((m) => updatedValue(m, 0) === target)));
      const serverTs = arrivals.map(({ message }) => (message.type === "Transition" ? (message.serverTs ?? 0) : 0));
      return { last: Math.max(...arrivals.map((a) => a.at)), lastServerMs: Math.max(...serverTs) / 1e6 };
    };
    await fanOutRounds(server, mutator, name, start[0]!, 3, expect); // warm-up
    return await profiled(server, "fan-out-raw", () => fanOutRounds(server, mutator, name, start[0]! + 3, sizes.fanOutRounds, expect));
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}

async function fanOutOfficial(server: BenchServer, mutator: SyncSocket, sizes: Sizes): Promise<FanOut> {
  const name = "fan-convex";
  const clients: ConvexClient[] = [];
  try {
    for (let i = 0; i < sizes.fanOutClients; i++) clients.push(convexClient(server.url));
    // Every client keeps one live subscription; `latest` holds what each one shows.
    const latest = new Array<number>(clients.length).fill(-1);
    let waiting: { target: number; remaining: number; last: number; resolve: (at: number) => void } | undefined;
    const stops = clients.map((client, i) =>
      client.onUpdate(api.counters.get, { name }, (value: unknown) => {
        latest[i] = value as number;
        if (waiting !== undefined && value === waiting.target) {
          waiting.last = performance.now();
          if (--waiting.remaining === 0) waiting.resolve(waiting.last);
        }
      }),
    );
    await until("every ConvexClient has its first result", async () => latest.every((v) => v >= 0), 120_000);
    const start = latest[0]!;
    if (!latest.every((v) => v === start)) throw new Error("fan-out: ConvexClients disagree on the start value");
    const expect = (target: number) =>
      new Promise<Arrived>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fan-out: ${waiting?.remaining} ConvexClients never saw ${target}`)), 60_000);
        waiting = {
          target,
          remaining: clients.length,
          last: 0,
          resolve: (at) => {
            clearTimeout(timer);
            waiting = undefined;
            resolve({ last: at });
          },
        };
      });
    await fanOutRounds(server, mutator, name, start, 3, expect); // warm-up
    const result = await profiled(server, "fan-out-convexclient", () => fanOutRounds(server, mutator, name, start + 3, sizes.fanOutRounds, expect));
    for (const stop of stops) stop();
    return result;
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

export async function benchFanOut(server: BenchServer, sizes: Sizes): Promise<BenchResult[]> {
  const mutator = await SyncSocket.open(server.url);
  try {
    const raw = await fanOutRaw(server, mutator, sizes);
    await until("the raw sockets are gone", async () => (await server.connections()) <= 1);
    const official = await fanOutOfficial(server, mutator, sizes);
    await until("the ConvexClients are gone", async () => (await server.connections()) <= 1);
    const n = sizes.fanOutSockets.toLocaleString("en-US");
    const m = sizes.fanOutClients.toLocaleString("en-US");
    const executions = (f: FanOut) => `median ${median(f.executions)}, max ${Math.max(...f.executions)}`;
    return [
      latencyRow(`fan-out: 1 mutation -> ${n} raw sockets watching one query, until the last has the new value (peer: ${m} ConvexClients)`, raw.times, {
        name: "ConvexClient",
        samples: official.times,
      }),
      latencyRow(`fan-out: 1 mutation -> ${n} raw sockets: until the server stamped the last transition (serverTs, 1 ms resolution)`, raw.serverTimes),
      quantityRow(`fan-out: query executions per commit, ${n} raw sockets (${executions(raw)}); ${m} ConvexClients: ${executions(official)}`, "exec", raw.executions),
    ];
  } finally {
    await mutator.close();
  }
}

// ---- many sockets: one query each, one server ------------------------------------------------

/**
 * `swarmSockets` sockets (in child processes, see socket-swarm.ts) each watching `counters:get`:
 * time until every one has its first result, the server process's RSS per socket, and rounds of
 * one commit until every socket shows it.
 */
export async function benchManySockets(server: BenchServer, sizes: Sizes): Promise<BenchResult[]> {
  const name = "swarm";
  const count = sizes.swarmSockets;
  const mutator = await SyncSocket.open(server.url);
  try {
    await server.heap();
    const rssBefore = process.memoryUsage().rss;
    const started = epochNow();
    const swarm = await profiled(server, "many-sockets-open", () => SocketSwarm.open(server.url, count, "counters:get", { name }));
    try {
      const firstMs = swarm.firstsAt - started;
      await server.heap(); // collected, so RSS holds what the sockets keep rather than garbage
      const rssPerSocket = (process.memoryUsage().rss - rssBefore) / count;
      const times: number[] = [];
      const cpu: number[] = [];
      await profiled(server, "many-sockets-commit", async () => {
        for (let round = 1; round <= sizes.swarmRounds + 1; round++) {
          const arrived = swarm.arrived(round);
          const cpuBefore = process.cpuUsage();
          const sent = epochNow();
          mutator.mutation("counters:increment", { name });
          const elapsed = (await arrived) - sent;
          const used = process.cpuUsage(cpuBefore);
          if (round > 1) {
            times.push(elapsed); // the first round warms up
            cpu.push((used.user + used.system) / 1000);
          }
        }
      });
      const n = count.toLocaleString("en-US");
      return [
        latencyRow(`${n} sockets x 1 subscription: Connect + ModifyQuerySet -> every socket has its first result`, [firstMs]),
        quantityRow(`${n} sockets x 1 subscription: server process RSS per socket (sockets in child processes)`, "B", [rssPerSocket]),
        latencyRow(`${n} sockets watching one query: 1 commit -> every socket has the new value`, times),
        // Steadier than the time on a shared machine: what one commit's fan-out costs the server.
        quantityRow(`${n} sockets watching one query: CPU of the server's process per commit (server thread; the driver there only waits)`, "ms", cpu),
      ];
    } finally {
      await swarm.close();
    }
  } finally {
    await mutator.close();
  }
}

// ---- 4: many distinct subscriptions on one socket -----------------------------------------------

export async function benchManySubscriptions(server: BenchServer, sizes: Pick<Sizes, "subscriptions" | "subscriptionRounds">): Promise<BenchResult[]> {
  const count = sizes.subscriptions;
  // Two documents per key, so every subscription reads a real index range and returns a document.
  const docs = count * 2;
  for (let start = 0; start < docs; start += 10_000) {
    await server.mutation("items:seed", { start, count: Math.min(10_000, docs - start), distinct: count });
  }
  const queries = Array.from({ length: count }, (_, x) => ({ udfPath: "items:first", args: { x } }));
  const times: number[] = [];
  const bytes: number[] = [];
  /** The server thread's CPU time until the first transition (where it can be read). */
  const cpuMs: number[] = [];
  let collected = true;
  const rounds = sizes.subscriptionRounds + 1; // the first round warms up
  for (let round = 0; round < rounds; round++) {
    const socket = await SyncSocket.open(server.url);
    try {
      await sleep(50);
      // BENCH_HEAP_SNAPSHOT=<dir>: the server thread's heap before and after the last round's subscriptions.
      const snapshotDir = round === rounds - 1 ? process.env.BENCH_HEAP_SNAPSHOT : undefined;
      const snapshot = (name: string) => (snapshotDir ? join(snapshotDir, `subscriptions-${name}.heapsnapshot`) : undefined);
      const before = await server.heap(snapshot("before"));
      const first = socket.waitFor((m) => m.type === "Transition", 120_000);
      const sent = performance.now();
      const cpuBefore = await server.threadCpuMs();
      await profiled(server, `subscriptions-${round}`, async () => {
        socket.addQueries(queries);
        await first;
      });
      const cpuAfter = await server.threadCpuMs();
      const { message, at } = await first;
      if (message.type !== "Transition" || message.endVersion.querySet !== 1) throw new Error("the first transition does not confirm the query set");
      const updated = message.modifications.filter((m) => m.type === "QueryUpdated").length;
      if (updated !== count) throw new Error(`the first transition carries ${updated} results, expected ${count}`);
      const subscriptions = await server.subscriptions();
      if (subscriptions !== count) throw new Error(`expected ${count} subscriptions on the server, found ${subscriptions}`);
      const after = await server.heap(snapshot("after"));
      collected &&= before.collected && after.collected;
      if (round > 0) {
        times.push(at - sent);
        if (cpuBefore !== undefined && cpuAfter !== undefined) cpuMs.push(cpuAfter - cpuBefore);
        bytes.push((after.heapUsed - before.heapUsed) / count);
      }
    } finally {
      await socket.close();
    }
    await until("the subscriptions are released", async () => (await server.subscriptions()) === 0);
  }
  const n = count.toLocaleString("en-US");
  return [
    latencyRow(`${n} distinct subscriptions, one socket: ModifyQuerySet -> first complete transition`, times),
    ...(cpuMs.length > 0 ? [quantityRow(`${n} distinct subscriptions: server thread CPU until the first transition`, "ms", cpuMs)] : []),
    quantityRow(`${n} distinct subscriptions: server heap per subscription${collected ? " (after gc)" : " (gc unavailable: without collection)"}`, "B", bytes),
  ];
}

export async function runSyncBench(options: BenchOptions): Promise<BenchResult[]> {
  const sizes = options.quick ? QUICK : FULL;
  const results: BenchResult[] = [];
  const limit = await LimitServer.start();
  try {
    results.push(...(await runOnEngine(sizes, limit, "sqlite")));
    results.push(...(await runOnEngine(sizes, limit, "postgres")));
  } finally {
    await limit.close();
  }
  return results;
}

/** The suite's rows on one engine (none for Postgres when it is not installed). */
async function runOnEngine(sizes: Sizes, limit: LimitServer, engine: "sqlite" | "postgres"): Promise<BenchResult[]> {
  if (engine === "sqlite") {
    const server = await BenchServer.start({ db: "file" });
    try {
      const roundTrip = await benchRoundTrip(server, sizes);
      const fanOut = await benchFanOut(server, sizes);
      const many = await benchManySubscriptions(server, sizes);
      const sockets = await benchManySockets(server, sizes);
      const inserts = await benchWsInsertRows(server, limit, sizes);
      return [...fanOut, ...many, ...sockets, ...roundTrip, ...inserts];
    } finally {
      await server.close();
    }
  }
  // Fan-out and the mutation round trip on PostgreSQL (a durable temp cluster).
  const cluster = await benchCluster();
  if (cluster === undefined) return [];
  const pg = await BenchServer.start({ db: { url: cluster.createDatabase() } });
  try {
    const roundTrip = await benchRoundTrip(pg, sizes);
    const fanOut = await benchFanOut(pg, sizes);
    const many = await benchManySubscriptions(pg, sizes);
    const sockets = await benchManySockets(pg, sizes);
    const inserts = await benchWsInsertRows(pg, limit, sizes);
    return [...fanOut, ...many, ...sockets, ...roundTrip, ...inserts].map((row) => ({ ...row, label: `${PG}${row.label}` }));
  } finally {
    await pg.close();
  }
}

const suite: Suite = {
  name: "sync",
  description: "live queries over the sync protocol: fan-out, many subscriptions, mutation round trip (durable commits)",
  run: runSyncBench,
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(formatResults(await runSyncBench({ quick: process.argv.includes("--quick") })));
}
