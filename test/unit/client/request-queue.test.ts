import { describe, expect, it } from "vitest";
import { RequestQueue } from "../../../src/client/request-queue.js";
import type { ActionRequest, MutationRequest, MutationResponse } from "../../../src/protocol/messages.js";
import type { JSONValue } from "../../../src/values/value.js";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";

const mutation = (requestId: number): MutationRequest => ({ type: "Mutation", requestId, udfPath: "m:send", args: [{}] });
const action = (requestId: number): ActionRequest => ({ type: "Action", requestId, udfPath: "a:work", args: [{}] });
const ok = (requestId: number, ts: bigint, result: JSONValue = null): MutationResponse => ({
  type: "MutationResponse",
  requestId,
  success: true,
  result,
  ts: encodeTimestamp(ts),
  logLines: [],
});

describe("RequestQueue", () => {
  it("settles a mutation only when a transition at or past its commit ts is visible (read-your-writes)", () => {
    const queue = new RequestQueue();
    queue.add(mutation(0));
    queue.markSent(0);
    expect(queue.onResponse(ok(0, 10n, "r"))).toMatchObject({ type: "committed", ts: 10n });
    expect(queue.get(0)?.state).toBe("committed");
    expect(queue.takeVisible(9n)).toEqual([]);
    const visible = queue.takeVisible(10n);
    expect(visible.map((r) => [r.message.requestId, r.outcome])).toEqual([[0, { ok: true, value: "r" }]]);
    expect(queue.size).toBe(0);
  });

  it("settles failed mutations and every action at once", () => {
    const queue = new RequestQueue();
    queue.add(mutation(0));
    queue.add(action(1));
    expect(queue.onResponse({ type: "MutationResponse", requestId: 0, success: false, result: "bad", errorData: { c: 1 }, logLines: [] })).toMatchObject({
      type: "settled",
      outcome: { ok: false, message: "bad", errorData: { c: 1 } },
    });
    expect(queue.onResponse({ type: "ActionResponse", requestId: 1, success: true, result: 5, logLines: [] })).toMatchObject({
      type: "settled",
      outcome: { ok: true, value: 5 },
    });
    expect(queue.size).toBe(0);
  });

  it("ignores duplicate and unknown responses, and responses of the wrong kind", () => {
    const queue = new RequestQueue();
    queue.add(mutation(0));
    queue.onResponse(ok(0, 3n));
    expect(queue.onResponse(ok(0, 3n))).toEqual({ type: "ignored" });
    expect(queue.onResponse(ok(5, 3n))).toEqual({ type: "ignored" });
    expect(queue.onResponse({ type: "ActionResponse", requestId: 0, success: true, result: null, logLines: [] })).toEqual({ type: "ignored" });
    queue.takeVisible(3n);
    expect(queue.onResponse(ok(0, 3n))).toEqual({ type: "ignored" });
  });

  it("on restart resends unconfirmed mutations (even committed ones) and unsent actions in requestId order", () => {
    const queue = new RequestQueue();
    queue.add(mutation(0));
    queue.add(action(1));
    queue.add(mutation(2));
    queue.add(action(3));
    for (const id of [0, 1, 2]) queue.markSent(id);
    queue.onResponse(ok(0, 4n));
    const lost = queue.onSocketClosed();
    expect(lost.map((r) => r.message.requestId)).toEqual([1]);
    const { resend, lost: lostAtRestart } = queue.restart();
    expect(resend.map((m) => [m.type, m.requestId])).toEqual([
      ["Mutation", 0],
      ["Mutation", 2],
      ["Action", 3],
    ]);
    expect(lostAtRestart).toEqual([]);
    expect(queue.get(0)?.state).toBe("committed");
    expect(queue.get(3)?.state).toBe("sent");
  });

  it("fails actions still marked sent at a restart whose close went unnoticed", () => {
    const queue = new RequestQueue();
    queue.add(action(0));
    queue.markSent(0);
    expect(queue.restart().lost.map((r) => r.message.requestId)).toEqual([0]);
  });

  it("is caught up once every request resent by the restart settled", () => {
    const queue = new RequestQueue();
    queue.add(mutation(0));
    queue.markSent(0);
    queue.add(mutation(1)); // never sent: new on the next socket, does not hold back catching up
    queue.restart();
    expect(queue.caughtUp).toBe(false);
    queue.onResponse(ok(0, 2n));
    expect(queue.caughtUp).toBe(false);
    queue.takeVisible(2n);
    expect(queue.caughtUp).toBe(true);
  });

  it("knows what is uncommitted and what is in flight", () => {
    const queue = new RequestQueue();
    expect(queue.stats()).toEqual({ mutations: 0, actions: 0, oldestCalledAt: null });
    queue.add(mutation(0));
    queue.add(action(1));
    expect(queue.hasUncommittedMutations).toBe(true);
    queue.onResponse(ok(0, 1n));
    expect(queue.hasUncommittedMutations).toBe(false);
    expect(queue.stats()).toMatchObject({ mutations: 1, actions: 1 });
    expect(queue.unsent().map((m) => m.requestId)).toEqual([1]);
    expect(queue.takeAll()).toHaveLength(2);
    expect(queue.size).toBe(0);
  });
});
