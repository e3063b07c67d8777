// Server messages the client cannot read (protocol.md §4): the socket is replaced, and nothing is
// half-applied or lost on the way - no result stored unseen, no call left pending for good.

import { afterEach, describe, expect, it } from "vitest";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { fn, harness, settle, until, watchWithResult, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

/** Records whether (and how) a promise settled, without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; outcome?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, outcome: value }),
    (error: unknown) => Object.assign(state, { settled: true, outcome: error }),
  );
  return state;
}

/** errorData that is not a value (§11.1: `$integer` must be exactly 8 bytes). */
const UNDECODABLE = { $integer: "AQ==" } as never;

describe("a failed response whose errorData does not decode", () => {
  it("keeps tracking the mutation (or settles it) and does not leave its optimistic value on screen", async () => {
    h = await harness();
    const { watch, socket } = await watchWithResult(h, ["old"]);

    const mutation = track(
      h.client.mutation(fn.send, { room: "a", body: "x" }, { optimisticUpdate: (store) => store.setQuery(fn.list, { room: "a" }, ["old", "x?"]) }),
    );
    const sent = await socket.next("Mutation");
    socket.send({ type: "MutationResponse", requestId: sent.requestId, success: false, result: "denied", errorData: UNDECODABLE, logLines: [] });
    // The client treats the frame as a protocol violation and reconnects.
    await socket.closed;
    const second = await h.server.nextConnection(3_000);
    await second.next("ModifyQuerySet");
    second.transition([{ type: "QueryUpdated", queryId: 0, value: ["old"], logLines: [], journal: null }]);
    await settle();

    // Whatever the client makes of the bad frame, the mutation must not vanish: it is either
    // still tracked (in flight, resent on the new socket) or settled. Here it is neither.
    const tracked = h.client.debug().inflight.length > 0;
    expect(tracked || mutation.settled, "mutation neither in flight nor settled").toBe(true);
    // And an optimistic value must not outlive the mutation's bookkeeping.
    expect(!tracked && watch.getCurrentResult().value?.includes("x?"), "optimistic value of an untracked mutation still shown").toBe(false);
  });

  it("close() rejects a mutation whose failure response did not decode (nothing hangs forever)", async () => {
    h = await harness();
    const mutation = track(h.client.mutation(fn.send, { room: "a", body: "x" }));
    const socket = await h.server.nextConnection();
    const sent = await socket.next("Mutation");
    socket.send({ type: "MutationResponse", requestId: sent.requestId, success: false, result: "denied", errorData: UNDECODABLE, logLines: [] });
    await socket.closed;
    await h.client.close();
    await settle();
    expect(mutation.settled).toBe(true);
  });

  it("close() rejects an action whose failure response did not decode (nothing hangs forever)", async () => {
    h = await harness();
    const action = track(h.client.action(fn.slow, { ms: 1 }));
    const socket = await h.server.nextConnection();
    const sent = await socket.next("Action");
    socket.send({ type: "ActionResponse", requestId: sent.requestId, success: false, result: "boom", errorData: UNDECODABLE, logLines: [] });
    await socket.closed;
    await h.client.close();
    await settle();
    expect(action.settled).toBe(true);
  });
});

describe("a transition the client fails to process", () => {
  it("is not half-applied: once the next socket sends the same result properly, listeners see it", async () => {
    h = await harness();
    const seen: unknown[] = [];
    const { watch, socket } = await watchWithResult(h, ["old"], (value) => seen.push(value));

    // A QueryUpdated without its (required) logLines: the client gives up on this socket...
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["new"], journal: null } as never]);
    await socket.closed;
    // ...and the next socket sends the same result, well formed.
    const second = await h.server.nextConnection(3_000);
    await second.next("ModifyQuerySet");
    second.transition([{ type: "QueryUpdated", queryId: 0, value: ["new"], logLines: [], journal: null }]);
    await until(() => h.client.debug().versions.querySet === 1 && h.client.debug().versions.ts !== "0");
    await settle();

    // The server result was stored by the failed transition without telling anyone, so the
    // well-formed one "changes nothing": the UI shows ["old"] for good.
    expect(watch.getCurrentResult().value).toEqual(["new"]);
    expect(seen).toEqual([["old"], ["new"]]);
  });
});

describe("fields the client cannot read", () => {
  it("a modification of an unknown type replaces the socket instead of showing an error with no message", async () => {
    h = await harness();
    const { watch, socket } = await watchWithResult(h, ["old"]);

    socket.transition([{ type: "QueryReplaced", queryId: 0, value: ["new"], logLines: [], journal: null } as never]);
    await socket.closed;
    expect(watch.getCurrentResult()).toMatchObject({ status: "success", value: ["old"] });
    expect(h.log.lines.some((line) => line.text.includes("QueryReplaced"))).toBe(true);
  });

  it("a MutationResponse without its ts leaves the mutation to be resent, not lost", async () => {
    h = await harness();
    const done = h.client.mutation(fn.send, { room: "a", body: "x" });
    const socket = await h.server.nextConnection();
    const sent = await socket.next("Mutation");
    socket.send({ type: "MutationResponse", requestId: sent.requestId, success: true, result: null, logLines: [] } as never);
    await socket.closed;
    const second = await h.server.nextConnection(3_000);
    const resent = await second.next("Mutation");
    expect(resent.requestId).toBe(sent.requestId);
    const ts = h.server.nextTs();
    second.send({ type: "MutationResponse", requestId: sent.requestId, success: true, result: "ok", ts: encodeTimestamp(ts), logLines: [] });
    second.transition([], { ts });
    await expect(done).resolves.toBe("ok");
  });
});
