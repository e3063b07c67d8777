// The client: SynclineClient against the official ConvexClient (convex/browser), both talking to
// the same scripted sync server, measured in the same run.
//
// - 10,000 distinct subscriptions on one client: time until every one has its result, and the JS
//   heap each subscription costs (after GC).
// - one transition updating all 10,000 queries: time from the frame leaving the server until every
//   listener was notified (parse, apply, notify: the client's work).
// - bundle size: the client entry point, esbuild --bundle --minify, gzip -9.
//
// The server runs in a worker thread so its CPU is not charged to the client. It answers each
// ModifyQuerySet with one transition carrying the results of the added queries; whether a client
// sends one ModifyQuerySet or ten thousand is part of what is measured.
//
// Standalone: `npx tsx bench/client.bench.ts [--quick]`. Also the `client` suite of bench/run.ts.

import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { ConvexClient } from "convex/browser";
import type { FunctionReference as ConvexFunctionReference } from "convex/server";
import { build } from "esbuild";
import WebSocket from "ws";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeFunctionReference } from "../src/functions/reference.js";
import { bundleSize, CLIENT_ONLY, CLIENT_WITH_HOOKS } from "./lib/bundle-size.js";
import { median, percentile } from "./lib/stats.js";
import type { BenchOptions, BenchResult, Suite } from "./lib/types.js";

type Item = { i: number; title: string; done: boolean; round?: number };
const itemQuery = makeFunctionReference<"query", { i: number }, Item>("query", "items:get");
const warmQuery = makeFunctionReference<"query", { i: number }, Item>("query", "items:warm");

// ---- the scripted server, in a worker ------------------------------------------------------------

const SERVER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { WebSocketServer } = require(workerData.wsPath);
const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
let ts = 1000n;
const encodeTs = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return b.toString("base64"); };
const item = (i, round) => (round === 0 ? { i, title: "item " + i, done: false } : { i, title: "item " + i, done: round % 2 === 1, round });
let current;
wss.on("connection", (socket) => {
  const state = { socket, querySet: 0, version: { querySet: 0, identity: 0, ts: encodeTs(0n) }, queries: new Map(), prepared: undefined };
  current = state;
  const transition = (modifications) => {
    const endVersion = { querySet: state.querySet, identity: 0, ts: encodeTs(++ts) };
    const text = JSON.stringify({ type: "Transition", startVersion: state.version, endVersion, modifications });
    state.version = endVersion;
    return text;
  };
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.type !== "ModifyQuerySet") return;
    state.querySet = message.newVersion;
    const modifications = [];
    for (const m of message.modifications) {
      if (m.type === "Add") {
        state.queries.set(m.queryId, m.args[0].i);
        modifications.push({ type: "QueryUpdated", queryId: m.queryId, value: item(m.args[0].i, 0), logLines: [], journal: null });
      } else {
        state.queries.delete(m.queryId);
        modifications.push({ type: "QueryRemoved", queryId: m.queryId });
      }
    }
    socket.send(transition(modifications));
  });
  state.prepare = (round) => {
    const modifications = [];
    for (const [queryId, i] of state.queries) modifications.push({ type: "QueryUpdated", queryId, value: item(i, round), logLines: [], journal: null });
    state.prepared = transition(modifications);
  };
});
parentPort.on("message", (command) => {
  if (command.type === "prepare") {
    current.prepare(command.round);
    parentPort.postMessage({ type: "prepared" });
  } else if (command.type === "send") {
    current.socket.send(current.prepared);
  } else if (command.type === "close") {
    for (const client of wss.clients) client.terminate();
    wss.close(() => parentPort.postMessage({ type: "closed" }));
  }
});
wss.on("listening", () => parentPort.postMessage({ type: "listening", port: wss.address().port }));
`;

class BenchServer {
  readonly #worker: Worker;
  readonly #waiting = new Map<string, () => void>();
  port = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: { type: string; port?: number }) => {
      if (message.port !== undefined) this.port = message.port;
      this.#waiting.get(message.type)?.();
    });
  }

  static async start(): Promise<BenchServer> {
    const wsPath = createRequire(import.meta.url).resolve("ws");
    const server = new BenchServer(new Worker(SERVER_SOURCE, { eval: true, workerData: { wsPath } }));
    await server.#next("listening");
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Builds the transition updating every query to `round`'s values (not sent yet). */
  prepare(round: number): Promise<void> {
    const done = this.#next("prepared");
    this.#worker.postMessage({ type: "prepare", round });
    return done;
  }

  send(): void {
    this.#worker.postMessage({ type: "send" });
  }

  async close(): Promise<void> {
    const done = this.#next("closed");
    this.#worker.postMessage({ type: "close" });
    await done;
    await this.#worker.terminate();
  }

  #next(type: string): Promise<void> {
    return new Promise((resolve) =>
      this.#waiting.set(type, () => {
        this.#waiting.delete(type);
        resolve();
      }),
    );
  }
}

// ---- the two clients behind one interface ---------------------------------------------------------

type ClientModule = typeof import("../src/client/index.js");

/**
 * SynclineClient as built (esbuild, like the published package), not from source: under tsx every
 * named function is wrapped by esbuild's keepNames helper, which redefines its `name` and turns it
 * into a ~250-byte dictionary-mode object - a cost the published package does not have. The peer
 * is measured from its published build too.
 */
async function builtClient(): Promise<ClientModule> {
  const outfile = join(tmpdir(), `syncline-client-bench-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL("../src/client/index.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    external: ["ws"],
    outfile,
    logLevel: "silent",
  });
  return (await import(pathToFileURL(outfile).href)) as ClientModule;
}

