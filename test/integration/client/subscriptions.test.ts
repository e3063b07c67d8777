import { afterEach, describe, expect, it } from "vitest";
import { AppError, CLIENT_PROTOCOL_VERSION, isAppError, makeFunctionReference } from "syncline";
import { fn, harness, settle, until, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

describe("subscriptions against a scripted server", () => {
  it("opens the socket lazily and starts the session as protocol §6 says", async () => {
    h = await harness();
    await settle();
    expect(h.server.connections).toHaveLength(0);

    const values: string[][] = [];
    h.client.subscribe(fn.list, { room: "a" }, (v) => values.push(v));
    const socket = await h.server.nextConnection();
    expect(socket.path).toBe(`/api/${CLIENT_PROTOCOL_VERSION}/sync`);
    const connect = await socket.next("Connect");
    expect(connect).toMatchObject({ connectionCount: 0, lastCloseReason: "InitialConnect" });
    expect(connect.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(connect).not.toHaveProperty("maxObservedTimestamp");
    expect(typeof connect.clientTs).toBe("number");
    const modify = await socket.next("ModifyQuerySet");
    expect(modify).toEqual({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [{ type: "Add", queryId: 0, udfPath: "messages:list", args: [{ room: "a" }] }],
    });
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["hi"], logLines: [], journal: null }]);
    await until(() => values.length === 1);
    expect(values).toEqual([["hi"]]);
  });
});

