// What the client does with what the server sends: chained versions, chunked transitions,
// violations (protocol.md §4, §5, §10).

import { afterEach, describe, expect, it } from "vitest";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { fn, harness, settle, until, watchWithResult, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

async function subscribed() {
  h = await harness();
  return watchWithResult(h, ["first"]);
}

describe("transitions", () => {
  it("refuses a transition whose startVersion is not the current version: never applied, socket replaced", async () => {
    const { watch, socket } = await subscribed();
    socket.send({
      type: "Transition",
      startVersion: { querySet: 1, identity: 0, ts: encodeTimestamp(1n) }, // wrong ts
      endVersion: { querySet: 1, identity: 0, ts: encodeTimestamp(h.server.nextTs()) },
      modifications: [{ type: "QueryUpdated", queryId: 0, value: ["bogus"], logLines: [], journal: null }],
    });
    const closed = await socket.closed;
    expect(closed.reason).toBe("ProtocolViolation");
    expect(watch.getCurrentResult().value).toEqual(["first"]);
    expect(h.log.lines.some((l) => l.level === "error" && l.text.includes("transitions must chain"))).toBe(true);
    const next = await h.server.nextConnection(2_000); // client-detected: 100 ms base
    expect((await next.next("Connect")).lastCloseReason).toBe("ProtocolViolation");
  });

  it("reassembles a chunked transition", async () => {
    const { watch, socket } = await subscribed();
    const big = Array.from({ length: 2_000 }, (_, i) => `message number ${i}`);
    const transition = socket.buildTransition([{ type: "QueryUpdated", queryId: 0, value: big, logLines: [], journal: null }]);
    socket.sendChunked(transition, 4, "big-1");
    await until(() => watch.getCurrentResult().value?.length === 2_000);
    expect(watch.getCurrentResult().value).toEqual(big);
    expect(socket.isOpen).toBe(true);
  });

  it("discards chunks that arrive out of order and reconnects instead of applying anything", async () => {
    const { watch, socket } = await subscribed();
    const transition = socket.buildTransition([{ type: "QueryUpdated", queryId: 0, value: ["chunked"], logLines: [], journal: null }]);
    const text = JSON.stringify(transition);
    const half = Math.ceil(text.length / 2);
    socket.send({ type: "TransitionChunk", chunk: text.slice(half), partNumber: 1, totalParts: 2, transitionId: "x" });
    socket.send({ type: "TransitionChunk", chunk: text.slice(0, half), partNumber: 0, totalParts: 2, transitionId: "x" });
    expect((await socket.closed).reason).toBe("ProtocolViolation");
    expect(watch.getCurrentResult().value).toEqual(["first"]);
  });

  it("discards a chunk sequence interrupted by another message", async () => {
    const { watch, socket } = await subscribed();
    const transition = socket.buildTransition([{ type: "QueryUpdated", queryId: 0, value: ["chunked"], logLines: [], journal: null }]);
    const text = JSON.stringify(transition);
    socket.send({ type: "TransitionChunk", chunk: text.slice(0, 10), partNumber: 0, totalParts: 2, transitionId: "x" });
    socket.send({ type: "Ping" });
    expect((await socket.closed).reason).toBe("ProtocolViolation");
    expect(watch.getCurrentResult().value).toEqual(["first"]);
  });

  it("treats a frame that is not JSON as a violation", async () => {
    const { socket } = await subscribed();
    socket.send("{not json");
    expect((await socket.closed).reason).toBe("ProtocolViolation");
  });

  it("ignores results for queries it no longer holds, and answers for requests it does not know", async () => {
    const { watch, socket } = await subscribed();
    socket.transition([{ type: "QueryUpdated", queryId: 42, value: ["stranger"], logLines: [], journal: null }]);
    socket.send({ type: "MutationResponse", requestId: 99, success: true, result: null, ts: encodeTimestamp(h.server.nextTs()), logLines: [] });
    socket.send({ type: "ActionResponse", requestId: 98, success: true, result: null, logLines: [] });
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["second"], logLines: [], journal: null }]);
    await until(() => watch.getCurrentResult().value?.[0] === "second");
    expect(socket.isOpen).toBe(true);
  });

  it("logs a FatalError and comes back on a new socket", async () => {
    const { socket } = await subscribed();
    socket.send({ type: "FatalError", error: "you broke it" });
    await socket.close(1011, "fatal");
    expect(h.log.lines.some((l) => l.level === "error" && l.text.includes("you broke it"))).toBe(true);
    const next = await h.server.nextConnection(3_000);
    await next.next("ModifyQuerySet");
    await settle();
  });
});

describe("messages the client does not expect", () => {
  it("ignores a message of an unknown type and keeps the socket", async () => {
    h = await harness({ server: { auto: { query: () => ["v"] } } });
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.send(JSON.stringify({ type: "SomethingNew", x: 1 }));
    await settle();
    expect(socket.isOpen).toBe(true);
    expect(h.server.connections).toHaveLength(1);
  });

  it("resolves a mutation at once when its response arrives after a transition already past its ts", async () => {
    h = await harness();
    const done = h.client.mutation(fn.send, { room: "a", body: "x" });
    const socket = await h.server.nextConnection();
    const sent = await socket.next("Mutation");
    const commitTs = h.server.nextTs();
    socket.transition([], { ts: commitTs + 5n });
    await settle();
    socket.send({ type: "MutationResponse", requestId: sent.requestId, success: true, result: null, ts: encodeTimestamp(commitTs), logLines: [] });
    await expect(done).resolves.toBe(null);
  });
});
