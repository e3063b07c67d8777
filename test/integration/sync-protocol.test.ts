// The sync protocol on the server, frame by frame, with raw sockets against the real server.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "syncline/server";
import type { StateVersion, Transition } from "../../src/protocol/messages.js";
import { decodeTimestamp, encodeTimestamp } from "../../src/protocol/timestamp.js";
import { openRawSocket, type RawSocket } from "../helpers/raw-socket.js";
import { recordingLogger, startTestServer } from "../helpers/server.js";

let server: RunningServer;
const printed = recordingLogger();
beforeAll(async () => {
  server = await startTestServer({ pingAfterMs: 300, logger: printed.logger });
});
afterAll(() => server.close());

const add = (queryId: number, udfPath: string, args: Record<string, unknown>) => ({ type: "Add" as const, queryId, udfPath, args: [args] as [never] });
let versions = new WeakMap<RawSocket, number>();
function modify(socket: RawSocket, ...modifications: ({ type: "Remove"; queryId: number } | ReturnType<typeof add>)[]) {
  const base = versions.get(socket) ?? 0;
  versions.set(socket, base + 1);
  socket.send({ type: "ModifyQuerySet", baseVersion: base, newVersion: base + 1, modifications });
}
async function subscribed(queries: [number, string, Record<string, unknown>][]): Promise<{ socket: RawSocket; first: Transition }> {
  const socket = await openRawSocket(server.url);
  modify(socket, ...queries.map(([id, path, args]) => add(id, path, args)));
  return { socket, first: await socket.next("Transition") };
}
function mutate(socket: RawSocket, requestId: number, udfPath: string, args: Record<string, unknown>) {
  socket.send({ type: "Mutation", requestId, udfPath, args: [args as never] });
}
const sameVersion = (a: StateVersion, b: StateVersion) => expect(a).toEqual(b);

