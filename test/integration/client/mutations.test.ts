// Mutations (protocol.md §7, §8): call order, read-your-writes, duplicates, optimistic updates.

import { afterEach, describe, expect, it } from "vitest";
import { AppError, isAppError } from "syncline";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { fn, harness, ignore, settle, until, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

/** A subscribed list with a first result, on a fresh harness. */
async function subscribedList(initial: string[]) {
  h = await harness();
  const watch = h.client.watchQuery(fn.list, { room: "a" });
  const seen: (string[] | undefined)[] = [];
  watch.subscribe(() => seen.push(watch.getCurrentResult().value));
  const socket = await h.server.nextConnection();
  await socket.next("ModifyQuerySet");
  socket.transition([{ type: "QueryUpdated", queryId: 0, value: initial, logLines: [], journal: null }]);
  await until(() => seen.length === 1);
  return { watch, seen, socket };
}

describe("mutations", () => {
  it("are sent in call order with increasing requestIds", async () => {
    h = await harness();
    ignore(h.client.mutation(fn.send, { room: "a", body: "1" }));
    ignore(h.client.mutation(fn.increment, { name: "n" }));
    ignore(h.client.action(fn.slow, { ms: 1 }));
    ignore(h.client.mutation(fn.send, { room: "a", body: "2" }));
    const socket = await h.server.nextConnection();
    await socket.waitFor((m) => m.type === "Mutation" && m.requestId === 3);
    expect(socket.received.filter((m) => m.type === "Mutation" || m.type === "Action").map((m) => [m.type, (m as { requestId: number }).requestId])).toEqual([
      ["Mutation", 0],
      ["Mutation", 1],
      ["Action", 2],
      ["Mutation", 3],
    ]);
  });

  it("resolve only when a transition at or past the commit ts arrives, in the same step the result shows", async () => {
    const { watch, socket } = await subscribedList(["old"]);
    let resolved = false;
    let listAtResolve: unknown;
    const done = h.client.mutation(fn.send, { room: "a", body: "new" }).then((r) => {
      resolved = true;
      listAtResolve = watch.getCurrentResult().value;
      return r;
    });
    const mutation = await socket.next("Mutation");
    const commitTs = h.server.nextTs();
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: true, result: null, ts: encodeTimestamp(commitTs), logLines: [] });
    await settle();
    expect(resolved).toBe(false);
    // A transition before the commit ts does not resolve it either.
    socket.transition([], { ts: commitTs - 1n });
    await settle();
    expect(resolved).toBe(false);
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["old", "new"], logLines: [], journal: null }], { ts: h.server.nextTs() });
    await done;
    expect(listAtResolve).toEqual(["old", "new"]);
  });

  it("reject at once when they fail, with AppError data and the function named; the failure is logged", async () => {
    h = await harness();
    const result = h.client.mutation(fn.send, { room: "a", body: "x" });
    const socket = await h.server.nextConnection();
    const mutation = await socket.next("Mutation");
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: false, result: "room is closed", errorData: { code: "CLOSED" }, logLines: ["[ERROR] 'nope'"] });
    const error = await result.catch((e: unknown) => e);
    expect(isAppError(error)).toBe(true);
    expect((error as AppError).message).toBe("[M(messages:send)] room is closed");
    expect((error as AppError).data).toEqual({ code: "CLOSED" });
    expect(h.log.lines).toContainEqual({ level: "error", text: "[M(messages:send)] [ERROR] 'nope'" });
    expect(h.log.lines).toContainEqual({ level: "error", text: "[M(messages:send)] room is closed" });
  });

  it("ignore a duplicate MutationResponse", async () => {
    h = await harness();
    const results: unknown[] = [];
    ignore(h.client.mutation(fn.increment, { name: "n" }).then((r) => results.push(r)));
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    const mutation = await socket.next("Mutation");
    const ts = encodeTimestamp(h.server.nextTs());
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: true, result: 1, ts, logLines: ["[LOG] 'once'"] });
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: true, result: 2, ts, logLines: ["[LOG] 'twice'"] });
    socket.transition([]);
    await until(() => results.length === 1);
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: true, result: 3, ts, logLines: ["[LOG] 'thrice'"] });
    socket.transition([]);
    await settle();
    expect(results).toEqual([1]);
    expect(h.log.lines.filter((l) => l.text.includes("[LOG]"))).toEqual([{ level: "log", text: "[M(counter:increment)] [LOG] 'once'" }]);
  });

  it("show an optimistic update at once, keep it over server updates, and drop it in the step the result shows", async () => {
    const { watch, seen, socket } = await subscribedList(["old"]);
    const done = h.client.mutation(fn.send, { room: "a", body: "mine" }, {
      optimisticUpdate: (store, { room, body }) => {
        const list = store.getQuery(fn.list, { room });
        if (list !== undefined) store.setQuery(fn.list, { room }, [...list, `${body}?`]);
      },
    });
    expect(watch.getCurrentResult().value).toEqual(["old", "mine?"]);

    // Someone else's message arrives first: the layer is replayed over it.
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["old", "theirs"], logLines: [], journal: null }]);
    await until(() => seen.length === 3);
    expect(watch.getCurrentResult().value).toEqual(["old", "theirs", "mine?"]);

    const mutation = await socket.next("Mutation");
    const ts = h.server.nextTs();
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: true, result: null, ts: encodeTimestamp(ts), logLines: [] });
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["old", "theirs", "mine"], logLines: [], journal: null }], { ts: h.server.nextTs() });
    await done;
    expect(seen).toEqual([["old"], ["old", "mine?"], ["old", "theirs", "mine?"], ["old", "theirs", "mine"]]);
  });

  it("keep the snapshot when the server confirms exactly the optimistic value", async () => {
    const { watch, seen, socket } = await subscribedList(["old"]);
    const done = h.client.mutation(fn.send, { room: "a", body: "x" }, {
      optimisticUpdate: (store) => store.setQuery(fn.list, { room: "a" }, ["old", "x"]),
    });
    const optimistic = watch.getCurrentResult();
    const mutation = await socket.next("Mutation");
    const ts = h.server.nextTs();
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: true, result: null, ts: encodeTimestamp(ts), logLines: [] });
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["old", "x"], logLines: [], journal: null }], { ts: h.server.nextTs() });
    await done;
    expect(watch.getCurrentResult()).toBe(optimistic);
    expect(seen).toHaveLength(2);
  });

  it("roll an optimistic update back when the mutation fails", async () => {
    const { watch, socket } = await subscribedList(["old"]);
    const original = watch.getCurrentResult();
    const done = h.client.mutation(fn.send, { room: "a", body: "x" }, {
      optimisticUpdate: (store) => store.setQuery(fn.list, { room: "a" }, ["old", "x"]),
    });
    expect(watch.getCurrentResult().value).toEqual(["old", "x"]);
    const mutation = await socket.next("Mutation");
    socket.send({ type: "MutationResponse", requestId: mutation.requestId, success: false, result: "denied", logLines: [] });
    await expect(done).rejects.toThrow("[M(messages:send)] denied");
    expect(watch.getCurrentResult()).toBe(original);
  });

  it("an optimistic update that throws is reported and skipped; the mutation still runs", async () => {
    const { watch, socket } = await subscribedList(["old"]);
    ignore(h.client.mutation(fn.send, { room: "a", body: "x" }, {
      optimisticUpdate: () => {
        throw new Error("bug in update");
      },
    }));
    expect(watch.getCurrentResult().value).toEqual(["old"]);
    await socket.next("Mutation");
    expect(h.log.lines.some((l) => l.level === "error" && l.text.includes("bug in update"))).toBe(true);
  });

  it("getAllQueries sees every held query of a function", async () => {
    h = await harness({ server: { auto: { query: (_p, args) => [(args as { room: string }).room] as unknown as string } } });
    const a = h.client.watchQuery(fn.list, { room: "a" });
    const b = h.client.watchQuery(fn.list, { room: "b" });
    a.subscribe(() => {});
    b.subscribe(() => {});
    await until(() => a.getCurrentResult().status === "success" && b.getCurrentResult().status === "success");
    ignore(h.client.mutation(fn.send, { room: "*", body: "!" }, {
      optimisticUpdate: (store) => {
        for (const { args, value } of store.getAllQueries(fn.list)) store.setQuery(fn.list, args, [...(value ?? []), "!"]);
      },
    }));
    expect(a.getCurrentResult().value).toEqual(["a", "!"]);
    expect(b.getCurrentResult().value).toEqual(["b", "!"]);
  });
});
