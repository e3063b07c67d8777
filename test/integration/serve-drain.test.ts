// `syncline serve` on SIGTERM (issue 21, test 11): two clients - ours and the official one - stream
// mutations while the server drains. /ready turns 503 at once and new sockets and requests are
// refused; an action and an HTTP action in flight finish; the sockets close with 1012; the
// process exits 0. A second server on the same database and port takes over (one SQLite file
// has one server at a time; the cluster's "another node" is the same move): both clients
// reconnect and resume, every acknowledged mutation is stored exactly once, and no promise hangs.

import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { runCodegen } from "../../src/codegen/index.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { startServe } from "../helpers/cli-process.js";
import { tempProject } from "../helpers/temp-project.js";
import { TEST_ENGINE, testDatabase } from "../helpers/test-database.js";
import { stopAndCheckExactlyOnce, streamMutations as stream, waitForMoreAcks } from "../helpers/mutation-stream.js";
import { waitFor } from "../helpers/wait.js";

const cleanups = cleanupAfterEach();

const FILES = {
  "load.ts": `import { action, mutation, query } from "./_generated/server";
import { v } from "syncline/values";
export const add = mutation({ args: { client: v.string(), n: v.number() }, handler: (ctx, args) => ctx.db.insert("writes", args) });
export const list = query({
  args: { client: v.string() },
  handler: async (ctx, { client }) => (await ctx.db.query("writes").collect()).filter((w) => w.client === client).map((w) => w.n),
});
export const slow = action({ args: { ms: v.number() }, handler: async (_ctx, { ms }) => { await new Promise((r) => setTimeout(r, ms)); return "done"; } });
`,
  "http.ts": `import { httpRouter } from "syncline/server";
import { httpAction } from "./_generated/server";
const http = httpRouter();
http.route({ path: "/slow", method: "GET", handler: httpAction(async () => { await new Promise((r) => setTimeout(r, 3_000)); return new Response("slow done"); }) });
export default http;
`,
};

const add = makeFunctionReference<"mutation", { client: string; n: number }, string>("mutation", "load:add");
const list = makeFunctionReference<"query", { client: string }, number[]>("query", "load:list");
const slow = makeFunctionReference<"action", { ms: number }, string>("action", "load:slow");

describe("syncline serve drains on SIGTERM", () => {
  it("loses no acknowledged mutation, leaves no promise hanging, closes with 1012, and both clients resume on the next server", async () => {
    const project = tempProject(FILES, cleanups);
    await runCodegen({ dir: project.dir });
    const db = TEST_ENGINE === "sqlite" ? join(project.root, "data.sqlite") : testDatabase();
    const first = await startServe(project.dir, ["--db", db, "--drain-timeout", "10000"], cleanups);
    const ports = ["--port", new URL(first.url).port, "--site-port", new URL(first.siteUrl).port];

    const ourLines: string[] = [];
    const keep = (...args: unknown[]) => void ourLines.push(args.join(" "));
    const ours = new SynclineClient(first.url, {
      WebSocket,
      verbose: true,
      logger: { debug: keep, info: keep, log: keep, warn: keep, error: keep },
      reconnectBackoff: { minMs: 100, maxMs: 500 },
    });
    cleanups.push(() => ours.close());
    const officialLines: string[] = [];
    const keepOfficial = (...args: unknown[]) => void officialLines.push(args.join(" "));
    const official = new ConvexClient(first.url, {
      webSocketConstructor: WebSocket as never,
      skipConvexDeploymentUrlCheck: true,
      unsavedChangesWarning: false,
      logger: { logVerbose() {}, log: keepOfficial, warn: keepOfficial, error: keepOfficial },
    });
    cleanups.push(() => official.close());

    const fromOurs = stream((n) => ours.mutation(add, { client: "ours", n }));
    const fromOfficial = stream((n) => official.mutation(anyApi.load!.add!, { client: "official", n }));
    await waitFor(() => Math.min(fromOurs.acked.size, fromOfficial.acked.size), (acked) => acked >= 20);

    // Work in flight when the signal comes: an action and an HTTP action, a few seconds long, so the
    // checks below run while the server drains (a loaded machine is slow to make them).
    const action = ours.action(slow, { ms: 3_500 });
    const httpAction = fetch(`${first.siteUrl}/slow`).then(async (response) => [response.status, await response.text()]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.signal("SIGTERM");

    // At once: not ready, still alive; new sockets and requests are refused with 503.
    const ready = await waitFor(() => fetch(`${first.url}/ready`).then(async (response) => [response.status, await response.json()]), ([status]) => status === 503, 5_000);
    expect(ready).toEqual([503, { ready: false, status: "draining" }]);
    const health = await fetch(`${first.url}/health`);
    expect([health.status, ((await health.json()) as { status: string }).status]).toEqual([200, "draining"]);
    const refusedSocket = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${first.url.replace("http", "ws")}/api/1.31.0/sync`);
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode!));
      socket.once("open", () => reject(new Error("a new socket was accepted during the drain")));
      socket.once("error", reject);
    });
    expect(refusedSocket).toBe(503);
    const refusedQuery = await fetch(`${first.url}/api/query`, { method: "POST", body: JSON.stringify({ path: "load:list", args: [{ client: "ours" }] }) });
    expect([refusedQuery.status, refusedQuery.headers.get("retry-after"), ((await refusedQuery.json()) as { code: string }).code]).toEqual([503, "1", "ServiceUnavailable"]);

    // What was in flight finished and was answered before the sockets closed.
    await expect(action).resolves.toBe("done");
    await expect(httpAction).resolves.toEqual([200, "slow done"]);
    expect(await first.exited).toBe(0);
    expect(first.logs.at(-1)).toMatchObject({ level: "info", finished: true, sockets: 2 });

    // Both clients saw 1012: ours reconnects at once (no backoff) and meets a closed port; the
    // official client waits its usual backoff.
    expect(ourLines.some((line) => /socket closed \(1012 Service Restart\); reconnecting in 0 ms/.test(line))).toBe(true);
    expect(officialLines).toContain("WebSocket closed with code 1012: Service Restart");

    const second = await startServe(project.dir, ["--db", db, ...ports], cleanups);
    expect(second.url).toBe(first.url);
    // Both clients resume on the new server: acknowledgements flow again. No promise hangs, and
    // every acknowledged mutation is stored, exactly once.
    await waitForMoreAcks({ ours: fromOurs, official: fromOfficial }, 20);
    await stopAndCheckExactlyOnce({ ours: fromOurs, official: fromOfficial }, (client) => ours.query(list, { client }));
    second.signal("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 120_000);

  it("exits at once on a second signal during the drain (a copy of the first within a second is the same signal)", async () => {
    const project = tempProject(FILES, cleanups);
    await runCodegen({ dir: project.dir });
    const db = TEST_ENGINE === "sqlite" ? join(project.root, "data.sqlite") : testDatabase();
    const server = await startServe(project.dir, ["--db", db, "--drain-timeout", "60000"], cleanups);
    const client = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => client.close());
    // An action the drain would wait a minute for.
    void client.action(slow, { ms: 60_000 }).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    server.signal("SIGTERM");
    await waitFor(() => fetch(`${server.url}/ready`).then((response) => response.status), (status) => status === 503, 5_000);
    // `npm run` forwards its own copy of a Ctrl-C: the same request, still draining.
    server.signal("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    server.signal("SIGTERM");
    expect(await server.exited).toBe(143);
    expect(server.logs.at(-1)).toMatchObject({ level: "warn", msg: "SIGTERM again: exiting without finishing the drain.", signal: "SIGTERM" });
  }, 60_000);
});