describe("subscriptions and transitions", () => {
  it("answers the first ModifyQuerySet in one transition from {0,0,0}", async () => {
    const { socket, first } = await subscribed([
      [0, "myFunctions:sum", { a: 1, b: 2 }],
      [1, "nested/deeper/things", {}],
    ]);
    expect(first.startVersion).toEqual({ querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" });
    expect(first.endVersion.querySet).toBe(1);
    expect(first.modifications).toEqual(
      expect.arrayContaining([
        { type: "QueryUpdated", queryId: 0, value: 3, logLines: [], journal: null },
        { type: "QueryUpdated", queryId: 1, value: "the default export", logLines: [], journal: null },
      ]),
    );
    socket.close();
  });

  it("chains transitions exactly and confirms Remove with QueryRemoved", async () => {
    const { socket, first } = await subscribed([[0, "behaviour:listRoom", { room: "chain" }]]);
    mutate(socket, 0, "behaviour:send", { room: "chain", body: "1" });
    const second = await socket.next("Transition");
    sameVersion(second.startVersion, first.endVersion);
    modify(socket, { type: "Remove", queryId: 0 });
    const third = await socket.next("Transition");
    sameVersion(third.startVersion, second.endVersion);
    expect(third.endVersion.querySet).toBe(2);
    expect(third.modifications).toEqual([{ type: "QueryRemoved", queryId: 0 }]);
    socket.close();
  });

  it("follows every mutation with a transition at or past its commit ts, even when nothing watched changed", async () => {
    const { socket } = await subscribed([]);
    mutate(socket, 0, "behaviour:send", { room: "unwatched", body: "x" });
    const response = await socket.next("MutationResponse");
    expect(response.success).toBe(true);
    const transition = await socket.next("Transition");
    expect(transition.modifications).toEqual([]);
    expect(decodeTimestamp(transition.endVersion.ts)).toBeGreaterThanOrEqual(decodeTimestamp((response as { ts: string }).ts));
    socket.close();
  });

  it("sends a query's new result to every socket watching it, from one execution", async () => {
    const sockets = await Promise.all(Array.from({ length: 30 }, () => subscribed([[0, "behaviour:listRoom", { room: "fan" }]])));
    const before = server.runtime.executionCount("behaviour:listRoom");
    mutate(sockets[0]!.socket, 0, "behaviour:send", { room: "fan", body: "hello all" });
    for (const { socket } of sockets) {
      const update = await socket.next("Transition");
      expect(update.modifications).toMatchObject([{ type: "QueryUpdated", queryId: 0, value: [{ body: "hello all" }] }]);
    }
    expect(server.runtime.executionCount("behaviour:listRoom") - before).toBe(1);
    for (const { socket } of sockets) socket.close();
  });

  it("shares identical subscriptions on one socket and whatever the key order", async () => {
    const before = server.runtime.executionCount("behaviour:echo");
    const { socket, first } = await subscribed([
      [0, "behaviour:echo", { a: 1, b: 2 }],
      [1, "behaviour:echo", { b: 2, a: 1 }],
    ]);
    expect(first.modifications).toHaveLength(2);
    expect(server.runtime.executionCount("behaviour:echo") - before).toBe(1);
    socket.close();
  });

  it("does not re-run a query for writes to another table or to a disjoint index range", async () => {
    const { socket } = await subscribed([[0, "behaviour:listRoom", { room: "quiet" }]]);
    const before = server.runtime.executionCount("behaviour:listRoom");
    mutate(socket, 0, "behaviour:send", { room: "elsewhere", body: "not yours" });
    mutate(socket, 1, "counter:increment", { name: "unrelated" });
    await socket.next("MutationResponse");
    await socket.next("MutationResponse");
    const transition = await socket.next("Transition");
    expect(transition.modifications).toEqual([]);
    expect(server.runtime.executionCount("behaviour:listRoom")).toBe(before);
    // ...but a write inside its range does.
    mutate(socket, 2, "behaviour:send", { room: "quiet", body: "yours" });
    expect((await socket.next("Transition", 5000)).modifications).toMatchObject([{ queryId: 0, value: [{ body: "yours" }] }]);
    expect(server.runtime.executionCount("behaviour:listRoom")).toBe(before + 1);
    socket.close();
  });

  it("prints every live query execution's log lines and failure on the server, as for mutations", async () => {
    const { socket } = await subscribed([
      [0, "behaviour:consoleExtras", {}],
      [1, "behaviour:failPlain", {}],
    ]);
    expect(printed.lines).toContain("query behaviour:consoleExtras [LOG] 'cart has 3 items'");
    expect(printed.lines).toContainEqual(expect.stringMatching(/^query behaviour:failPlain \[ERROR\] Uncaught Error: something secret broke/));
    socket.close();
  });

  it("reports query failures with their message, and AppError data", async () => {
    const { socket, first } = await subscribed([
      [0, "myFunctions:sum", { a: "x" }],
      [1, "plans:markPlanAsProfessional", {}],
      [2, "behaviour:failPlain", {}],
    ]);
    const byId = Object.fromEntries(first.modifications.map((m) => [m.queryId, m]));
    expect(byId[0]).toMatchObject({ type: "QueryFailed", errorMessage: expect.stringMatching(/args\.a: expected number/) });
    expect(byId[1]).toMatchObject({ type: "QueryFailed", errorMessage: "Could not find public function for 'plans:markPlanAsProfessional'." });
    expect(byId[2]).toMatchObject({ type: "QueryFailed", errorMessage: expect.stringMatching(/something secret broke/) });
    mutate(socket, 0, "behaviour:failWithData", { code: "X1" });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: false, errorData: { code: "X1", retry: false } });
    socket.close();
  });

  it("runs mutations from one socket in order and actions concurrently", async () => {
    const { socket } = await subscribed([]);
    for (let i = 0; i < 20; i++) mutate(socket, i, "counter:increment", { name: "ordered" });
    const results: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await socket.next("MutationResponse");
      expect(response.requestId).toBe(i);
      results.push((response as { result: number }).result);
    }
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    socket.send({ type: "Action", requestId: 20, udfPath: "behaviour:slowAction", args: [{ ms: 300 }] });
    socket.send({ type: "Action", requestId: 21, udfPath: "behaviour:slowAction", args: [{ ms: 300 }] });
    const a = (await socket.next("ActionResponse")) as unknown as { result: { started: number; ended: number } };
    const b = (await socket.next("ActionResponse")) as unknown as { result: { started: number; ended: number } };
    expect(Math.max(a.result.started, b.result.started)).toBeLessThan(Math.min(a.result.ended, b.result.ended));
    socket.close();
  });

  it("sends log lines with results", async () => {
    const { socket, first } = await subscribed([[0, "behaviour:logs", {}]]);
    expect(first.modifications[0]).toMatchObject({ logLines: ["[LOG] 'hi' 42", "[INFO] { a: 1 }", "[WARN] 'careful'", "[ERROR] 'bad'", "[DEBUG] 'details'"] });
    socket.close();
  });

  it("cuts transitions over 5,000,000 bytes into TransitionChunks", async () => {
    const socket = await openRawSocket(server.url);
    modify(socket, add(0, "behaviour:large", { megabytes: 6 }));
    const parts = [];
    for (;;) {
      const part = await socket.next("TransitionChunk", 10_000);
      parts.push(part);
      if (part.partNumber === part.totalParts - 1) break;
    }
    expect(parts.length).toBe(2);
    expect(new Set(parts.map((p) => p.transitionId)).size).toBe(1);
    for (const part of parts) expect(Buffer.byteLength(part.chunk)).toBeLessThanOrEqual(5_000_000);
    const joined = JSON.parse(parts.map((p) => p.chunk).join("")) as Transition;
    expect(joined.type).toBe("Transition");
    expect((joined.modifications[0] as { value: string[] }).value).toHaveLength(6);
    socket.close();
  });

  it("sends Ping after silence", async () => {
    const { socket } = await subscribed([]);
    await socket.next("Ping", 2000);
    socket.close();
  });

  it("sends no Ping while other messages flow (pingAfterMs 300: a message every 100 ms for 1 s), then one after silence", async () => {
    const { socket } = await subscribed([]);
    const started = Date.now();
    for (let requestId = 0; Date.now() - started < 1000; requestId++) {
      socket.send({ type: "Mutation", requestId, udfPath: "counter:increment", args: [{ name: "ping-quiet" }] });
      await socket.next("MutationResponse");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(socket.received.filter((m) => m.type === "Ping")).toEqual([]);
    const silentFrom = Date.now();
    await socket.next("Ping", 2000);
    expect(Date.now() - silentFrom).toBeGreaterThanOrEqual(150); // the silence counts from the last message sent
    socket.close();
  });
});

