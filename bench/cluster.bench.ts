// Several nodes on one PostgreSQL (fsync on): three node processes, the first one leading.
// - a mutation sent on the leader -> the transition on a follower (3 nodes), and on the leader
//   itself (what one node alone gives), p50 and p99;
// - fan-out of one commit to 1,000 sockets spread over the three nodes (until the last one has it);
// - durable mutations per second sent through a follower (forwarded) and through the leader;
// - failover after kill -9 of the leader: to a new leader, and to the first mutation that succeeds;
// - a follower's memory per subscription (its RSS before and after one socket subscribes to
//   thousands of distinct queries).
// Standalone: `npx tsx bench/cluster.bench.ts [--quick]`. Also a `Suite` for bench/run.ts.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import type { ServerMessage, Transition } from "../src/protocol/messages.js";
import { leaderOf, startNodes, type ClusterNodeProcess } from "../test/helpers/cluster-nodes.js";
import { benchCluster, PG } from "./lib/postgres.js";
import { describeMs, latencyRow, quantityRow, throughputRow } from "./lib/latency.js";
import type { BenchOptions, BenchResult, Suite } from "./lib/types.js";

/** A sync socket subscribed to `counter:get` of `name`; calls `onValue` with each value a transition brings. */
async function watchCounter(url: string, name: string, onValue: (value: number) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let first = true;
  const ready = new Promise<void>((resolve) => {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type !== "Transition") return;
      if (first) {
        first = false;
        resolve();
      }
      const value = (message as Transition).modifications.find((m) => m.type === "QueryUpdated")?.value;
      if (typeof value === "number") onValue(value);
    });
  });
  ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "counter:get", args: [{ name }] }] }));
  await ready;
  return ws;
}

