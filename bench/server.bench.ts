// The server over HTTP (issue 3): the real server (`startServer`, in a worker thread, file-backed
// database in a temp dir so every commit pays a real fsync), driven from the main thread.
//
// - durable single-document insert mutations (POST /api/mutation, `notes:insertOne`) per second
//   from 1 sequential client and from 50 concurrent clients (node:http keep-alive agent: Node's
//   fetch costs ~1 ms of client CPU per request here, enough to make the load generator the
//   bottleneck), from 50 raw keep-alive sockets (a wrk-style generator: on this 2-core machine
//   the load generator shares the CPU with the server, and node:http's client costs about as much
//   per request as the server's whole HTTP stack), and once more with 50 official ConvexHttpClient
//   instances (which use fetch) as the load generator, so its client overhead shows; the 50-client
//   rows print their rate as a share of the limit: a trivial node:http server answering
//   /api/mutation (limit-worker.ts) under the same generators, in the same rounds;
// - `withIndex("by_x", eq).take(50)` on a 100,000-document table: inside the runtime
//   (`runtime.query` in the server thread, run every time, then answered from the query cache) and
//   as an HTTP query round trip (node:http, with the official ConvexHttpClient as the peer on the
//   same server; 4,096 calls cycle through 1,000 keys, so after the warm-up most are cache hits).
//
// There is no peer server: rows are Syncline's absolute numbers unless a peer is named (then it
// is the official client against the same Syncline server). Throughput rows show time per
// operation (1e6 / rate) with the rate in the label.
//
// Standalone: `npx tsx bench/server.bench.ts [--quick]`. Also the `server` suite of bench/run.ts.
// BENCH_CPU_PROFILE=<dir> writes a server-thread .cpuprofile per phase.

import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { formatResults } from "./lib/table.js";
import { BenchServer, profiled, type LoadResult } from "./lib/bench-server.js";
import { HttpApiClient } from "./lib/http-client.js";
import { RawHttpConnection } from "./lib/raw-http-connection.js";
import { latencyRow, sampleAlternating, throughputRow, throughputVersusLimit } from "./lib/latency.js";
import { LimitServer } from "./lib/limit-server.js";
import { benchCluster, PG, pgbenchRow } from "./lib/postgres.js";
import type { BenchOptions, BenchResult, Suite } from "./lib/types.js";
import { prng } from "./lib/prng.js";

interface Sizes {
  docs: number;
  runtimeSamples: number;
  httpSamples: number;
  sequentialInserts: number;
  concurrentClients: number;
  insertsPerClient: number;
  /** Rounds of each insert load (alternating); rows report the median round. */
  rounds: number;
}

const FULL: Sizes = { docs: 100_000, runtimeSamples: 5_000, httpSamples: 2_000, sequentialInserts: 1_000, concurrentClients: 50, insertsPerClient: 200, rounds: 3 };
const QUICK: Sizes = { docs: 20_000, runtimeSamples: 500, httpSamples: 200, sequentialInserts: 300, concurrentClients: 50, insertsPerClient: 30, rounds: 1 };


// Untyped references by path: the official client's own escape hatch.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const api = anyApi as any;

function convexHttpClient(url: string): ConvexHttpClient {
  return new ConvexHttpClient(url, { logger: false, skipConvexDeploymentUrlCheck: true });
}

async function seedItems(server: BenchServer, docs: number, distinct: number): Promise<void> {
  const perMutation = 10_000; // under the 16,384 documents a transaction may write
  for (let start = 0; start < docs; start += perMutation) {
    await server.mutation("items:seed", { start, count: Math.min(perMutation, docs - start), distinct });
  }
}

/** take(50) by index: in the runtime, and over HTTP (node:http vs ConvexHttpClient). */
async function benchTake50(server: BenchServer, sizes: Sizes): Promise<BenchResult[]> {
  const distinct = Math.max(1, Math.floor(sizes.docs / 100)); // 100 documents per key
  await seedItems(server, sizes.docs, distinct);
  const random = prng(42);
  const keys = Array.from({ length: 4096 }, () => Math.floor(random() * distinct));
  const label = `withIndex(by_x, eq).take(50), ${sizes.docs.toLocaleString("en-US")} docs`;

  const timeInRuntime = (cache: boolean) =>
    profiled(server, cache ? "take50-cached" : "take50-runtime", () =>
      server.timeQuery(
        "items:take50",
        keys.map((x) => ({ x })),
        { warmup: Math.min(500, sizes.runtimeSamples), samples: sizes.runtimeSamples, expectLength: 50, cache },
      ),
    );
  const inRuntime = await timeInRuntime(false);
  const fromCache = await timeInRuntime(true);

  const http = new HttpApiClient(server.url);
  const client = convexHttpClient(server.url);
  let i = 0;
  let j = 0;
  const check = (rows: unknown) => {
    if (!Array.isArray(rows) || rows.length !== 50) throw new Error(`take50: expected 50 rows, got ${JSON.stringify(rows).slice(0, 200)}`);
  };
  const [raw, official] = await profiled(server, "take50-http", () =>
    sampleAlternating(
      [
        { name: "node:http", once: async () => check(await http.call("query", "items:take50", { x: keys[i++ % keys.length]! })) },
        { name: "ConvexHttpClient", once: async () => check(await client.query(api.items.take50, { x: keys[j++ % keys.length]! })) },
      ],
      { warmup: Math.min(200, sizes.httpSamples), samples: sizes.httpSamples },
    ),
  );
  http.close();
  return [
    latencyRow(`${label}: runtime.query in the server, run`, inRuntime),
    latencyRow(`${label}: runtime.query in the server, answered from the query cache`, fromCache),
    latencyRow(`${label}: HTTP /api/query round trip (repeated arguments: cached)`, raw!, { name: "ConvexHttpClient", samples: official! }),
  ];
}

