// Edges of the sync endpoint: malformed frames,
// exactly-once mutations across sockets of one session (protocol.md §8), read-your-writes (§7),
// consistent snapshots across tables, sockets dropped mid-mutation, and cleanup after closes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "syncline/server";
import type { Transition } from "../../src/protocol/messages.js";
import { decodeTimestamp } from "../../src/protocol/timestamp.js";
import WebSocket from "ws";
import { openRawSocket } from "../helpers/raw-socket.js";
import { startTestServer } from "../helpers/server.js";
import { tempProject, type TempProject } from "../helpers/temp-project.js";
import { testDatabase } from "../helpers/test-database.js";

let server: RunningServer;
let project: TempProject;
let bank: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
  project = tempProject({
    "bank.ts": `import { mutation, query } from "syncline/server";
      async function balance(ctx: any, table: string) { return (await ctx.db.query(table).first())?.amount ?? 0; }
      export const open = mutation(async (ctx) => { await ctx.db.insert("left", { amount: 100 }); await ctx.db.insert("right", { amount: 0 }); });
      // Moves one unit from one table to the other: the total never changes.
      export const move = mutation(async (ctx) => {
        const l = await ctx.db.query("left").first(); const r = await ctx.db.query("right").first();
        await ctx.db.patch(l._id, { amount: l.amount - 1 });
        await ctx.db.patch(r._id, { amount: r.amount + 1 });
        return r.amount + 1;
      });
      export const total = query(async (ctx) => (await balance(ctx, "left")) + (await balance(ctx, "right")));
      export const right = query(async (ctx) => balance(ctx, "right"));
      export const slowMove = mutation(async (ctx, { ms }: { ms: number }) => {
        const until = performance.now() + ms; while (performance.now() < until);
        const r = await ctx.db.query("right").first();
        await ctx.db.patch(r._id, { amount: r.amount + 1 });
        return r.amount + 1;
      });`,
  });
  bank = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
  const socket = await openRawSocket(bank.url);
  socket.send({ type: "Mutation", requestId: 0, udfPath: "bank:open", args: [{}] });
  await socket.next("MutationResponse");
  socket.close();
});
afterAll(async () => {
  await server?.close();
  await bank?.close();
  project?.remove();
});

const connect = (sessionId = crypto.randomUUID(), connectionCount = 0) => ({ type: "Connect", sessionId, connectionCount, lastCloseReason: connectionCount === 0 ? "InitialConnect" : "closed with code 1006", clientTs: Date.now() });
const add = (queryId: number, udfPath: string, args: object = {}) => ({ type: "Add", queryId, udfPath, args: [args] });

