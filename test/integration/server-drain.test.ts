// `RunningServer.drain()` frame by frame, in process (what `syncline serve` runs on SIGTERM, and
// what an embedder calls): the requests a socket sent before the drain are answered - the
// mutation's response and the transition that lets the client resolve it included - before the
// socket closes with 1012; /ready and every new request answer 503 meanwhile; a drain timeout
// cuts off what is still running.

import { describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import { decodeTimestamp } from "../../src/protocol/timestamp.js";
import { cleanupAfterEach } from "../helpers/cleanups.js";
import { openRawSocket } from "../helpers/raw-socket.js";
import { tempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

const cleanups = cleanupAfterEach();

async function serve(): Promise<RunningServer> {
  const project = tempProject(
    {
      "notes.ts": `import { action, mutation, query } from "syncline/server";
import { v } from "syncline/values";
export const add = mutation({ args: { body: v.string() }, handler: (ctx, args) => ctx.db.insert("notes", args) });
export const count = query({ args: {}, handler: async (ctx) => (await ctx.db.query("notes").collect()).length });
export const slow = action({ args: { ms: v.number() }, handler: async (_ctx, { ms }) => { await new Promise((r) => setTimeout(r, ms)); return "done"; } });
`,
    },
    cleanups,
  );
  const server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
  cleanups.push(() => server.close());
  return server;
}

describe("RunningServer.drain", () => {
  it("answers what a socket sent before the drain, with the transition its mutation waits for, then closes it with 1012", async () => {
    const server = await serve();
    expect(server.state).toBe("serving");
    const socket = await openRawSocket(server.url);
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "notes:count", args: [{}] }] });
    await socket.next("Transition");
    socket.send({ type: "Action", requestId: 0, udfPath: "notes:slow", args: [{ ms: 400 }] });
    socket.send({ type: "Mutation", requestId: 1, udfPath: "notes:add", args: [{ body: "sent before the drain" }] });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const draining = server.drain({ timeoutMs: 10_000 });
    expect(server.state).toBe("draining");
    const ready = await fetch(`${server.url}/ready`);
    expect([ready.status, await ready.json()]).toEqual([503, { ready: false, status: "draining" }]);
    const query = await fetch(`${server.url}/api/query`, { method: "POST", body: JSON.stringify({ path: "notes:count", args: [{}] }) });
    expect(query.status).toBe(503);

    const outcome = await draining;
    expect(outcome).toMatchObject({ finished: true, sockets: 1, requestsCutOff: 0 });
    expect(server.state).toBe("closed");
    expect(await socket.closed).toEqual({ code: 1012, reason: "Service Restart" });
    const mutation = socket.received.find((message) => message.type === "MutationResponse");
    expect(mutation).toMatchObject({ requestId: 1, success: true });
    expect(socket.received.find((message) => message.type === "ActionResponse")).toMatchObject({ requestId: 0, success: true, result: "done" });
    // The last transition reaches the mutation's commit and shows its write.
    const transitions = socket.received.filter((message) => message.type === "Transition");
    const last = transitions.at(-1)!;
    expect(decodeTimestamp(last.endVersion.ts)).toBeGreaterThanOrEqual(decodeTimestamp((mutation as { ts: string }).ts));
    expect(transitions.flatMap((transition) => transition.modifications)).toContainEqual(expect.objectContaining({ queryId: 0, value: 1 }));
  });

  it("stops waiting at the timeout: what still runs is cut off, the sockets close with 1012 all the same", async () => {
    const server = await serve();
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Action", requestId: 0, udfPath: "notes:slow", args: [{ ms: 5_000 }] });
    const slowRequest = fetch(`${server.url}/api/action`, { method: "POST", body: JSON.stringify({ path: "notes:slow", args: [{ ms: 5_000 }] }) }).catch(
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const outcome = await server.drain({ timeoutMs: 200 });
    expect(outcome).toMatchObject({ finished: false, sockets: 1, requestsCutOff: 1 });
    expect(await socket.closed).toEqual({ code: 1012, reason: "Service Restart" });
    expect(socket.received.some((message) => message.type === "ActionResponse")).toBe(false);
    // The cut-off HTTP request's connection is closed under it: an error, not a hang.
    expect(await slowRequest).toBeInstanceOf(Error);
  });

  it("a socket that never subscribed drains at once (there is no transition to wait for)", async () => {
    const server = await serve();
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ body: "no queries" }] });
    await socket.next("MutationResponse");
    expect(await server.drain({ timeoutMs: 10_000 })).toMatchObject({ finished: true, sockets: 1 });
    expect((await socket.closed).code).toBe(1012);
  });
});
