// Followers that miss wake-ups: a LISTEN connection killed again and again during writes (the
// poll catches up, with no gap), and a client that saw a commit on one node reconnecting to a
// node that has not applied it yet (it waits, never shown older state).

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeTimestamp, encodeTimestamp } from "../../../src/protocol/timestamp.js";
import type { Transition } from "../../../src/protocol/messages.js";
import { api } from "../../fixtures/cluster/syncline/_generated/api";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { databaseName, startNode } from "../../helpers/cluster-nodes.js";
import { postgresBin } from "../../helpers/postgres-cluster.js";
import { openRawSocket } from "../../helpers/raw-socket.js";
import { useClusterNodes, usePostgresCluster } from "../../helpers/use-postgres-cluster.js";
import { waitFor } from "../../helpers/wait.js";
import { convexClient, synclineClient } from "./clients.js";
import { anyApi } from "convex/server";

const cleanups = cleanupAfterEach();
const postgres = usePostgresCluster();
const cluster = useClusterNodes(postgres, 2);
const { nodes } = cluster;
beforeAll(async () => {
  // The third node polls the commit log only every 10 minutes: without its LISTEN connection it lags.
  nodes.push(await startNode(cluster.db, "node-2", { SYNCLINE_FOLLOWER_POLL_MS: "600000" }));
}, 60_000);

/** Terminates a node's LISTEN connection (without blocking the test's event loop); resolves how many it ended. */
async function killListener(nodeId: string): Promise<number> {
  const sql = `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'syncline listen ${nodeId}'`;
  const { stdout } = await promisify(execFile)(join(postgresBin()!, "psql"), ["-h", postgres.dir, "-p", String(postgres.port), "-U", "postgres", "-d", databaseName(cluster.db), "-XAtq", "-c", sql]);
  return Number(stdout.trim());
}

describe("followers that miss wake-ups", () => {
  it("a follower whose LISTEN connection is killed again and again during writes catches up by polling, with no gap", async () => {
    const follower = synclineClient(nodes[1]!.url, cleanups);
    const seen: number[] = [];
    cleanups.push(follower.subscribe(api.counter.get, { name: "t8" }, (value) => seen.push(value)));
    await waitFor(() => seen.length, (n) => n > 0);
    const writer = convexClient(nodes[0]!.url, cleanups);
    let writing = true;
    let killed = 0;
    const killer = (async () => {
      while (writing) killed += await killListener("node-1");
    })();
    // At least 100 writes, and as many more as it takes for the listener to die three times: how many
    // writes fit between two kills depends on the machine, not on what this test checks.
    let written = 0;
    while ((written < 100 || killed < 3) && written < 5_000) {
      await writer.mutation(anyApi.counter!.increment!, { name: "t8" });
      written++;
    }
    writing = false;
    await killer;
    expect(killed).toBeGreaterThan(2);
    await waitFor(() => seen.at(-1), (value) => value === written, 10_000);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
  });

  it("a client whose last node was ahead reconnects to a lagging node: it waits until that node applied what it saw, never shows older state", async () => {
    await waitFor(() => killListener("node-2"), (n) => n === 1);
    // Seen on the leader: a commit the lagging node has not applied (nothing wakes it for 10 minutes).
    const ahead = await openRawSocket(nodes[0]!.url);
    cleanups.push(() => ahead.close());
    ahead.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "counter:get", args: [{ name: "t9" }] }] });
    await ahead.next("Transition");
    ahead.send({ type: "Mutation", requestId: 0, udfPath: "counter:increment", args: [{ name: "t9" }] });
    const response = await ahead.next("MutationResponse");
    if (!response.success) throw new Error(response.result);
    const observed = decodeTimestamp(response.ts);

    const lagging = await openRawSocket(nodes[2]!.url, { connect: false });
    cleanups.push(() => lagging.close());
    lagging.send({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 1, lastCloseReason: "test", maxObservedTimestamp: encodeTimestamp(observed), clientTs: Date.now() });
    lagging.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "counter:get", args: [{ name: "t9" }] }] });
    const first = (await lagging.next("Transition", 10_000)) as Transition;
    expect(decodeTimestamp(first.endVersion.ts)).toBeGreaterThanOrEqual(observed);
    expect(first.modifications).toEqual([expect.objectContaining({ type: "QueryUpdated", queryId: 0, value: 1 })]);
    expect(lagging.received.filter((message) => message.type === "FatalError")).toEqual([]);
  });
});
