// `syncline serve` on SIGTERM in a cluster (issue 21, test 11): two nodes on one Postgres behind a
// load balancer, clients on both streaming mutations. The leader drains: its clients move to the
// other node, which takes over the lead; nothing acknowledged is lost or doubled, no promise
// hangs, and the drained node exits 0.

import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { runCodegen } from "../../../src/codegen/index.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { startServe, type ServeProcess } from "../../helpers/cli-process.js";
import { NODE_SECRET } from "../../helpers/cluster-nodes.js";
import { startLoadBalancer } from "../../helpers/load-balancer.js";
import { stopAndCheckExactlyOnce, streamMutations, waitForMoreAcks } from "../../helpers/mutation-stream.js";
import { tempProject } from "../../helpers/temp-project.js";
import { usePostgresCluster } from "../../helpers/use-postgres-cluster.js";
import { waitFor } from "../../helpers/wait.js";

const FILES = {
  "load.ts": `import { mutation, query } from "./_generated/server";
import { v } from "syncline/values";
export const add = mutation({ args: { client: v.string(), n: v.number() }, handler: (ctx, args) => ctx.db.insert("writes", args) });
export const list = query({
  args: { client: v.string() },
  handler: async (ctx, { client }) => (await ctx.db.query("writes").collect()).filter((w) => w.client === client).map((w) => w.n),
});
`,
};
const add = makeFunctionReference<"mutation", { client: string; n: number }, string>("mutation", "load:add");
const list = makeFunctionReference<"query", { client: string }, number[]>("query", "load:list");

interface Health {
  nodeId: string;
  role: string;
  epoch: number;
}
const health = async (node: ServeProcess): Promise<Health> => (await fetch(`${node.url}/health`)).json() as Promise<Health>;

const cleanups = cleanupAfterEach();
const postgres = usePostgresCluster();

describe("syncline serve in a cluster drains on SIGTERM", () => {
  it("the leader drains: its clients move to the other node, which takes the lead; nothing is lost, doubled or left hanging", async () => {
    const project = tempProject(FILES, cleanups);
    await runCodegen({ dir: project.dir });
    const db = postgres.createDatabase();
    const node = (id: string) => startServe(project.dir, ["--db", db, "--node-id", id, "--drain-timeout", "10000"], cleanups, { SYNCLINE_NODE_SECRET: NODE_SECRET });
    const a = await node("node-a");
    const b = await node("node-b");
    expect([(await health(a)).role, (await health(b)).role]).toEqual(["leader", "follower"]);
    const epochBefore = (await health(a)).epoch;
    const balancer = await startLoadBalancer([a.url, b.url]);
    cleanups.push(() => balancer.close());

    // Round robin: ours lands on A (the leader), the official client on B (a follower).
    const ours = new SynclineClient(balancer.url, { WebSocket, logger: false, reconnectBackoff: { minMs: 100, maxMs: 500 } });
    cleanups.push(() => ours.close());
    await ours.query(list, { client: "ours" });
    const official = new ConvexClient(balancer.url, { webSocketConstructor: WebSocket as never, skipConvexDeploymentUrlCheck: true, unsavedChangesWarning: false, logger: false });
    cleanups.push(() => official.close());
    const fromOurs = streamMutations((n) => ours.mutation(add, { client: "ours", n }));
    const fromOfficial = streamMutations((n) => official.mutation(anyApi.load!.add!, { client: "official", n }));
    await waitFor(() => Math.min(fromOurs.acked.size, fromOfficial.acked.size), (acked) => acked >= 20, 30_000);

    a.signal("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(a.logs.at(-1)).toMatchObject({ level: "info", finished: true });
    // B took over the lead, under a newer epoch.
    const taken = await waitFor(() => health(b), (h) => h.role === "leader", 10_000);
    expect(taken.epoch).toBeGreaterThan(epochBefore);
    // Both clients go on, now through B alone; nothing acknowledged is lost or doubled.
    await waitForMoreAcks({ ours: fromOurs, official: fromOfficial }, 20);
    await stopAndCheckExactlyOnce({ ours: fromOurs, official: fromOfficial }, (client) => ours.query(list, { client }));
    b.signal("SIGTERM");
    expect(await b.exited).toBe(0);
  }, 120_000);
});
