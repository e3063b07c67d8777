// A fixed durable-mutation (or subscription) workload for instruction counts: `valgrind --tool=callgrind` counts
// instructions repeatably on the shared 2-core bench machine, where throughput is noise. The
// server (startServer, a fresh SQLite file) and the load generator run in one process, so the
// count covers both; the generator is the same code on both sides of an A/B, and the difference of
// two mutation counts cancels start-up: (I(n2) - I(n1)) / (n2 - n1) is the cost of one mutation.
// It imports nothing of Syncline but startServer, so the same file runs on older commits.
//
//   npx esbuild bench/callgrind/mutation-workload.ts --bundle --platform=node --format=esm \
//     --packages=external --outfile=src/.callgrind-workload.mjs
//   valgrind --tool=callgrind --smc-check=all-non-file node src/.callgrind-workload.mjs ws|http|subscriptions 2000
//
// The bundle sits under src/ so that the functions folder's `syncline/server` imports resolve to
// this copy's sources (a bundle elsewhere resolves them to a built dist/).
//
// Also prints the process's CPU time per mutation (process.cpuUsage) for runs without valgrind;
// WORKLOAD_CPU_PROFILE=<file.cpuprofile> writes a CPU profile of the measured mutations.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Server as HttpServer } from "node:http";
import { Session } from "node:inspector/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { startServer } from "../../src/server/start-server.js";

const CLIENTS = 50;
const WS_IN_FLIGHT = 20;
/** The benchmarks' functions folder; run from the repository root (the bundle may live elsewhere). */
const FUNCTIONS_DIR = resolve("bench/fixtures/syncline");

type Workload = "http" | "ws" | "subscriptions";

const body = (client: number, seq: number) => ({ client, seq, body: `note ${seq} from client ${client}` });

/** `count` inserts over HTTP from CLIENTS keep-alive sockets, one request at a time each. */
async function httpLoad(url: string, count: number): Promise<void> {
  const { hostname, port } = new URL(url);
  const perClient = Math.ceil(count / CLIENTS);
  const client = (c: number) =>
    new Promise<void>((resolve, reject) => {
      const socket: Socket = connect(Number(port), hostname);
      socket.setNoDelay(true);
      let seq = 0;
      let buffer = "";
      const send = () => {
        const json = JSON.stringify({ path: "notes:insertOne", format: "convex_encoded_json", args: [body(c, seq)] });
        socket.write(`POST /api/mutation HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
      };
      socket.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffer.slice(0, headerEnd))?.[1]);
        if (buffer.length < headerEnd + 4 + length) return;
        const text = buffer.slice(headerEnd + 4, headerEnd + 4 + length);
        buffer = buffer.slice(headerEnd + 4 + length);
        if (!text.includes('"success"')) return reject(new Error(`mutation failed: ${text}`));
        if (++seq === perClient) {
          socket.end();
          resolve();
        } else send();
      });
      socket.on("error", reject);
      send();
    });
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
}

/** `count` inserts over the sync WebSocket from CLIENTS sockets with WS_IN_FLIGHT outstanding each; done at the MutationResponse and a Transition. */
async function wsLoad(url: string, count: number): Promise<void> {
  const perSocket = Math.ceil(count / CLIENTS);
  const socketLoad = async (c: number) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const ready = new Promise<void>((resolve) => ws.once("message", () => resolve()));
    ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] }));
    await ready;
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let answered = 0;
      const send = () => ws.send(JSON.stringify({ type: "Mutation", requestId: sent, udfPath: "notes:insertOne", args: [body(c, sent++)] }));
      ws.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; success?: boolean; result?: unknown };
        if (frame.type !== "MutationResponse") return;
        if (frame.success !== true) return reject(new Error(`mutation failed: ${JSON.stringify(frame.result)}`));
        if (++answered === perSocket) resolve();
        else if (sent < perSocket) send();
      });
      while (sent < Math.min(WS_IN_FLIGHT, perSocket)) send();
    });
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      ws.close();
    });
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => socketLoad(c)));
}

/**
 * Not a mutation load: one socket adds `count` distinct queries (counters:get of distinct names)
 * in one ModifyQuerySet and waits for the transitions that answer them all - the server's cost
 * per new subscription (run the query at a snapshot, read set, result in a transition).
 */
async function subscriptionsLoad(url: string, count: number): Promise<void> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const base = Math.floor(Math.random() * 1e9); // fresh names each call: nothing answered from the cache
  ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
  const modifications = Array.from({ length: count }, (_, i) => ({ type: "Add", queryId: i, udfPath: "counters:get", args: [{ name: `c${base + i}` }] }));
  await new Promise<void>((resolve, reject) => {
    let answered = 0;
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; modifications?: { type: string }[] };
      if (frame.type !== "Transition") return;
      for (const modification of frame.modifications ?? []) {
        if (modification.type === "QueryFailed") return reject(new Error(`a query failed: ${JSON.stringify(modification)}`));
        if (modification.type === "QueryUpdated") answered++;
      }
      if (answered >= count) resolve();
    });
    ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications }));
  });
  await new Promise<void>((resolve) => {
    ws.once("close", () => resolve());
    ws.close();
  });
}

/**
 * Under valgrind the process runs ~50x slower: a keep-alive socket can sit idle past Node's 5 s
 * keep-alive timeout between two requests of the load, and the server closes it as the client
 * writes (ECONNRESET). The workload's own servers wait instead (found among the process's handles,
 * so older commits, which do not expose their node:http server, run this too).
 */
function patientHttpServers(): void {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  for (const handle of handles) {
    if (!(handle instanceof HttpServer)) continue;
    handle.keepAliveTimeout = 0;
    handle.headersTimeout = 0;
    handle.requestTimeout = 0;
  }
}

async function main(): Promise<void> {
  const workload = process.argv[2] as Workload;
  const count = Number(process.argv[3]);
  const loads = { http: httpLoad, ws: wsLoad, subscriptions: subscriptionsLoad };
  if (!Object.hasOwn(loads, workload) || !Number.isInteger(count) || count < 0) {
    throw new Error("usage: mutation-workload.mjs http|ws|subscriptions <count>");
  }
  const dir = mkdtempSync(join(tmpdir(), "syncline-callgrind-"));
  const server = await startServer({ dir: FUNCTIONS_DIR, db: join(dir, "data.sqlite"), port: 0, host: "127.0.0.1", prod: true });
  try {
    patientHttpServers();
    const load = loads[workload];
    await load(server.url, CLIENTS * 4); // warm-up: JIT, connections, pages
    const profile = process.env.WORKLOAD_CPU_PROFILE;
    const profiler = profile ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    const before = process.cpuUsage();
    const started = performance.now();
    if (count > 0) await load(server.url, count);
    const cpu = process.cpuUsage(before);
    const ms = performance.now() - started;
    if (profiler) writeFileSync(profile!, JSON.stringify((await profiler.post("Profiler.stop")).profile));
    console.log(`${workload} ${count}: ${ms.toFixed(0)} ms, process CPU ${((cpu.user + cpu.system) / Math.max(1, count)).toFixed(1)} us each`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