/** A sync socket that sends mutations one after another; resolves each with its answer's arrival. */
async function mutationSocket(url: string): Promise<{ increment(name: string): Promise<void>; close(): void }> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/1.31.0/sync`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
  const waiting = new Map<number, () => void>();
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    if (message.type === "MutationResponse") waiting.get(message.requestId)?.();
  });
  let requestId = 0;
  return {
    increment(name) {
      const id = requestId++;
      return new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ type: "Mutation", requestId: id, udfPath: "counter:increment", args: [{ name }] }));
      });
    },
    close: () => ws.close(),
  };
}

/** Mutation sent on `writerUrl` -> its value in a transition on `watcherUrl`, per sample (ms). */
async function commitToTransition(writerUrl: string, watcherUrl: string, name: string, samples: number): Promise<number[]> {
  let waiter: { value: number; resolve: () => void } | undefined;
  const watcher = await watchCounter(watcherUrl, name, (value) => {
    if (waiter !== undefined && value >= waiter.value) waiter.resolve();
  });
  const writer = await mutationSocket(writerUrl);
  const times: number[] = [];
  for (let i = 1; i <= samples + 10; i++) {
    const shown = new Promise<void>((resolve) => (waiter = { value: i, resolve }));
    const started = performance.now();
    await writer.increment(name);
    await shown;
    if (i > 10) times.push(performance.now() - started);
  }
  writer.close();
  watcher.close();
  return times;
}

/** One commit to `sockets` watchers spread over the nodes: ms until the last one has it, per sample. */
async function fanOut(nodes: readonly ClusterNodeProcess[], sockets: number, samples: number): Promise<number[]> {
  let target = 0;
  let remaining = 0;
  let done: (() => void) | undefined;
  const watchers: WebSocket[] = [];
  for (let i = 0; i < sockets; i++) {
    let seen = 0;
    watchers.push(
      await watchCounter(nodes[i % nodes.length]!.url, "fan", (value) => {
        if (value >= target && seen < target) {
          seen = target;
          if (--remaining === 0) done?.();
        }
      }),
    );
  }
  const writer = await mutationSocket(nodes[0]!.url);
  const times: number[] = [];
  for (let i = 1; i <= samples; i++) {
    target = i;
    remaining = sockets;
    const all = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    await writer.increment("fan");
    await all;
    times.push(performance.now() - started);
  }
  writer.close();
  for (const ws of watchers) ws.close();
  return times;
}

/** Mutations per second from `clients` sockets on `url`, each sending one after another, for `ms`. */
async function mutationRate(url: string, clients: number, ms: number): Promise<{ operations: number; elapsed: number }> {
  const sockets = await Promise.all(Array.from({ length: clients }, () => mutationSocket(url)));
  let operations = 0;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(sockets.map(async (socket, i) => {
    while (performance.now() < end) {
      await socket.increment(`rate-${i}`);
      operations++;
    }
  }));
  const elapsed = performance.now() - started;
  for (const socket of sockets) socket.close();
  return { operations, elapsed };
}

/** Kill -9 of the leader: ms to a new leader, and to the first mutation through a follower that succeeds. */
async function failover(db: string, nodes: readonly ClusterNodeProcess[], cluster: NonNullable<Awaited<ReturnType<typeof benchCluster>>>): Promise<{ leaderMs: number; mutationMs: number }> {
  const writer = await mutationSocket(nodes[1]!.url);
  await writer.increment("failover");
  const killed = performance.now();
  await nodes[0]!.kill();
  let leaderMs = 0;
  const watchLeader = (async () => {
    while (leaderOf(cluster, db).epoch < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    leaderMs = performance.now() - killed;
  })();
  await writer.increment("failover");
  const mutationMs = performance.now() - killed;
  await watchLeader;
  writer.close();
  return { leaderMs, mutationMs };
}

/** A process's resident set size in bytes (Linux). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

/** Bytes of a follower's RSS per subscription: one socket adds `count` distinct queries at once. */
async function followerMemoryPerSubscription(follower: ClusterNodeProcess, count: number): Promise<number> {
  const ws = new WebSocket(`${follower.url.replace(/^http/, "ws")}/api/1.31.0/sync`);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.send(JSON.stringify({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssOf(follower.pid);
  const shown = new Promise<void>((resolve) => ws.on("message", (data) => (JSON.parse(data.toString()) as ServerMessage).type === "Transition" && resolve()));
  const modifications = Array.from({ length: count }, (_, i) => ({ type: "Add", queryId: i, udfPath: "counter:get", args: [{ name: `memory-${i}` }] }));
  ws.send(JSON.stringify({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications }));
  await shown;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const perSubscription = (rssOf(follower.pid) - before) / count;
  ws.close();
  return perSubscription;
}

export async function run(options: BenchOptions): Promise<BenchResult[]> {
  const cluster = await benchCluster();
  if (cluster === undefined) return [];
  const { db, nodes } = await startNodes(cluster, 3);
  try {
    const samples = options.quick ? 50 : 300;
    const results: BenchResult[] = [];
    const oneNode = await commitToTransition(nodes[0]!.url, nodes[0]!.url, "one-node", samples);
    results.push(latencyRow(`${PG}1 node: mutation -> transition on the same node`, oneNode));
    const crossNode = await commitToTransition(nodes[0]!.url, nodes[1]!.url, "cross-node", samples);
    results.push(latencyRow(`${PG}3 nodes: mutation on the leader -> transition on a follower`, crossNode));
    const forwarded = await commitToTransition(nodes[2]!.url, nodes[1]!.url, "forwarded", samples);
    results.push(latencyRow(`${PG}3 nodes: mutation through a follower -> transition on another follower`, forwarded));
    const fan = await fanOut(nodes, options.quick ? 300 : 1_000, options.quick ? 5 : 20);
    results.push(quantityRow(`${PG}one commit -> its transition on all ${options.quick ? 300 : 1_000} sockets over 3 nodes`, "ms", fan));
    const seconds = options.quick ? 2_000 : 5_000;
    const viaLeader = await mutationRate(nodes[0]!.url, 20, seconds);
    results.push(throughputRow(`${PG}durable mutations through the leader, 20 sockets`, viaLeader.operations, viaLeader.elapsed));
    const viaFollower = await mutationRate(nodes[1]!.url, 20, seconds);
    results.push(throughputRow(`${PG}durable mutations through a follower (forwarded), 20 sockets`, viaFollower.operations, viaFollower.elapsed));
    const subscriptions = options.quick ? 2_000 : 10_000;
    const perSubscription = await followerMemoryPerSubscription(nodes[2]!, subscriptions);
    results.push(quantityRow(`${PG}a follower's RSS per subscription (${subscriptions} on one socket)`, "B", [perSubscription]));
    const { leaderMs, mutationMs } = await failover(db, nodes, cluster);
    results.push(quantityRow(`${PG}kill -9 of the leader -> new leader (${describeMs(leaderMs)}), first mutation through a follower`, "ms", [mutationMs]));
    return results;
  } finally {
    await Promise.all(nodes.map((node) => node.kill()));
  }
}

const suite: Suite = { name: "cluster", description: "three nodes on one PostgreSQL: cross-node latency, fan-out, forwarded mutations, failover", run };
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { formatResults } = await import("./lib/table.js");
  console.log(formatResults(await run({ quick: process.argv.includes("--quick") })));
}
