// Reconnects (protocol.md §6, §8): the session is replayed on every new socket in a fixed order.

import { afterEach, describe, expect, it } from "vitest";
import { SynclineClientError } from "syncline";
import { decodeTimestamp, encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { fn, harness, ignore, settle, until, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

describe("reconnect", () => {
  it("replays Connect, Authenticate, the query set with ids and journals, and unfinished requests in order", async () => {
    h = await harness();
    h.client.setAuth(async () => "header.payload.signature-1234567");
    const lists: unknown[] = [];
    h.client.subscribe(fn.list, { room: "a" }, (v) => lists.push(v));
    h.client.subscribe(fn.count, { name: "n" }, () => {});
    const first = await h.server.nextConnection();
    const connect1 = await first.next("Connect");
    expect(await first.next("Authenticate")).toMatchObject({ tokenType: "User", baseVersion: 0 });
    await first.next("ModifyQuerySet");
    first.transition([
      { type: "QueryUpdated", queryId: 0, value: ["x"], logLines: [], journal: "journal-of-0" },
      { type: "QueryUpdated", queryId: 1, value: 1, logLines: [], journal: null },
    ]);
    await until(() => lists.length === 1);

    // Mutation 0 commits (not yet visible), mutation 1 gets no answer, action 2 is in flight.
    const committed = h.client.mutation(fn.send, { room: "a", body: "committed" });
    const unanswered = h.client.mutation(fn.increment, { name: "n" });
    const action = h.client.action(fn.slow, { ms: 1 }).catch((error: unknown) => error);
    const m0 = await first.next("Mutation");
    await first.next("Action");
    const commitTs = h.server.nextTs();
    first.send({ type: "MutationResponse", requestId: m0.requestId, success: true, result: "done", ts: encodeTimestamp(commitTs), logLines: [] });
    await settle();

    await first.close(1011, "restarting");
    const lost = await action;
    expect(lost).toBeInstanceOf(SynclineClientError);
    expect(lost).toMatchObject({ code: "CONNECTION_LOST", message: "[A(work:slow)] Connection lost while action was in flight" });
    const later = h.client.action(fn.slow, { ms: 2 }); // called while disconnected: sent on the next socket
    expect(h.client.connectionState()).toMatchObject({ isConnected: false, isReconnecting: true, retries: 1, inflightMutations: 2, inflightActions: 1 });
    h.client.reconnectNow();

    const second = await h.server.nextConnection();
    await second.waitFor((m) => m.type === "Action");
    expect(second.received.map((m) => m.type)).toEqual(["Connect", "Authenticate", "ModifyQuerySet", "Mutation", "Mutation", "Action"]);
    const [connect2, auth2, modify2, resent0, resent1, action3] = second.received as [any, any, any, any, any, any];
    expect(connect2).toMatchObject({ sessionId: connect1.sessionId, connectionCount: 1, lastCloseReason: "restarting" });
    expect(decodeTimestamp(connect2.maxObservedTimestamp)).toBe(commitTs);
    expect(auth2).toEqual({ type: "Authenticate", tokenType: "User", value: "header.payload.signature-1234567", baseVersion: 0 });
    expect(modify2).toEqual({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "messages:list", args: [{ room: "a" }], journal: "journal-of-0" },
        { type: "Add", queryId: 1, udfPath: "counter:get", args: [{ name: "n" }] },
      ],
    });
    expect(resent0).toEqual(m0);
    expect(resent1).toMatchObject({ type: "Mutation", requestId: 1, udfPath: "counter:increment" });
    expect(action3).toMatchObject({ type: "Action", requestId: 3, args: [{ ms: 2 }] });

    // The new socket catches up: the repeated answer for mutation 0 is ignored, it resolves on the transition.
    second.send({ type: "MutationResponse", requestId: 0, success: true, result: "done", ts: encodeTimestamp(commitTs), logLines: [] });
    second.transition([{ type: "QueryUpdated", queryId: 0, value: ["x", "committed"], logLines: [], journal: "journal-of-0" }], {
      ts: h.server.nextTs(),
    });
    await expect(committed).resolves.toBe("done");
    expect(lists.at(-1)).toEqual(["x", "committed"]);
    second.send({ type: "MutationResponse", requestId: 1, success: true, result: 2, ts: encodeTimestamp(h.server.nextTs()), logLines: [] });
    second.send({ type: "ActionResponse", requestId: 3, success: true, result: "ok", logLines: [] });
    second.transition([{ type: "QueryUpdated", queryId: 1, value: 2, logLines: [], journal: null }]);
    await expect(unanswered).resolves.toBe(2);
    await expect(later).resolves.toBe("ok");
    await until(() => h.client.connectionState().retries === 0, 2_000, "backoff reset after catching up");
    expect(h.client.connectionState()).toMatchObject({ isConnected: true, isReconnecting: false, connectionCount: 2, inflightMutations: 0, inflightActions: 0 });
  });

  it("keeps showing results while disconnected and keeps their identity when the new socket re-sends them", async () => {
    h = await harness({ server: { auto: { query: () => ["same"] } } });
    const watch = h.client.watchQuery(fn.list, { room: "a" });
    let calls = 0;
    watch.subscribe(() => calls++);
    const first = await h.server.nextConnection();
    await until(() => calls === 1);
    const snapshot = watch.getCurrentResult();
    await first.terminate();
    await settle();
    expect(watch.getCurrentResult()).toBe(snapshot);
    h.client.reconnectNow();
    const second = await h.server.nextConnection();
    await second.next("ModifyQuerySet");
    await settle();
    expect(watch.getCurrentResult()).toBe(snapshot);
    expect(calls).toBe(1);
  });

  it("does not reset the backoff until the new socket caught up", async () => {
    h = await harness();
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const first = await h.server.nextConnection();
    await first.next("ModifyQuerySet");
    await first.close(1000);
    await until(() => h.client.connectionState().retries === 1);
    h.client.reconnectNow();
    const second = await h.server.nextConnection();
    await second.next("ModifyQuerySet");
    second.transition([]); // a transition without the re-added query's result: not caught up yet
    await settle();
    expect(h.client.connectionState().retries).toBe(1);
    second.transition([{ type: "QueryUpdated", queryId: 0, value: [], logLines: [], journal: null }]);
    await until(() => h.client.connectionState().retries === 0);
  });

  it("backs off longer after an overload close (1013) than after a client-detected problem", async () => {
    h = await harness();
    ignore(h.client.query(fn.list, { room: "a" }));
    const first = await h.server.nextConnection();
    const closedAt = Date.now();
    await first.close(1013, "overloaded");
    const second = await h.server.nextConnection(6_000);
    expect(second).toBeDefined();
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(1_400); // 3 s +/- 50%
    expect(second.received[0]).toBeUndefined();
    await second.next("Connect").then((c) => expect(c.lastCloseReason).toBe("overloaded"));
  }, 10_000);
});
