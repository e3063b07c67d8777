// Liveness (protocol.md §8, §10), connection state, and close().

import { afterEach, describe, expect, it } from "vitest";
import { SynclineClient, type ConnectionState } from "syncline";
import { encodeTimestamp } from "../../../src/protocol/timestamp.js";
import { fn, harness, ignore, settle, sleep, until, WebSocket, type Harness } from "./support/setup.js";

let h: Harness & { cleanup: () => Promise<void> };
afterEach(() => h?.cleanup());

describe("inactivity", () => {
  it("reconnects with reason InactiveServer when the server says nothing for the inactivity timeout", async () => {
    h = await harness({ client: { inactivityTimeoutMs: 300 } });
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const first = await h.server.nextConnection();
    await first.next("ModifyQuerySet");
    // Pings keep it alive...
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      first.send({ type: "Ping" });
    }
    expect(first.isOpen).toBe(true);
    // ...silence does not.
    expect((await first.closed).reason).toBe("InactiveServer");
    const second = await h.server.nextConnection(2_000);
    expect((await second.next("Connect")).lastCloseReason).toBe("InactiveServer");
  });
});

describe("connection state", () => {
  it("publishes stable snapshots when something changes", async () => {
    h = await harness({ server: { auto: { query: () => [] } } });
    const states: ConnectionState[] = [];
    h.client.onConnectionStateChange((state) => states.push(state));
    const initial = h.client.connectionState();
    expect(initial).toEqual({
      isConnected: false,
      isReconnecting: false,
      hasEverConnected: false,
      connectionCount: 0,
      retries: 0,
      inflightMutations: 0,
      inflightActions: 0,
      oldestInflightRequestAt: null,
      isClosed: false,
    });
    expect(h.client.connectionState()).toBe(initial);
    const before = Date.now();
    ignore(h.client.mutation(fn.send, { room: "a", body: "x" }));
    await until(() => states.some((s) => s.isConnected));
    const connected = h.client.connectionState();
    expect(connected).toMatchObject({ isConnected: true, hasEverConnected: true, connectionCount: 1, inflightMutations: 1 });
    expect(connected.oldestInflightRequestAt).toBeGreaterThanOrEqual(before);
    expect(Object.isFrozen(connected)).toBe(true);
  });

  it("reconnectNow() cancels the wait", async () => {
    h = await harness();
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    const first = await h.server.nextConnection();
    await first.next("ModifyQuerySet");
    await first.close(1011); // server close: ~1 s backoff
    const asked = Date.now();
    h.client.reconnectNow();
    await h.server.nextConnection(500);
    expect(Date.now() - asked).toBeLessThan(500);
  });
});

describe("close()", () => {
  it("rejects everything pending, stops the socket, and refuses later calls; nothing hangs", async () => {
    h = await harness();
    const query = h.client.query(fn.list, { room: "a" }).catch((e: Error) => e);
    const mutation = h.client.mutation(fn.send, { room: "a", body: "x" }).catch((e: Error) => e);
    const action = h.client.action(fn.slow, { ms: 1 }).catch((e: Error) => e);
    const committedMutation = h.client.mutation(fn.increment, { name: "n" }).catch((e: Error) => e);
    const socket = await h.server.nextConnection();
    const increment = await socket.waitFor((m) => m.type === "Mutation" && m.udfPath === "counter:increment");
    socket.send({ type: "MutationResponse", requestId: (increment as { requestId: number }).requestId, success: true, result: 1, ts: encodeTimestamp(h.server.nextTs()), logLines: [] });
    await settle();

    await h.client.close();
    for (const outcome of await Promise.all([query, mutation, action, committedMutation])) {
      expect(outcome).toMatchObject({ name: "SynclineClientError", code: "CLIENT_CLOSED" });
    }
    await socket.closed;
    expect(h.client.connectionState().isClosed).toBe(true);
    await expect(h.client.mutation(fn.send, { room: "a", body: "y" })).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    await expect(h.client.query(fn.list, { room: "a" })).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
    expect(() => h.client.subscribe(fn.list, { room: "a" }, () => {})).toThrow("closed");
  });

  it("a client that never connected closes cleanly", async () => {
    const client = new SynclineClient("http://127.0.0.1:9", { WebSocket, logger: false });
    const pending = client.mutation(fn.send, { room: "a", body: "x" }).catch((e: Error) => e);
    await client.close();
    expect(await pending).toMatchObject({ code: "CLIENT_CLOSED" });
  });
});

describe("debug()", () => {
  it("shows subscriptions, requests, versions and the socket", async () => {
    h = await harness({ server: { auto: { query: () => ["v"] } } });
    h.client.subscribe(fn.list, { room: "a" }, () => {});
    h.client.prewarm(fn.list, { room: "b" });
    ignore(h.client.action(fn.slow, { ms: 1 }));
    await until(() => h.client.debug().subscriptions.every((s) => s.hasResult) && h.client.debug().socket.state === "open");
    const info = h.client.debug();
    expect(info.subscriptions).toEqual([
      { queryId: 0, name: "messages:list", args: { room: "a" }, refCount: 1, hasResult: true, listeners: true },
      { queryId: 1, name: "messages:list", args: { room: "b" }, refCount: 1, hasResult: true, listeners: false },
    ]);
    expect(info.inflight).toEqual([{ requestId: 0, kind: "action", name: "work:slow", state: "sent", hasOptimisticUpdate: false }]);
    expect(info.versions.querySet).toBe(1);
    expect(info.socket).toMatchObject({ state: "open", connectionCount: 1 });
    expect(info.auth).toBe("none");
  });
});

describe("constructor", () => {
  it("needs a WebSocket class where there is no global one, and a http(s) URL", () => {
    if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") {
      expect(() => new SynclineClient("http://127.0.0.1:1")).toThrow(/no global WebSocket/);
    }
    expect(() => new SynclineClient("ftp://x", { WebSocket })).toThrow(/must start with http/);
  });

  it("refuses unsavedChangesWarning: true where there is no window", () => {
    expect(() => new SynclineClient("http://127.0.0.1:1", { WebSocket, unsavedChangesWarning: true })).toThrow(/needs a browser window/);
  });
});
