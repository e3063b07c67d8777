// Three nodes (separate processes) on one Postgres database: commits made through any node reach
// every node's subscriptions in commit order, at strictly increasing timestamps; a mutation sent
// through a follower resolves only once that node shows it; transfers sent through all nodes at
// once keep the total in every snapshot any client sees.

import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { decodeTimestamp } from "../../../src/protocol/timestamp.js";
import type { Transition } from "../../../src/protocol/messages.js";
import { api } from "../../fixtures/cluster/syncline/_generated/api";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { NODE_SECRET, type ClusterNodeProcess } from "../../helpers/cluster-nodes.js";
import { openRawSocket } from "../../helpers/raw-socket.js";
import { call } from "../../helpers/server.js";
import { useClusterNodes, usePostgresCluster } from "../../helpers/use-postgres-cluster.js";
import { waitFor } from "../../helpers/wait.js";
import { convexClient, synclineClient } from "./clients.js";

const cleanups = cleanupAfterEach();
const { nodes } = useClusterNodes(usePostgresCluster(), 3);

describe("a cluster of three nodes", () => {
  it("a client on B sees all 200 mutations a client on A makes, in commit order, never going back", async () => {
    const [a, b] = nodes as [ClusterNodeProcess, ClusterNodeProcess];
    const onB = synclineClient(b.url, cleanups);
    const seen: number[] = [];
    cleanups.push(onB.subscribe(api.counter.get, { name: "t1" }, (value) => seen.push(value)));
    await waitFor(() => seen.length, (n) => n > 0);
    const onA = convexClient(a.url, cleanups);
    for (let i = 1; i <= 200; i++) expect(await onA.mutation(anyApi.counter!.increment!, { name: "t1" })).toBe(i);
    await waitFor(() => seen.at(-1), (value) => value === 200);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    console.log(`B showed ${seen.length - 1} of A's 200 commits (the rest coalesced into later transitions)`);
  });

  it("every transition's timestamp strictly increases on a node while all nodes write; the counter never goes back", async () => {
    const socket = await openRawSocket(nodes[2]!.url);
    cleanups.push(() => socket.close());
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "counter:get", args: [{ name: "t3" }] }] });
    await socket.next("Transition");
    const writers = nodes.map((node) => convexClient(node.url, cleanups));
    await Promise.all(writers.map(async (writer) => {
      for (let i = 0; i < 30; i++) await writer.mutation(anyApi.counter!.increment!, { name: "t3" });
    }));
    const valueOf = (transition: Transition) => transition.modifications.find((m) => m.type === "QueryUpdated")?.value as number | undefined;
    await waitFor(() => socket.received.filter((m): m is Transition => m.type === "Transition").map(valueOf).filter((v) => v !== undefined).at(-1), (v) => v === 90);
    const transitions = socket.received.filter((m): m is Transition => m.type === "Transition");
    let previousTs = decodeTimestamp(transitions[0]!.endVersion.ts);
    let previousValue = valueOf(transitions[0]!) ?? 0;
    for (const transition of transitions.slice(1)) {
      const ts = decodeTimestamp(transition.endVersion.ts);
      expect(transition.startVersion.ts).toBe(transitions[transitions.indexOf(transition) - 1]!.endVersion.ts);
      expect(ts).toBeGreaterThan(previousTs);
      const value = valueOf(transition);
      if (value !== undefined) {
        expect(value).toBeGreaterThan(previousValue);
        previousValue = value;
      }
      previousTs = ts;
    }
  });

  it("a mutation sent through a follower resolves only once that follower's subscriptions show it (both clients, and the HTTP API)", async () => {
    const follower = nodes[1]!;
    const ours = synclineClient(follower.url, cleanups);
    const seen: number[] = [];
    cleanups.push(ours.subscribe(api.counter.get, { name: "t2" }, (value) => seen.push(value)));
    const official = convexClient(follower.url, cleanups);
    const officialSeen: number[] = [];
    cleanups.push(official.onUpdate(anyApi.counter!.get!, { name: "t2" }, (value: number) => officialSeen.push(value)));
    for (let i = 0; i < 10; i++) {
      const value = await ours.mutation(api.counter.increment, { name: "t2" });
      expect(seen).toContain(value);
      const next = (await official.mutation(anyApi.counter!.increment!, { name: "t2" })) as number;
      expect(official.client.localQueryResult("counter:get", { name: "t2" })).toBeGreaterThanOrEqual(next);
      const answer = await call(follower.url, "mutation", "counter:increment", { name: "t2" });
      const read = await call(follower.url, "query", "counter:get", { name: "t2" });
      expect(read.body.value).toBeGreaterThanOrEqual(answer.body.value as number);
    }
    // A mutation that throws on the leader fails on the follower with the leader's message.
    await expect(ours.mutation(api.bank.transfer, { from: "nobody", to: "none", amount: 1 })).rejects.toThrow("no such account");
    // An action runs on the follower; its runMutation goes to the leader.
    expect(await ours.action(api.counter.incrementFromAction, { name: "t2-action" })).toBe(1);
  });

  it("the leader's internal endpoint refuses callers without the node secret (401) or with a wrong one (403), and changes nothing", async () => {
    const body = JSON.stringify({ name: "counter:increment", args: { name: "intruder" }, origin: "server", identity: null, sessionId: "s", requestId: 0 });
    const send = (headers: Record<string, string>, text = body) => fetch(`${nodes[0]!.url}/_syncline/internal/mutation`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: text });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: "Convex admin-key" })).status).toBe(401);
    expect((await send({ "x-syncline-node-secret": "guess" })).status).toBe(403);
    // With the secret, a malformed call is a clear 400, not a crash.
    const malformed = await send({ "x-syncline-node-secret": NODE_SECRET }, JSON.stringify({ name: 3 }));
    expect([malformed.status, await malformed.text()]).toEqual([400, expect.stringContaining("needs name, args, sessionId and requestId")]);
    // The same secret on a follower: it does not lead, so it sends the caller to the leader.
    expect((await fetch(`${nodes[1]!.url}/_syncline/internal/mutation`, { method: "POST", headers: { "x-syncline-node-secret": NODE_SECRET }, body })).status).toBe(503);
    expect((await call(nodes[0]!.url, "query", "counter:get", { name: "intruder" })).body.value).toBe(0);
  });

  it("transfers sent through all three nodes at once keep the total in every snapshot every client sees", async () => {
    const accounts = Array.from({ length: 8 }, (_, i) => `acct-${i}`);
    await call(nodes[0]!.url, "mutation", "bank:open", { names: accounts, balance: 100 });
    type Total = { count: number; total: number; balances: number[] };
    const totals: { node: number; count: number; total: number }[] = [];
    const record = (node: number, { count, total }: Total) => totals.push({ node, count, total });
    for (const [index, node] of nodes.entries()) {
      const watcher = index % 2 === 0 ? convexClient(node.url, cleanups) : null;
      if (watcher !== null) {
        cleanups.push(watcher.onUpdate(anyApi.bank!.total!, {}, (value: Total) => record(index, value)));
      } else {
        const ours = synclineClient(node.url, cleanups);
        cleanups.push(ours.subscribe(api.bank.total, {}, (value) => record(index, value)));
      }
    }
    const senders = nodes.map((node) => convexClient(node.url, cleanups));
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    await Promise.all(senders.map((sender) => Promise.all(Array.from({ length: 3 }, async () => {
      for (let i = 0; i < 15; i++) {
        const from = accounts[random(accounts.length)]!;
        const to = accounts[random(accounts.length)]!;
        await sender.mutation(anyApi.bank!.transfer!, { from, to, amount: 1 + random(20) });
      }
    }))));
    await waitFor(() => new Set(totals.map((t) => t.node)).size, (n) => n === 3);
    expect(totals.length).toBeGreaterThan(5); // (concurrent commits share transitions)
    for (const snapshot of totals) expect(snapshot).toEqual({ node: snapshot.node, count: 8, total: 800 });
  });
  it("each node's /health names it, its role and the epoch; the followers have applied the leader's newest commit", async () => {
    await convexClient(nodes[1]!.url, cleanups).mutation(anyApi.counter!.increment!, { name: "health" });
    const health = async () =>
      Promise.all(nodes.map(async (node) => (await (await fetch(`${node.url}/health`)).json()) as { nodeId: string; role: string; epoch: number; appliedTimestamp: string; lagMs: number }));
    const all = await waitFor(health, (list) => new Set(list.map((h) => h.appliedTimestamp)).size === 1);
    expect(all.map((h) => [h.nodeId, h.role])).toEqual([["node-0", "leader"], ["node-1", "follower"], ["node-2", "follower"]]);
    expect(new Set(all.map((h) => h.epoch)).size).toBe(1);
    expect(all[0]!.epoch).toBeGreaterThanOrEqual(1);
    expect(BigInt(all[0]!.appliedTimestamp)).toBeGreaterThan(0n);
    for (const h of all) expect(h.lagMs).toBeGreaterThanOrEqual(0);
  });
});