describe("connection handshake and identity", () => {
  it("Authenticate None bumps the identity version", async () => {
    const { socket, first } = await subscribed([]);
    socket.send({ type: "Authenticate", tokenType: "None", baseVersion: 0 });
    const next = await socket.next("Transition");
    sameVersion(next.startVersion, first.endVersion);
    expect(next.endVersion.identity).toBe(1);
    socket.close();
  });

  it("a user token gets AuthError (no provider configured) and then a close", async () => {
    const { socket } = await subscribed([]);
    socket.send({ type: "Authenticate", tokenType: "User", value: "a.b.c", baseVersion: 0 });
    expect(await socket.next("AuthError")).toMatchObject({ authUpdateAttempted: true, baseVersion: 0, error: expect.stringMatching(/No auth provider/) });
    expect((await socket.closed).code).toBe(1000);
  });

  it("closes with 1011 when the client has seen a timestamp the server has not reached", async () => {
    const socket = await openRawSocket(server.url, { connect: false });
    const future = server.db.latestTimestamp() + 10n ** 15n;
    socket.send({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 1, lastCloseReason: "x", maxObservedTimestamp: encodeTimestamp(future), clientTs: Date.now() });
    expect((await socket.closed).code).toBe(1011);
  });

  it("reports clientClockSkew (how far the client's clock is behind) and serverTs in nanoseconds", async () => {
    const socket = await openRawSocket(server.url, { connect: false });
    socket.send({ type: "Connect", sessionId: crypto.randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now() + 60_000 });
    modify(socket);
    const first = await socket.next("Transition");
    expect(first.clientClockSkew).toBeLessThan(-55_000);
    expect(Math.abs(first.serverTs! / 1e6 - Date.now())).toBeLessThan(5_000);
    socket.close();
  });
});