describe("dedupe and reference counting", () => {
  it("shares one server subscription between identical queries, whatever the key order", async () => {
    h = await harness();
    const two = makeFunctionReference<"query", { a: number; b: number }, number>("query", "myFunctions:sum");
    const first: number[] = [];
    const second: number[] = [];
    const stopFirst = h.client.subscribe(two, { a: 1, b: 2 }, (v) => first.push(v));
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: 3, logLines: [], journal: null }]);
    await until(() => first.length === 1);

    // A late subscriber with the keys in another order gets the current value at once, from the cache.
    const framesBefore = socket.received.length;
    const stopSecond = h.client.subscribe(two, { b: 2, a: 1 }, (v) => second.push(v));
    await until(() => second.length === 1);
    expect(second).toEqual([3]);
    await settle();
    expect(socket.received.length).toBe(framesBefore);

    // Unsubscribing one keeps the server subscription; the last one removes it.
    stopFirst();
    await settle();
    expect(socket.received.length).toBe(framesBefore);
    stopSecond();
    const remove = await socket.next("ModifyQuerySet");
    expect(remove).toEqual({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }] });
  });

  it("batches the subscriptions of one tick into one ModifyQuerySet, and a subscribe+unsubscribe into nothing", async () => {
    h = await harness();
    h.client.subscribe(fn.list, { room: "warm" }, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    for (let i = 0; i < 100; i++) h.client.subscribe(fn.list, { room: `r${i}` }, () => {});
    h.client.subscribe(fn.list, { room: "flicker" }, () => {})();
    const batch = await socket.next("ModifyQuerySet");
    expect(batch.baseVersion).toBe(1);
    expect(batch.modifications).toHaveLength(100);
    expect(batch.modifications.map((m) => m.queryId)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await settle();
    expect(socket.messages("ModifyQuerySet")).toHaveLength(2);
  });

  it("keeps snapshot identity for unchanged queries and calls only the listeners of changed ones", async () => {
    h = await harness();
    const a = h.client.watchQuery(fn.list, { room: "a" });
    const b = h.client.watchQuery(fn.list, { room: "b" });
    let callsA = 0;
    let callsB = 0;
    a.subscribe(() => callsA++);
    b.subscribe(() => callsB++);
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.transition([
      { type: "QueryUpdated", queryId: 0, value: ["x"], logLines: [], journal: null },
      { type: "QueryUpdated", queryId: 1, value: ["y"], logLines: [], journal: null },
    ]);
    await until(() => callsA === 1 && callsB === 1);
    const snapshotA = a.getCurrentResult();
    const snapshotB = b.getCurrentResult();
    expect(snapshotA).toEqual({ status: "success", value: ["x"], error: undefined });
    expect(Object.isFrozen(snapshotA)).toBe(true);

    // Only b changes; a re-sent but equal result for a changes nothing either.
    socket.transition([
      { type: "QueryUpdated", queryId: 0, value: ["x"], logLines: [], journal: null },
      { type: "QueryUpdated", queryId: 1, value: ["y", "z"], logLines: [], journal: null },
    ]);
    await until(() => callsB === 2);
    await settle();
    expect(callsA).toBe(1);
    expect(a.getCurrentResult()).toBe(snapshotA);
    expect(b.getCurrentResult()).not.toBe(snapshotB);
    expect(b.getCurrentResult().value).toEqual(["y", "z"]);
  });

  it("reports query failures to onError, with the function named and AppError data", async () => {
    h = await harness();
    const errors: Error[] = [];
    h.client.subscribe(fn.list, { room: "a" }, () => {}, (e) => errors.push(e));
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.transition([{ type: "QueryFailed", queryId: 0, errorMessage: "no such room", errorData: { code: "NOPE" }, logLines: [], journal: null }]);
    await until(() => errors.length === 1);
    expect(errors[0]!.message).toBe("[Q(messages:list)] no such room");
    expect(isAppError(errors[0])).toBe(true);
    expect((errors[0] as AppError).data).toEqual({ code: "NOPE" });
  });

  it("prints query log lines with the matching console method (§15)", async () => {
    h = await harness();
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.transition([
      { type: "QueryUpdated", queryId: 0, value: [], logLines: ["[LOG] 'hi' 42", "[WARN] 'careful'", "garbage"], journal: null },
    ]);
    await until(() => h.log.lines.length >= 3);
    expect(h.log.lines).toEqual([
      { level: "log", text: "[Q(messages:list)] [LOG] 'hi' 42" },
      { level: "warn", text: "[Q(messages:list)] [WARN] 'careful'" },
      { level: "warn", text: "[Q(messages:list)] (log line in an unknown format) garbage" },
    ]);
  });

  it("query() resolves with the first result and lets go of the subscription", async () => {
    h = await harness({ server: { auto: { query: (_path, args) => (args as { room: string }).room.toUpperCase() as unknown as string } } });
    await expect(h.client.query(fn.list, { room: "abc" })).resolves.toBe("ABC");
    const socket = h.server.connections[0]!;
    await socket.waitFor((m) => m.type === "ModifyQuerySet" && m.modifications[0]?.type === "Remove");
  });

  it("staySubscribedMs and prewarm keep a subscription (and its result) alive after the last subscriber", async () => {
    h = await harness({ server: { auto: { query: () => ["cached"] } }, client: { staySubscribedMs: 200 } });
    const stop = h.client.subscribe(fn.list, { room: "a" }, () => {});
    const socket = await h.server.nextConnection();
    await until(() => h.client.watchQuery(fn.list, { room: "a" }).getCurrentResult().status === "success");
    stop();
    await settle();
    expect(socket.messages("ModifyQuerySet")).toHaveLength(1);
    expect(h.client.watchQuery(fn.list, { room: "a" }).getCurrentResult().value).toEqual(["cached"]);
    await socket.waitFor((m) => m.type === "ModifyQuerySet" && m.modifications[0]?.type === "Remove", 2_000);

    h.client.prewarm(fn.list, { room: "b" }, { staySubscribedMs: 100 });
    await until(() => h.client.watchQuery(fn.list, { room: "b" }).getCurrentResult().status === "success");
    await socket.waitFor((m) => m.type === "ModifyQuerySet" && m.modifications.some((x) => x.type === "Remove" && x.queryId === 1), 2_000);
  });
});

