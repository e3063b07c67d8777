// Audit of the framework-free client: behaviour that is correct but was not covered by a test.

import { afterEach, describe, expect, it } from "vitest";
import { makeFunctionReference, SynclineClient } from "syncline";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { startScriptedServer, type ScriptedServer } from "../../helpers/scripted-server.js";
import { fn, harness, settle, until, WebSocket, type Harness } from "./support/setup.js";

let h: (Harness & { cleanup: () => Promise<void> }) | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const nested = makeFunctionReference<"query", { a: { x: number; y: number }; z?: number }, number>("query", "q:nested");

describe("dedupe and reference counting (more)", () => {
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
    await until(() => h!.client.watchQuery(fn.list, { room: "a" }).getCurrentResult().status === "success");
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

describe("server input (more)", () => {
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

describe("browser recovery hints (protocol §8)", () => {
  let server: ScriptedServer | undefined;
  let client: SynclineClient | undefined;
  const g = globalThis as { window?: unknown; document?: unknown };
  afterEach(async () => {
    await client?.close();
    await server?.close();
    delete g.window;
    delete g.document;
  });

  async function waitingAfterServerClose() {
    server = await startScriptedServer();
    client = new SynclineClient(server.url, { WebSocket, logger: false, unsavedChangesWarning: false });
    client.subscribe(fn.list, { room: "a" }, () => {});
    const first = await server.nextConnection();
    await first.next("ModifyQuerySet");
    await first.close(1011); // server close: ~1 s backoff (0.5 s at least)
    await until(() => client!.debug().socket.state === "waiting");
    return server;
  }

  it("reconnects at once on `online`", async () => {
    const win = new EventTarget();
    g.window = win;
    const s = await waitingAfterServerClose();
    const asked = Date.now();
    win.dispatchEvent(new Event("online"));
    await s.nextConnection(400);
    expect(Date.now() - asked).toBeLessThan(400);
  });

  it("reconnects at once when a hidden page becomes visible", async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
    g.document = doc;
    const s = await waitingAfterServerClose();
    doc.visibilityState = "hidden";
    doc.dispatchEvent(new Event("visibilitychange"));
    await settle();
    expect(s.connections).toHaveLength(1);
    const asked = Date.now();
    doc.visibilityState = "visible";
    doc.dispatchEvent(new Event("visibilitychange"));
    await s.nextConnection(400);
    expect(Date.now() - asked).toBeLessThan(400);
  });
});