interface BenchClient {
  subscribe(i: number, onItem: (item: Item) => void): void;
  warm(): Promise<void>;
  close(): Promise<void>;
}

function synclineClient(module: ClientModule, url: string): BenchClient {
  const client = new module.SynclineClient(url, { WebSocket, logger: false });
  return {
    subscribe: (i, onItem) => void client.subscribe(itemQuery, { i }, onItem),
    warm: () => client.query(warmQuery, { i: -1 }).then(() => {}),
    close: () => client.close(),
  };
}

function convexClient(url: string): BenchClient {
  const client = new ConvexClient(url, {
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    skipConvexDeploymentUrlCheck: true,
    unsavedChangesWarning: false,
    logger: false,
  });
  return {
    subscribe: (i, onItem) => void client.onUpdate(convexItemQuery, { i }, onItem),
    warm: () => client.query(convexWarmQuery, { i: -1 }).then(() => {}),
    close: () => client.close(),
  };
}

// The official client reads a reference's name through Symbol.for("functionName"), which Syncline
// references carry: the same objects work for both, only their TypeScript types differ.
const convexItemQuery = itemQuery as unknown as ConvexFunctionReference<"query", "public", { i: number }, Item>;
const convexWarmQuery = warmQuery as unknown as ConvexFunctionReference<"query", "public", { i: number }, Item>;

// ---- measurements -------------------------------------------------------------------------------

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

interface Sample {
  subscribeMs: number;
  heapPerSubscription: number;
  updateMs: number[];
}

/** One client, one fresh server: subscribe `count` queries, then push `rounds` full updates. */
async function sample(make: (url: string) => BenchClient, count: number, rounds: number): Promise<Sample> {
  const server = await BenchServer.start();
  const client = make(server.url);
  try {
    await client.warm();
    const before = heapAfterGc();

    let round = 0;
    let seen = 0;
    let done: () => void = () => {};
    const onItem = (item: Item) => {
      if ((item.round ?? 0) === round && ++seen === count) done();
    };
    const allSeen = () => new Promise<void>((resolve) => (done = resolve));

    let finished = allSeen();
    const started = performance.now();
    for (let i = 0; i < count; i++) client.subscribe(i, onItem);
    await finished;
    const subscribeMs = performance.now() - started;
    const heapPerSubscription = (heapAfterGc() - before) / count;

    const updateMs: number[] = [];
    for (round = 1; round <= rounds; round++) {
      await server.prepare(round);
      seen = 0;
      finished = allSeen();
      const sent = performance.now();
      server.send();
      await finished;
      updateMs.push(performance.now() - sent);
    }
    return { subscribeMs, heapPerSubscription, updateMs };
  } finally {
    await client.close();
    await server.close();
  }
}

function row(label: string, unit: string, ours: number[], theirs: number[]): BenchResult {
  const oursMedian = median(ours);
  const theirsMedian = median(theirs);
  return {
    label,
    unit,
    syncline: { median: oursMedian, ...(ours.length >= 50 ? { p99: percentile(ours, 99) } : {}) },
    peer: { name: "convex/browser", median: theirsMedian },
    ratio: oursMedian / theirsMedian,
    samples: ours.length,
  };
}

export async function run(options: BenchOptions): Promise<BenchResult[]> {
  const count = options.quick ? 2_000 : 10_000;
  const rounds = options.quick ? 3 : 10;
  // The official client needs minutes for 10,000 subscriptions (each one costs it work
  // proportional to all the others), so it gets one sample; the gap dwarfs any noise.
  const ourSamples = options.quick ? 1 : 3;
  const theirSamples = 1;
  const module = await builtClient();
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  for (let s = 0; s < Math.max(ourSamples, theirSamples); s++) {
    if (s < theirSamples) theirs.push(await sample(convexClient, count, rounds));
    if (s < ourSamples) ours.push(await sample((url) => synclineClient(module, url), count, rounds));
  }
  const n = count.toLocaleString("en-US");
  const results: BenchResult[] = [
    row(`${n} subscriptions: all results in`, "ms", ours.map((x) => x.subscribeMs), theirs.map((x) => x.subscribeMs)),
    row(`${n} subscriptions: JS heap per subscription`, "bytes", ours.map((x) => x.heapPerSubscription), theirs.map((x) => x.heapPerSubscription)),
    row(`1 transition updating ${n} queries: apply + notify`, "ms", ours.flatMap((x) => x.updateMs), theirs.flatMap((x) => x.updateMs)),
  ];

  const clientBundle = await bundleSize(CLIENT_ONLY);
  const convexBundle = await bundleSize(`export { ConvexClient } from "convex/browser";`);
  results.push(row("bundle: client (min+gzip)", "KB", [clientBundle / 1024], [convexBundle / 1024]));
  // The React row joins once the hooks exist (hooks/index.ts exporting SynclineProvider, useQuery, ...).
  const hooks = (await import("../hooks/index.js")) as Record<string, unknown>;
  if (["SynclineProvider", "useQuery", "useMutation", "useAction"].every((name) => name in hooks)) {
    const ourReact = await bundleSize(CLIENT_WITH_HOOKS);
    const theirReact = await bundleSize(`export { ConvexReactClient, ConvexProvider, useQuery, useMutation, useAction } from "convex/react";`);
    results.push({ ...row("bundle: client + provider + hooks (min+gzip)", "KB", [ourReact / 1024], [theirReact / 1024]), peer: { name: "convex/react", median: theirReact / 1024 } });
  }
  return results;
}

const suite: Suite = {
  name: "client",
  description: "SynclineClient vs the official ConvexClient on the same scripted sync server",
  run,
};
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { formatResults } = await import("./lib/table.js");
  console.log(formatResults(await run({ quick: process.argv.includes("--quick") })));
}
