// DevtoolsStore: the panel's memory, fed with the client's events (plain data, as inspectClient
// sends them).

import { describe, expect, it } from "vitest";
import type { ClientEvent, ConnectionState } from "syncline";
import type { Value } from "syncline/values";
import { DevtoolsStore, LIMITS } from "../../../src/devtools/store.js";

const connection: ConnectionState = {
  isConnected: true,
  isReconnecting: false,
  hasEverConnected: true,
  connectionCount: 1,
  retries: 0,
  inflightMutations: 0,
  inflightActions: 0,
  oldestInflightRequestAt: null,
  isClosed: false,
};
const success = (value: Value) => ({ status: "success", value, error: undefined }) as const;
let clock = 1_000;
const at = () => (clock += 10);

function snapshot(overrides: Partial<Extract<ClientEvent, { type: "snapshot" }>> = {}): ClientEvent {
  return {
    type: "snapshot",
    at: at(),
    url: "http://127.0.0.1:3210",
    sessionId: "s-1",
    queries: [],
    requests: [],
    connection,
    lastCloseReason: null,
    auth: { state: "none", claims: null, expiresAt: null },
    ...overrides,
  };
}

describe("DevtoolsStore", () => {
  it("starts from the snapshot: queries with their results and sizes, requests in flight, connection", () => {
    const store = new DevtoolsStore();
    store.apply(
      snapshot({
        queries: [{ queryId: 3, name: "messages:list", args: { room: "a" }, refCount: 2, result: success(["é"]) }],
        requests: [{ requestId: 7, kind: "mutation", name: "messages:send", args: {}, calledAt: 5, optimistic: true }],
      }),
    );
    const query = store.queries.get(3)!;
    expect(query).toMatchObject({ name: "messages:list", refCount: 2, size: 6, changes: 0, result: success(["é"]) }); // ["é"]: 6 bytes in UTF-8
    expect(query.changedAt).toBe(clock);
    expect([...store.inflight.keys()]).toEqual([7]);
    expect(store.url).toBe("http://127.0.0.1:3210");
    expect(store.sessionId).toBe("s-1");
    expect(store.connection).toBe(connection);
  });

  it("counts a result as changed only when its value differs; loading to the first result is no change", () => {
    const store = new DevtoolsStore();
    store.apply(snapshot());
    store.apply({ type: "query", at: at(), queryId: 0, name: "q", args: {}, refCount: 1 });
    expect(store.queries.get(0)!.result.status).toBe("loading");
    store.apply({ type: "queryResult", at: at(), queryId: 0, name: "q", result: success([1]), optimistic: false });
    const entry = store.queries.get(0)!;
    expect(entry.changes).toBe(0);
    const firstAt = entry.changedAt;
    store.apply({ type: "queryResult", at: at(), queryId: 0, name: "q", result: success([1]), optimistic: true });
    expect(entry.changes).toBe(0);
    expect(entry.changedAt).toBe(firstAt);
    expect(entry.optimistic).toBe(true);
    store.apply({ type: "queryResult", at: at(), queryId: 0, name: "q", result: success([1, 2n]), optimistic: false });
    expect(entry.changes).toBe(1);
    expect(entry.changedAt).toBe(clock);
    expect(entry.size).toBe(JSON.stringify([1, "2n"]).length);
    store.apply({ type: "queryResult", at: at(), queryId: 0, name: "q", result: { status: "error", value: undefined, error: new Error("boom") }, optimistic: false });
    expect(entry.changes).toBe(2);
    expect(entry.size).toBeNull();
  });

  it("follows reference counts and forgets a query whose last subscriber left", () => {
    const store = new DevtoolsStore();
    store.apply(snapshot());
    store.apply({ type: "query", at: at(), queryId: 1, name: "q", args: {}, refCount: 1 });
    store.apply({ type: "query", at: at(), queryId: 1, name: "q", args: {}, refCount: 2 });
    expect(store.queries.get(1)!.refCount).toBe(2);
    store.apply({ type: "query", at: at(), queryId: 1, name: "q", args: {}, refCount: 0 });
    expect(store.queries.has(1)).toBe(false);
  });

  it(`keeps the last ${LIMITS.finishedRequests} finished requests, newest first, with results and errors`, () => {
    const store = new DevtoolsStore();
    store.apply(snapshot());
    for (let id = 0; id < LIMITS.finishedRequests + 5; id++) {
      store.apply({ type: "request", at: at(), requestId: id, kind: "action", name: "a", args: { id }, calledAt: clock, optimistic: false });
      if (id % 2 === 0) store.apply({ type: "requestSettled", at: at(), requestId: id, kind: "action", name: "a", ok: true, value: id });
      else store.apply({ type: "requestSettled", at: at(), requestId: id, kind: "action", name: "a", ok: false, error: "no", errorData: { id } });
    }
    expect(store.finished).toHaveLength(LIMITS.finishedRequests);
    expect(store.finished[0]!.requestId).toBe(LIMITS.finishedRequests + 4);
    expect(store.finished.at(-1)!.requestId).toBe(5);
    expect(store.finished[0]!.outcome).toEqual({ ok: true, value: LIMITS.finishedRequests + 4 });
    expect(store.finished[1]!.outcome).toEqual({ ok: false, error: "no", errorData: { id: LIMITS.finishedRequests + 3 } });
    expect(store.finished[0]!.settledAt! - store.finished[0]!.calledAt).toBe(10);
    expect(store.inflight.size).toBe(0);
  });

  it(`keeps the last ${LIMITS.logs} log lines and the socket history with reasons and backoff`, () => {
    const store = new DevtoolsStore();
    store.apply(snapshot());
    for (let i = 0; i < LIMITS.logs + 3; i++) store.apply({ type: "log", at: at(), kind: "query", name: "q", level: "log", message: String(i) });
    expect(store.logs).toHaveLength(LIMITS.logs);
    expect(store.logs[0]!.message).toBe("3");
    store.apply({ type: "socketClosed", at: at(), code: 1006, reason: "", wasOpen: true, reconnectInMs: 812 });
    expect(store.lastCloseReason).toBe("closed with code 1006");
    store.apply({ type: "socketOpened", at: at(), connectionCount: 2, lastCloseReason: "closed with code 1006" });
    expect(store.lastCloseReason).toBeNull();
    expect(store.sockets.map(({ event, reason, reconnectInMs, connectionCount }) => ({ event, reason, reconnectInMs, connectionCount }))).toEqual([
      { event: "opened", reason: "closed with code 1006", reconnectInMs: undefined, connectionCount: 2 },
      { event: "closed", reason: null, reconnectInMs: 812, connectionCount: undefined },
    ]);
  });

  it("tells subscribers after every change, until they stop", () => {
    const store = new DevtoolsStore();
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    store.apply(snapshot());
    store.apply({ type: "auth", at: at(), auth: { state: "confirmed", claims: { sub: "ada" }, expiresAt: 5_000 } });
    expect(store.auth.claims).toEqual({ sub: "ada" });
    stop();
    store.apply({ type: "connection", at: at(), state: { ...connection, isConnected: false } });
    expect(calls).toBe(2);
    expect(store.connection!.isConnected).toBe(false);
  });
});