describe("query()", () => {
  it("rejects at once with the error a held query currently shows", async () => {
    h = await harness();
    h.client.subscribe(fn.list, { room: "a" }, () => {}, () => {});
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.transition([{ type: "QueryFailed", queryId: 0, errorMessage: "broken", logLines: [], journal: null }]);
    await until(() => h.client.watchQuery(fn.list, { room: "a" }).getCurrentResult().status === "error");
    await expect(h.client.query(fn.list, { room: "a" })).rejects.toThrow("[Q(messages:list)] broken");
  });
});

const nested = makeFunctionReference<"query", { a: { x: number; y: number }; z?: number }, number>("query", "q:nested");

describe("dedupe and reference counting (edge cases)", () => {
  it("treats nested key order and undefined fields as the same query", async () => {
    h = await harness();
    h.client.subscribe(nested, { a: { x: 1, y: 2 } }, () => {});
    h.client.subscribe(nested, { a: { y: 2, x: 1 }, z: undefined }, () => {});
    const socket = await h.server.nextConnection();
    const modify = await socket.next("ModifyQuerySet");
    expect(modify.modifications).toEqual([{ type: "Add", queryId: 0, udfPath: "q:nested", args: [{ a: { x: 1, y: 2 } }] }]);
  });

  it("a second call of the same unsubscribe does not release another subscriber's reference", async () => {
    h = await harness({ server: { auto: { query: () => ["v"] } } });
    const stopA = h.client.subscribe(fn.list, { room: "a" }, () => {});
    const b: string[][] = [];
    h.client.subscribe(fn.list, { room: "a" }, (v) => b.push(v));
    const socket = await h.server.nextConnection();
    await until(() => b.length === 1);
    stopA();
    stopA();
    await settle();
    expect(socket.messages("ModifyQuerySet")).toHaveLength(1);
    expect(h.client.debug().subscriptions[0]!.refCount).toBe(1);
  });

  it("a subscriber arriving while only prewarm holds the query gets the cached value at once", async () => {
    h = await harness({ server: { auto: { query: () => ["v"] } } });
    h.client.prewarm(fn.list, { room: "a" });
    await until(() => h.client.watchQuery(fn.list, { room: "a" }).getCurrentResult().status === "success");
    const socket = h.server.connections[0]!;
    const got: string[][] = [];
    h.client.subscribe(fn.list, { room: "a" }, (v) => got.push(v));
    await settle();
    expect(got).toEqual([["v"]]);
    expect(socket.messages("ModifyQuerySet")).toHaveLength(1);
  });

  it("a callback that unsubscribes another subscriber of the same query stops it in the same round", async () => {
    h = await harness();
    const calls: string[] = [];
    let stopB: () => void = () => {};
    h.client.subscribe(fn.list, { room: "a" }, () => {
      calls.push("A");
      stopB();
    });
    stopB = h.client.subscribe(fn.list, { room: "a" }, () => calls.push("B"));
    const socket = await h.server.nextConnection();
    await socket.next("ModifyQuerySet");
    socket.transition([{ type: "QueryUpdated", queryId: 0, value: ["x"], logLines: [], journal: null }]);
    await until(() => calls.length > 0);
    await settle();
    expect(calls).toEqual(["A"]);
  });
});

describe("listeners that throw", () => {
  it("a late subscriber whose first callback throws is logged like any other, and the others still hear", async () => {
    h = await harness({ server: { auto: { query: () => ["v"] } } });
    const first: string[][] = [];
    h.client.subscribe(fn.list, { room: "a" }, (v) => first.push(v));
    await until(() => first.length === 1);
    h.client.subscribe(fn.list, { room: "a" }, () => {
      throw new Error("render bug");
    });
    const third: string[][] = [];
    h.client.subscribe(fn.list, { room: "a" }, (v) => third.push(v));
    await until(() => third.length === 1);
    expect(h.log.lines.filter((line) => line.level === "error" && line.text.includes("render bug"))).toHaveLength(1);
  });
});