async function fatal(frames: (string | object | Buffer)[]): Promise<{ error: string; code: number }> {
  const socket = await openRawSocket(server.url, { connect: false });
  for (const frame of frames) {
    if (Buffer.isBuffer(frame)) (socket as unknown as { send(m: unknown): void }).send(frame as never);
    else socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  const { error } = await socket.next("FatalError");
  const { code } = await socket.closed;
  return { error, code };
}

describe("malformed frames end the socket with FatalError and a close", () => {
  it.each([
    ["a JSON array", [[1, 2]], /not a JSON object/],
    ["a JSON string", ['"Connect"'], /not a JSON object/],
    ["Connect twice", [connect(), connect()], /Connect was sent twice/],
    ["a duplicate query id in one Add batch", [connect(), { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(1, "myFunctions:sum"), add(1, "myFunctions:sum")] }], /query id 1 is already in the query set/],
    ["newVersion not baseVersion + 1", [connect(), { type: "ModifyQuerySet", baseVersion: 0, newVersion: 2, modifications: [] }], /expected baseVersion 0 and newVersion 1/],
    ["Add args that are not a one-element array", [connect(), { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "a:b", args: [{}, {}] }] }], /"args" must be an array of one encoded object/],
    ["Mutation args that are an object", [connect(), { type: "Mutation", requestId: 0, udfPath: "a:b", args: {} }], /"args" must be an array of one encoded object/],
    ["a negative query id", [connect(), { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(-1, "a:b")] }], /"queryId" must be a u32/],
    ["a fractional request id", [connect(), { type: "Action", requestId: 1.5, udfPath: "a:b", args: [{}] }], /"requestId" must be a u32/],
    ["a request id past u32", [connect(), { type: "Mutation", requestId: 2 ** 32, udfPath: "a:b", args: [{}] }], /"requestId" must be a u32/],
    ["an unknown modification", [connect(), { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Replace", queryId: 0 }] }], /unknown modification type "Replace"/],
    ["an unknown token type", [connect(), { type: "Authenticate", tokenType: "Magic", baseVersion: 0 }], /unknown tokenType "Magic"/],
    ["a bad maxObservedTimestamp", [{ ...connect(), maxObservedTimestamp: "AAAA" }], /bad maxObservedTimestamp/],
  ])("%s", async (_label, frames, expected) => {
    const { error, code } = await fatal(frames as never);
    expect(error).toMatch(expected);
    expect(code).toBe(1002);
  });

  it("a binary frame", async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, "ws")}/api/1.31.0/sync`);
    const messages: { type: string; error?: string }[] = [];
    ws.on("message", (data) => messages.push(JSON.parse(data.toString()) as { type: string }));
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send(Buffer.from(JSON.stringify(connect())), { binary: true });
    const code = await new Promise<number>((resolve) => ws.once("close", resolve));
    expect(messages).toEqual([{ type: "FatalError", error: expect.stringMatching(/Binary frames/) }]);
    expect(code).toBe(1002);
  });

  it("a rejected ModifyQuerySet changes nothing: no subscription is left behind", async () => {
    const before = server.sync.manager.size;
    await fatal([connect(), { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "behaviour:echo", { leak: 1 }), { type: "Remove", queryId: 7 }] }]);
    expect(server.sync.manager.size).toBe(before);
  });

  it("Event messages, even unknown ones, are accepted and ignored", async () => {
    const socket = await openRawSocket(server.url);
    socket.send(JSON.stringify({ type: "Event", eventType: "whatever", event: { a: 1 } }));
    socket.send(JSON.stringify({ type: "Event" }));
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "myFunctions:sum", { a: 1, b: 1 }) as never] });
    expect((await socket.next("Transition")).modifications).toMatchObject([{ queryId: 0, value: 2 }]);
    socket.close();
  });

  it("Admin tokens are refused with AuthError (authUpdateAttempted: true) and a normal close", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Authenticate", tokenType: "Admin", value: "secret-admin-key", baseVersion: 0 } as never);
    expect(await socket.next("AuthError")).toMatchObject({ authUpdateAttempted: true, baseVersion: 0 });
    expect((await socket.closed).code).toBe(1000);
    expect(socket.received.at(-1)!.type).toBe("AuthError");
  });

  it("closed sockets release their subscriptions and are no longer counted", async () => {
    const before = { subs: server.sync.manager.size, sockets: server.sync.connections };
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openRawSocket(server.url)));
    sockets.forEach((socket, i) => socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "behaviour:echo", { cleanup: i }) as never] }));
    await Promise.all(sockets.map((socket) => socket.next("Transition")));
    expect(server.sync.manager.size).toBe(before.subs + 20);
    for (const socket of sockets) socket.close();
    await Promise.all(sockets.map((socket) => socket.closed));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.sync.manager.size).toBe(before.subs);
    expect(server.sync.connections).toBeLessThanOrEqual(before.sockets);
  });
});

describe("function names and kinds over the socket", () => {
  it("an internal mutation and a missing one get the same error; a query called as a mutation says so", async () => {
    const socket = await openRawSocket(server.url);
    socket.send({ type: "Mutation", requestId: 0, udfPath: "behaviour:hidden", args: [{}] });
    socket.send({ type: "Mutation", requestId: 1, udfPath: "behaviour:nope", args: [{}] });
    socket.send({ type: "Mutation", requestId: 2, udfPath: "counter:get", args: [{ name: "x" }] });
    socket.send({ type: "Action", requestId: 3, udfPath: "behaviour:hidden", args: [{}] });
    socket.send({ type: "Mutation", requestId: 4, udfPath: "counter:increment", args: [5 as never] });
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 0, success: false, result: "Could not find public function for 'behaviour:hidden'." });
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 1, success: false, result: "Could not find public function for 'behaviour:nope'." });
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 2, success: false, result: "Trying to execute counter:get as Mutation, but it is defined as Query." });
    expect(await socket.next("ActionResponse")).toMatchObject({ requestId: 3, success: false, result: "Could not find public function for 'behaviour:hidden'." });
    expect(await socket.next("MutationResponse")).toMatchObject({ requestId: 4, success: false, result: expect.stringMatching(/must be an object/) });
    socket.close();
  });
});

describe("exactly-once mutations (§8)", () => {
  it("a mutation resent on the next socket of the same session answers from the record: same result and ts, run once", async () => {
    const sessionId = crypto.randomUUID();
    const name = `once-${sessionId}`;
    const first = await openRawSocket(server.url, { sessionId });
    first.send({ type: "Mutation", requestId: 7, udfPath: "counter:increment", args: [{ name }] });
    const original = await first.next("MutationResponse");
    first.close();
    await first.closed;

    const executions = server.runtime.executionCount("counter:increment");
    const second = await openRawSocket(server.url, { connect: false });
    second.send(connect(sessionId, 1) as never);
    second.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "counter:get", { name }) as never] });
    second.send({ type: "Mutation", requestId: 7, udfPath: "counter:increment", args: [{ name }] });
    const replayed = await second.next("MutationResponse");
    expect(replayed).toEqual(original);
    expect(server.runtime.executionCount("counter:increment")).toBe(executions);
    // Read-your-writes still holds for a replayed answer: a transition reaches its ts.
    const ts = decodeTimestamp((replayed as { ts: string }).ts);
    for (;;) {
      const t = await second.next("Transition");
      if (decodeTimestamp(t.endVersion.ts) >= ts) break;
    }
    second.close();

    // Another session with the same request id is another mutation.
    const other = await openRawSocket(server.url);
    other.send({ type: "Mutation", requestId: 7, udfPath: "counter:increment", args: [{ name }] });
    expect(await other.next("MutationResponse")).toMatchObject({ success: true, result: 2 });
    other.close();
  });

  it("a failed mutation is not recorded: resent, it runs again", async () => {
    const sessionId = crypto.randomUUID();
    const first = await openRawSocket(server.url, { sessionId });
    first.send({ type: "Mutation", requestId: 0, udfPath: "behaviour:failWithData", args: [{ code: "A" }] });
    expect(await first.next("MutationResponse")).toMatchObject({ success: false });
    first.close();
    const executions = server.runtime.executionCount("behaviour:failWithData");
    const second = await openRawSocket(server.url, { connect: false });
    second.send(connect(sessionId, 1) as never);
    second.send({ type: "Mutation", requestId: 0, udfPath: "behaviour:failWithData", args: [{ code: "A" }] });
    expect(await second.next("MutationResponse")).toMatchObject({ success: false, errorData: { code: "A" } });
    expect(server.runtime.executionCount("behaviour:failWithData")).toBe(executions + 1);
    second.close();
  });

  it("a socket dropped mid-mutation: the mutation commits once, its resend on a new socket is answered from the record", async () => {
    const sessionId = crypto.randomUUID();
    const readRight = async () => {
      const s = await openRawSocket(bank.url);
      s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "bank:right") as never] });
      const value = ((await s.next("Transition")).modifications[0] as { value: number }).value;
      s.close();
      return value;
    };
    const before = await readRight();
    const first = await openRawSocket(bank.url, { sessionId });
    first.send({ type: "Mutation", requestId: 3, udfPath: "bank:slowMove", args: [{ ms: 300 }] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.close(); // while the mutation runs
    const second = await openRawSocket(bank.url, { connect: false });
    second.send(connect(sessionId, 1) as never);
    second.send({ type: "Mutation", requestId: 3, udfPath: "bank:slowMove", args: [{ ms: 300 }] });
    expect(await second.next("MutationResponse", 10_000)).toMatchObject({ success: true, result: before + 1 });
    second.close();
    expect(await readRight()).toBe(before + 1);
    expect(bank.runtime.executionCount("bank:slowMove")).toBe(1);
  });
});

describe("snapshots and chaining", () => {
  it("a query over two tables never shows half a mutation, and every transition chains with a ts that never goes back", async () => {
    const start = await openRawSocket(bank.url);
    start.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(1, "bank:right") as never] });
    const initialRight = ((await start.next("Transition")).modifications[0] as { value: number }).value;
    start.close();
    const socket = await openRawSocket(bank.url);
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "bank:total") as never, add(1, "bank:right") as never] });
    const transitions: Transition[] = [await socket.next("Transition")];
    const total = (transitions[0]!.modifications.find((m) => m.queryId === 0) as { value: number }).value;
    const writer = await openRawSocket(bank.url);
    for (let i = 0; i < 30; i++) writer.send({ type: "Mutation", requestId: i, udfPath: "bank:move", args: [{}] });
    for (let i = 0; i < 30; i++) expect(await writer.next("MutationResponse")).toMatchObject({ success: true });
    const rightShown = () => transitions.flatMap((t) => t.modifications).filter((m) => m.queryId === 1 && m.type === "QueryUpdated").at(-1) as { value: number };
    while (rightShown().value !== initialRight + 30) transitions.push(await socket.next("Transition"));
    for (let i = 1; i < transitions.length; i++) {
      expect(transitions[i]!.startVersion).toEqual(transitions[i - 1]!.endVersion);
      expect(decodeTimestamp(transitions[i]!.endVersion.ts)).toBeGreaterThanOrEqual(decodeTimestamp(transitions[i - 1]!.endVersion.ts));
    }
    for (const t of transitions) {
      for (const m of t.modifications) if (m.queryId === 0) expect(m).toMatchObject({ type: "QueryUpdated", value: total });
    }
    socket.close();
    writer.close();
  });

  it("read-your-writes: after a MutationResponse comes a transition at or past its ts that holds its effect", async () => {
    const socket = await openRawSocket(server.url);
    const name = `ryw-${crypto.randomUUID()}`;
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(0, "counter:get", { name }) as never] });
    await socket.next("Transition");
    socket.send({ type: "Mutation", requestId: 0, udfPath: "counter:increment", args: [{ name }] });
    const response = await socket.next("MutationResponse");
    const ts = decodeTimestamp((response as { ts: string }).ts);
    let seen: unknown;
    for (;;) {
      const t = await socket.next("Transition");
      for (const m of t.modifications) if (m.queryId === 0 && m.type === "QueryUpdated") seen = m.value;
      if (decodeTimestamp(t.endVersion.ts) >= ts) break;
    }
    expect(seen).toBe(1);
    socket.close();
  });

  it("a re-added query keeps its queryId across reconnects and the first transition goes from {0,0,0}", async () => {
    const socket = await openRawSocket(server.url, { connect: false });
    socket.send(connect(crypto.randomUUID(), 3) as never);
    socket.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [add(41, "myFunctions:sum", { a: 2, b: 3 }) as never] });
    const first = await socket.next("Transition");
    expect(first.startVersion).toEqual({ querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" });
    expect(first.modifications).toEqual([{ type: "QueryUpdated", queryId: 41, value: 5, logLines: [], journal: null }]);
    socket.close();
  });
});