describe("bad frames get the documented answer and the server keeps serving others", () => {
  const fatal = async (frames: (string | object)[], expected: RegExp) => {
    const socket = await openRawSocket(server.url, { connect: false });
    for (const frame of frames) socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    expect((await socket.next("FatalError")).error).toMatch(expected);
    await socket.closed;
  };
  const connect = { type: "Connect", sessionId: "s", connectionCount: 0, lastCloseReason: null, clientTs: 0 };

  it("malformed JSON", () => fatal(["{nope"], /not JSON/));
  it("unknown message type", () => fatal([connect, { type: "Teleport" }], /Unknown message type "Teleport"/));
  it("a first message that is not Connect", () => fatal([{ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] }], /first message on a socket must be Connect/));
  it("wrong query set versions", () => fatal([connect, { type: "ModifyQuerySet", baseVersion: 3, newVersion: 4, modifications: [] }], /expected baseVersion 0/));
  it("Remove of an unknown query", () => fatal([connect, { type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Remove", queryId: 9 }] }], /query id 9 is not in the query set/));
  it("wrong identity version", () => fatal([connect, { type: "Authenticate", tokenType: "None", baseVersion: 5 }], /expected baseVersion 0/));
  it("a mutation without a request id", () => fatal([connect, { type: "Mutation", udfPath: "a:b", args: [{}] }], /"requestId" must be a u32/));

  it("oversized and invalid arguments fail the call, not the socket", async () => {
    const { socket } = await subscribed([]);
    const huge = Object.fromEntries(Array.from({ length: 18 }, (_, i) => [`f${i}`, "x".repeat(1_000_000)]));
    mutate(socket, 0, "behaviour:send", huge);
    expect(await socket.next("MutationResponse", 20_000)).toMatchObject({ success: false, result: expect.stringMatching(/^Arguments of behaviour:send are larger than the limit of 16777216 bytes/) });
    // The limit is in UTF-8 bytes: 6 M characters of "€" are 18 MB.
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, "€".repeat(300_000)]));
    mutate(socket, 4, "behaviour:send", wide);
    expect(await socket.next("MutationResponse", 20_000)).toMatchObject({ success: false, result: expect.stringMatching(/^Arguments of behaviour:send are larger than the limit/) });
    mutate(socket, 3, "behaviour:send", { $room: "r" });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: false, result: 'args: unknown type tag "$room" (field names must not start with "$")' });
    mutate(socket, 1, "behaviour:send", { room: 1 });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: false, result: expect.stringMatching(/args\.room: expected string/) });
    mutate(socket, 2, "behaviour:send", { room: "ok", body: "still here" });
    expect(await socket.next("MutationResponse")).toMatchObject({ success: true });
    socket.close();
  });

  it("absorbs a flood of mutations by backpressure instead of closing the socket", async () => {
    const { socket } = await subscribed([]);
    const frames = Array.from({ length: 1100 }, (_, i) => JSON.stringify({ type: "Mutation", requestId: i, udfPath: "behaviour:spin", args: [{ ms: 2 }] }));
    for (const frame of frames) socket.send(frame);
    for (let i = 0; i < frames.length; i++) expect(await socket.next("MutationResponse", 30_000)).toMatchObject({ requestId: i, success: true });
    socket.close();
  });

  it("and others were served all along", async () => {
    const { socket, first } = await subscribed([[0, "myFunctions:sum", { a: 20, b: 22 }]]);
    expect(first.modifications[0]).toMatchObject({ value: 42 });
    socket.close();
  });
});
