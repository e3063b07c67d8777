// One sample of the client benchmark: one client (SynclineClient or the official ConvexClient)
// subscribes `count` distinct queries on a fresh scripted server, then takes `rounds` transitions
// updating all of them. It runs in a process of its own (client-sample-child.ts), so every sample
// starts cold, as an app's first subscriptions do, and no client runs on another's garbage or
// compiled code.

import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { ConvexClient } from "convex/browser";
import type { FunctionReference as ConvexFunctionReference } from "convex/server";
import { build } from "esbuild";
import WebSocket from "ws";
import { makeFunctionReference } from "../../src/functions/reference.js";
import { ScriptedSyncServer } from "./scripted-sync-server.js";

type Item = { i: number; title: string; done: boolean; round?: number };
const itemQuery = makeFunctionReference<"query", { i: number }, Item>("query", "items:get");
const warmQuery = makeFunctionReference<"query", { i: number }, Item>("query", "items:warm");
// The official client reads a reference's name through Symbol.for("functionName"), which Syncline
// references carry: the same objects work for both, only their TypeScript types differ.
const convexItemQuery = itemQuery as unknown as ConvexFunctionReference<"query", "public", { i: number }, Item>;
const convexWarmQuery = warmQuery as unknown as ConvexFunctionReference<"query", "public", { i: number }, Item>;

type ClientModule = typeof import("../../src/client/index.js");

/**
 * SynclineClient as built (esbuild, like the published package), not from source: under tsx every
 * named function is wrapped by esbuild's keepNames helper, which redefines its `name` and turns it
 * into a ~250-byte dictionary-mode object - a cost the published package does not have. The peer
 * is measured from its published build too. Answers the built module's URL.
 *
 * @example
 * const clientModule = await buildClient(); // file:///tmp/syncline-client-bench-1234.mjs
 */
export async function buildClient(): Promise<string> {
  const outfile = join(tmpdir(), `syncline-client-bench-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(new URL("../../src/client/index.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    external: ["ws"],
    outfile,
    logLevel: "silent",
  });
  return pathToFileURL(outfile).href;
}

/** The built client at `url`, or one built for this sample alone (and its file removed once loaded). */
async function loadClient(url: string | undefined): Promise<ClientModule> {
  if (url !== undefined) return (await import(url)) as ClientModule;
  const built = await buildClient();
  try {
    return (await import(built)) as ClientModule;
  } finally {
    await rm(fileURLToPath(built), { force: true });
  }
}

/** The two clients behind one interface. */
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

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/**
 * CPU time (ms) the calling thread has used: the client's JavaScript thread, without the scripted
 * server's worker. Steadier than wall time on a shared machine, where a thread may wait for a core
 * longer than it runs. Undefined where the platform cannot tell (Node 20 has no
 * process.threadCpuUsage; Linux's schedstat gives it in nanoseconds).
 */
export function threadCpuMs(): number | undefined {
  const perThread = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (perThread !== undefined) {
    const usage = perThread.call(process);
    return (usage.user + usage.system) / 1000;
  }
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

export interface SampleRequest {
  client: "syncline" | "convex";
  /** Distinct subscriptions. */
  count: number;
  /** Transitions updating every query, after the subscriptions. */
  rounds: number;
  /** The built SynclineClient module's URL (`buildClient`); built for this sample when left out. */
  clientModule?: string;
}

export interface Sample {
  /** From the first subscribe call until every subscription had its result. */
  subscribeMs: number;
  /** The client thread's CPU time over the same span (undefined where unmeasurable). */
  subscribeCpuMs: number | undefined;
  heapPerSubscription: number;
  /** Per round: from the frame leaving the server until every listener saw the new value. */
  updateMs: number[];
  /** Per round: the client thread's CPU time over the same span (empty where unmeasurable). */
  updateCpuMs: number[];
}

/**
 * One client, one fresh server: subscribe `count` queries, then push `rounds` full updates.
 *
 * @example
 * const { subscribeMs } = await sample({ client: "convex", count: 2_000, rounds: 3 });
 */
export async function sample(request: SampleRequest): Promise<Sample> {
  // A count below 1 would wait for ever for results that never come: refuse it up front.
  if (request.client !== "syncline" && request.client !== "convex") throw new TypeError(`client must be "syncline" or "convex", got ${JSON.stringify(request.client)}`);
  if (!(Number.isInteger(request.count) && request.count > 0)) throw new RangeError(`count must be a positive integer, got ${JSON.stringify(request.count)}`);
  if (!(Number.isInteger(request.rounds) && request.rounds >= 0)) throw new RangeError(`rounds must be an integer of at least 0, got ${JSON.stringify(request.rounds)}`);
  const module = request.client === "syncline" ? await loadClient(request.clientModule) : undefined;
  const { count, rounds } = request;
  const server = await ScriptedSyncServer.start();
  const client = module === undefined ? convexClient(server.url) : synclineClient(module, server.url);
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
    const cpuStarted = threadCpuMs();
    const started = performance.now();
    for (let i = 0; i < count; i++) client.subscribe(i, onItem);
    await finished;
    const subscribeMs = performance.now() - started;
    const cpuEnded = threadCpuMs();
    const subscribeCpuMs = cpuStarted === undefined || cpuEnded === undefined ? undefined : cpuEnded - cpuStarted;
    const heapPerSubscription = (heapAfterGc() - before) / count;

    const updateMs: number[] = [];
    const updateCpuMs: number[] = [];
    for (round = 1; round <= rounds; round++) {
      await server.prepare(round);
      seen = 0;
      finished = allSeen();
      const cpuBefore = threadCpuMs();
      const sent = performance.now();
      server.send();
      await finished;
      updateMs.push(performance.now() - sent);
      const cpuAfter = threadCpuMs();
      if (cpuBefore !== undefined && cpuAfter !== undefined) updateCpuMs.push(cpuAfter - cpuBefore);
    }
    return { subscribeMs, subscribeCpuMs, heapPerSubscription, updateMs, updateCpuMs };
  } finally {
    await client.close();
    await server.close();
  }
}
