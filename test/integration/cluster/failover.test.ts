// The leader dies: kill -9 while clients stream mutations through every node (and through a
// load balancer), a crash after COMMIT and before the answer, a paused leader whose lock session
// is cut off and that wakes up after a new leader took over, and crons and scheduled jobs across
// a failover. Each test has three node processes of its own on the file's Postgres cluster.

import { anyApi } from "convex/server";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { databaseName, leaderOf, type ClusterNodeProcess } from "../../helpers/cluster-nodes.js";
import { startLoadBalancer } from "../../helpers/load-balancer.js";
import { call } from "../../helpers/server.js";
import { startTestNodes, usePostgresCluster } from "../../helpers/use-postgres-cluster.js";
import { waitFor } from "../../helpers/wait.js";
import { convexClient } from "./clients.js";

const cleanups = cleanupAfterEach();
const postgres = usePostgresCluster();

/** Three nodes of this test's own, killed after it. */
const cluster = (env: Record<string, string> = {}) => startTestNodes(postgres, 3, cleanups, env);

/** Streams increments of counter `name` from a convex client until stopped; keeps every acknowledged value. */
function stream(client: ReturnType<typeof convexClient>, name: string) {
  const acknowledged: number[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) acknowledged.push((await client.mutation(anyApi.counter!.increment!, { name })) as number);
  })();
  return { acknowledged, stop: async () => ((stopped = true), await done) };
}