/** `clients` concurrent loops of `perClient` sequential inserts each; one client object per loop. */
async function insertLoad(server: BenchServer, clients: number, perClient: number, send: (client: number, seq: number) => Promise<unknown>): Promise<LoadResult> {
  const before = await server.dbStats();
  const latencies: number[] = [];
  const loop = async (client: number) => {
    for (let seq = 0; seq < perClient; seq++) {
      const started = performance.now();
      await send(client, seq);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  const elapsedMs = performance.now() - started;
  const after = await server.dbStats();
  return {
    operations: clients * perClient,
    elapsedMs,
    latencies,
    batches: (after?.batches ?? 0) - (before?.batches ?? 0),
    flushes: (after?.flushes ?? 0) - (before?.flushes ?? 0),
  };
}

/** A load measured in several rounds: the round with the median rate, and every latency. */
interface Measured extends LoadResult {
  serverBusy: number;
  clientBusy: number;
  /** Share of the wall time the server thread spent in COMMIT. */
  commitShare: number | undefined;
}

/** The round with the median rate. */
function medianRate<T extends LoadResult>(rounds: readonly T[]): T {
  return [...rounds].sort((a, b) => a.operations / a.elapsedMs - b.operations / b.elapsedMs)[Math.floor(rounds.length / 2)]!;
}

function medianRound(rounds: readonly Measured[]): Measured {
  return { ...medianRate(rounds), latencies: rounds.flatMap((r) => r.latencies) };
}

async function measured(server: BenchServer, load: () => Promise<LoadResult>): Promise<Measured> {
  const { result, server: serverBusy, main: clientBusy, commitShare } = await server.busy(load);
  return { ...result, serverBusy, clientBusy, commitShare };
}

/** Durable single-document inserts over HTTP (and in-process, for the transport's share). */
async function benchInserts(server: BenchServer, limit: LimitServer, sizes: Sizes): Promise<BenchResult[]> {
  const body = (client: number, seq: number) => ({ client, seq, body: `note ${seq} from client ${client}` });
  const http = new HttpApiClient(server.url);
  const viaHttp = (client: number, seq: number) => http.call("mutation", "notes:insertOne", body(client, seq));
  const rawVia = (url: string) => {
    const connections = Array.from({ length: sizes.concurrentClients }, () => new RawHttpConnection(url));
    const send = (client: number, seq: number) =>
      connections[client]!.post("/api/mutation", JSON.stringify({ path: "notes:insertOne", format: "convex_encoded_json", args: [body(client, seq)] })).then((text) => {
        if ((JSON.parse(text) as { status?: string }).status !== "success") throw new Error(`notes:insertOne failed: ${text}`);
      });
    return { send, close: () => connections.forEach((connection) => connection.close()) };
  };
  const raw = rawVia(server.url);
  const viaRaw = raw.send;
  // The limit: a trivial node:http server answering /api/mutation, driven by the same generators.
  const limitHttp = new HttpApiClient(limit.url);
  const viaLimitHttp = (client: number, seq: number) => limitHttp.call("mutation", "notes:insertOne", body(client, seq));
  const limitRaw = rawVia(limit.url);
  const officialClients = Array.from({ length: sizes.concurrentClients }, () => convexHttpClient(server.url));
  const viaOfficial = (client: number, seq: number) => officialClients[client]!.mutation(api.notes.insertOne, body(client, seq));
  const n = sizes.concurrentClients;

  // Warm up every path (JIT, connections, SQLite pages).
  await insertLoad(server, n, 10, viaHttp);
  await insertLoad(server, n, 10, viaRaw);
  await insertLoad(server, n, 10, viaOfficial);
  await insertLoad(server, n, 10, viaLimitHttp);
  await insertLoad(server, n, 10, limitRaw.send);
  await server.mutationLoad("notes:insertOne", { body: "warm-up" }, n, 10);

  // fsync latency on a VM disk drifts: rounds alternate between the loads, each row reports its median round.
  const sequential: Measured[] = [];
  const concurrent: Measured[] = [];
  const rawRounds: Measured[] = [];
  const official: Measured[] = [];
  const direct: Measured[] = [];
  const limitConcurrent: LoadResult[] = [];
  const limitRawRounds: LoadResult[] = [];
  await profiled(server, "inserts", async () => {
    for (let round = 0; round < sizes.rounds; round++) {
      sequential.push(await measured(server, () => insertLoad(server, 1, sizes.sequentialInserts, viaHttp)));
      concurrent.push(await measured(server, () => insertLoad(server, n, sizes.insertsPerClient, viaHttp)));
      rawRounds.push(await measured(server, () => insertLoad(server, n, sizes.insertsPerClient, viaRaw)));
      official.push(await measured(server, () => insertLoad(server, n, sizes.insertsPerClient, viaOfficial)));
      // The same inserts without any transport: runtime.mutation called inside the server thread.
      direct.push(await measured(server, () => server.mutationLoad("notes:insertOne", { body: "note from an in-process caller" }, n, sizes.insertsPerClient)));
      limitConcurrent.push(await insertLoad(server, n, sizes.insertsPerClient, viaLimitHttp));
      limitRawRounds.push(await insertLoad(server, n, sizes.insertsPerClient, limitRaw.send));
    }
  });
  http.close();
  raw.close();
  limitHttp.close();
  limitRaw.close();

  const notes = (load: Measured, client = true) =>
    `: ${(load.operations / Math.max(1, load.batches)).toFixed(1)} commits/batch, ${(load.operations / Math.max(1, load.flushes)).toFixed(1)} commits/fsync, server thread ${Math.round(load.serverBusy * 100)}% busy` +
    (load.commitShare !== undefined ? ` (${Math.round(load.commitShare * 100)}% in COMMIT)` : "") +
    (client ? `, client thread ${Math.round(load.clientBusy * 100)}%` : "");
  const row = (label: string, rounds: Measured[], client = true) => {
    const load = medianRound(rounds);
    return throughputRow(`${label}${notes(load, client)}`, load.operations, load.elapsedMs);
  };
  const limitRow = (label: string, rounds: Measured[], limitRounds: LoadResult[]) => {
    const load = medianRound(rounds);
    return throughputVersusLimit(`${label}${notes(load)}`, load, { name: "trivial node:http", ...medianRate(limitRounds) });
  };
  return [
    row("HTTP insert mutation (durable), 1 client sequential (node:http keep-alive)", sequential),
    limitRow(`HTTP insert mutation (durable), ${n} concurrent clients (node:http keep-alive)`, concurrent, limitConcurrent),
    limitRow(`HTTP insert mutation (durable), ${n} raw keep-alive sockets (wrk-style load generator)`, rawRounds, limitRawRounds),
    row(`HTTP insert mutation (durable), ${n} ConvexHttpClient instances`, official),
    row(`runtime.mutation insert inside the server (no HTTP), ${n} concurrent callers`, direct, false),
    latencyRow("HTTP insert mutation latency, 1 client (node:http keep-alive)", sequential.flatMap((r) => r.latencies)),
    latencyRow(`HTTP insert mutation latency, ${n} concurrent clients (node:http keep-alive)`, concurrent.flatMap((r) => r.latencies)),
    latencyRow(`HTTP insert mutation latency, ${n} raw keep-alive sockets`, rawRounds.flatMap((r) => r.latencies)),
  ];
}

export async function runServerBench(options: BenchOptions): Promise<BenchResult[]> {
  const sizes = options.quick ? QUICK : FULL;
  const results: BenchResult[] = [];
  const limit = await LimitServer.start();
  try {
    const server = await BenchServer.start({ db: "file" });
    try {
      const reads = await benchTake50(server, sizes);
      const writes = await benchInserts(server, limit, sizes);
      results.push(...writes, ...reads);
    } finally {
      await server.close();
    }
    results.push(...(await runOnPostgres(sizes, limit, options.quick)));
  } finally {
    await limit.close();
  }
  return results;
}

/** The same rows on PostgreSQL (a durable temp cluster), next to pgbench's ceiling on it; none without PostgreSQL. */
async function runOnPostgres(sizes: Sizes, limit: LimitServer, quick: boolean): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const cluster = await benchCluster();
  if (cluster === undefined) return results;
  const pg = await BenchServer.start({ db: { url: cluster.createDatabase() } });
  try {
    const reads = await benchTake50(pg, sizes);
    const writes = await benchInserts(pg, limit, sizes);
    results.push(...[...writes, ...reads].map((row) => ({ ...row, label: `${PG}${row.label}` })));
  } finally {
    await pg.close();
  }
  results.push(pgbenchRow(cluster, 1, quick ? 3 : 10), pgbenchRow(cluster, sizes.concurrentClients, quick ? 3 : 10));
  return results;
}

const suite: Suite = {
  name: "server",
  description: "the real server over HTTP: durable insert mutations per second, indexed take(50) on 100,000 docs",
  run: runServerBench,
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(formatResults(await runServerBench({ quick: process.argv.includes("--quick") })));
}