describe("failover", () => {
  it("kill -9 of the leader while clients on every node stream mutations: a new leader, follower sockets stay open, every acknowledged mutation exactly once", async () => {
    const { db, nodes } = await cluster();
    const lb = await startLoadBalancer(nodes.map((node) => node.url));
    cleanups.push(() => lb.close());
    const clients = [...nodes.map((node) => convexClient(node.url, cleanups)), convexClient(lb.url, cleanups)];
    const streams = clients.map((client, i) => stream(client, `client-${i}`));
    await waitFor(() => Math.min(...streams.map((s) => s.acknowledged.length)), (n) => n >= 10, 20_000);

    const killedAt = Date.now();
    await nodes[0]!.kill();
    await waitFor(() => leaderOf(postgres, db), (leader) => leader.epoch >= 2, 10_000);
    const newLeaderMs = Date.now() - killedAt;
    const follower = streams[1]!;
    const before = follower.acknowledged.length;
    await waitFor(() => follower.acknowledged.length, (n) => n > before, 10_000);
    const firstMutationMs = Date.now() - killedAt;
    console.log(`failover after kill -9: new leader in ${newLeaderMs} ms, first mutation through a follower in ${firstMutationMs} ms`);
    await waitFor(() => streams[3]!.acknowledged.length, (n) => n > 10, 20_000); // the balanced client moved on

    // The client on the dead node cannot finish (nothing serves its URL); the others stop cleanly.
    const survivors = [1, 2, 3];
    await Promise.all(survivors.map((i) => streams[i]!.stop()));
    for (const i of [1, 2]) expect(clients[i]!.connectionState().connectionCount).toBe(1); // never reconnected
    const url = nodes[1]!.url;
    for (const i of survivors) {
      const values = streams[i]!.acknowledged;
      expect(values).toEqual(values.map((_, k) => k + 1));
      expect((await call(url, "query", "counter:get", { name: `client-${i}` })).body.value).toBe(values.length);
    }
    // What the dead node acknowledged before it died is there too, exactly once.
    const dead = streams[0]!.acknowledged;
    expect(dead).toEqual(dead.map((_, k) => k + 1));
    const stored = (await call(url, "query", "counter:get", { name: "client-0" })).body.value as number;
    expect(stored === dead.length || stored === dead.length + 1).toBe(true); // + the one in flight at the kill
  }, 60_000);

  it("the leader crashes after COMMIT, before it answers: the retry through another node has exactly one effect and the original result", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "syncline-crash-")), "crashed");
    const { db, nodes } = await cluster({ SYNCLINE_TEST_CRASH_AFTER_COMMIT: "counter:increment", SYNCLINE_TEST_CRASH_MARKER: marker });
    const client = convexClient(nodes[1]!.url, cleanups);
    expect(await client.mutation(anyApi.counter!.increment!, { name: "once" })).toBe(1);
    expect(existsSync(marker)).toBe(true); // the leader did crash after committing it
    expect(await nodes[0]!.exited).toBe("SIGKILL");
    expect(leaderOf(postgres, db).epoch).toBe(2);
    expect((await call(nodes[2]!.url, "query", "counter:get", { name: "once" })).body.value).toBe(1);
    expect(postgres.psql("SELECT count(*) FROM syncline_documents WHERE json LIKE '%\"name\":\"once\"%'", databaseName(db)).trim()).toBe("1");
  }, 60_000);

  it("a paused leader whose lock session was terminated wakes up after a new leader took over: it cannot commit and exits", async () => {
    const { db, nodes } = await cluster();
    const name = databaseName(db);
    expect((await call(nodes[0]!.url, "mutation", "counter:increment", { name: "p" })).body.value).toBe(1);
    nodes[0]!.process.kill("SIGSTOP");
    postgres.psql("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 1937337955 AND objid = 1818848869", name);
    await waitFor(() => leaderOf(postgres, db), (leader) => leader.epoch === 2, 10_000);
    expect((await call(nodes[1]!.url, "mutation", "counter:increment", { name: "p" })).body.value).toBe(2);
    // A request waits in the paused process's socket; it must not commit once the process runs again.
    const late = call(nodes[0]!.url, "mutation", "counter:increment", { name: "p" }).then((answer) => answer, (error: Error) => error);
    nodes[0]!.process.kill("SIGCONT");
    expect(await nodes[0]!.exited).toBe(75);
    // Whichever it notices first - the epoch moved, or its lock is held by another - it says so.
    expect(nodes[0]!.stderr.join("")).toMatch(/stopping: .*(newer leader|replaced by leader|took over)/);
    const answer = await late;
    expect(answer instanceof Error || answer.status !== 200 || answer.body.status === "error").toBe(true);
    expect((await call(nodes[2]!.url, "query", "counter:get", { name: "p" })).body.value).toBe(2);
    const order = postgres.psql("SELECT coalesce((SELECT max(ts) FROM syncline_commit_log WHERE epoch = 1) < (SELECT min(ts) FROM syncline_commit_log WHERE epoch = 2), true)", name).trim();
    expect(order).toBe("t");
  }, 60_000);

  it("a cron every second runs once per occurrence on three nodes, also across a failover; a scheduled mutation runs exactly once", async () => {
    const { db, nodes } = await cluster();
    await call(nodes[1]!.url, "mutation", "ticks:scheduleOnce", { name: "once", delayMs: 2_500 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const killedAt = Date.now();
    await nodes[0]!.kill();
    await waitFor(() => leaderOf(postgres, db), (leader) => leader.epoch === 2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const url = nodes[1]!.url;
    await waitFor(() => call(url, "query", "ticks:count", { name: "once" }), (answer) => answer.body.value === 1, 10_000);
    const jobs = (await call(url, "query", "ticks:jobs", { name: "second" })).body.value as { times: number[]; succeeded: number };
    const ticks = (await call(url, "query", "ticks:count", { name: "second" })).body.value as number;
    expect(new Set(jobs.times).size).toBe(jobs.times.length); // no occurrence scheduled twice
    expect(ticks).toBe(jobs.succeeded); // each ran once
    expect(ticks).toBeGreaterThanOrEqual(5);
    // One occurrence a second, never two close together (three nodes' worth would be):
    const times = [...jobs.times].sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(999);
    // ... and the failover kept the schedule going (after the kill, the new leader ran it).
    expect(times.at(-1)! - killedAt).toBeGreaterThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await call(url, "query", "ticks:count", { name: "once" })).body.value).toBe(1);
  }, 60_000);
});
