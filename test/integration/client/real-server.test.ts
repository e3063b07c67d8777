// The client end to end against the real Syncline server (protocol.md).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  AppError,
  createFunctionReference,
  isAppError,
  makeFunctionReference,
  SynclineClient,
  SynclineHttpClient,
  watchPaginatedQuery,
  type PaginationOptions,
  type PaginationResult,
  type SynclineClientOptions,
} from "syncline";
import { startServer } from "syncline/server";
import { recordingLogger, sleep, until } from "./support/setup.js";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy.js";
import { testDatabase } from "../../helpers/test-database.js";

const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/app/syncline");

type Message = { _id: string; _creationTime: number; room: string; body: string };
const fn = {
  listRoom: makeFunctionReference<"query", { room: string }, Message[]>("query", "behaviour:listRoom"),
  send: makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "behaviour:send"),
  slowAction: makeFunctionReference<"action", { ms: number }, { started: number; ended: number }>("action", "behaviour:slowAction"),
  increment: makeFunctionReference<"mutation", { name: string }, number>("mutation", "counter:increment"),
  get: makeFunctionReference<"query", { name: string }, number>("query", "counter:get"),
  sum: makeFunctionReference<"query", { a: number; b: number }, number>("query", "myFunctions:sum"),
  logs: makeFunctionReference<"query", Record<string, never>, null>("query", "behaviour:logs"),
  failPlain: makeFunctionReference<"query", Record<string, never>, null>("query", "behaviour:failPlain"),
  failWithData: makeFunctionReference<"mutation", { code: string }, null>("mutation", "behaviour:failWithData"),
  paged: makeFunctionReference<"query", { room: string; paginationOpts: PaginationOptions }, PaginationResult<Message>>("query", "behaviour:paged"),
  hidden: createFunctionReference<"mutation", "internal", Record<string, never>, string>("mutation", "internal", "behaviour:hidden"),
};

type Server = Awaited<ReturnType<typeof startServer>>;

describe("SynclineClient against the real server", () => {
  let server: Server;
  let clients: SynclineClient[] = [];
  let proxy: TcpProxy | undefined;
  let dataDir: string | undefined;

  const connect = (url = server.url, options: SynclineClientOptions = {}) => {
    const client = new SynclineClient(url, { WebSocket, logger: false, ...options });
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase() });
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await proxy?.close();
    proxy = undefined;
    await server.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it("subscribes, and a mutation resolves only once every subscribed query shows it", async () => {
    const client = connect();
    const lists: Message[][] = [];
    client.subscribe(fn.listRoom, { room: "r" }, (list) => lists.push(list));
    await until(() => lists.length === 1);
    expect(lists[0]).toEqual([]);
    const other = connect();
    const otherLists: Message[][] = [];
    other.subscribe(fn.listRoom, { room: "r" }, (list) => otherLists.push(list));
    await until(() => otherLists.length === 1);

    const watch = client.watchQuery(fn.listRoom, { room: "r" });
    const id = await client.mutation(fn.send, { room: "r", body: "hello" });
    expect(watch.getCurrentResult().value?.map((m) => m._id)).toEqual([id]);
    await until(() => otherLists.length === 2);
    expect(otherLists[1]!.map((m) => m.body)).toEqual(["hello"]);
  });

  it("dedupes identical subscriptions into one server query", async () => {
    const client = connect();
    const seen: number[] = [];
    client.subscribe(fn.sum, { a: 1, b: 2 }, (v) => seen.push(v));
    client.subscribe(fn.sum, { b: 2, a: 1 }, (v) => seen.push(v));
    await until(() => seen.length === 2);
    expect(seen).toEqual([3, 3]);
    expect(client.debug().subscriptions).toHaveLength(1);
    expect(client.debug().subscriptions[0]!.refCount).toBe(2);
  });

  it("runs mutations in call order and actions in parallel", async () => {
    const client = connect();
    const results = await Promise.all(Array.from({ length: 10 }, () => client.mutation(fn.increment, { name: "order" })));
    expect(results).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const [a, b] = await Promise.all([client.action(fn.slowAction, { ms: 300 }), client.action(fn.slowAction, { ms: 300 })]);
    // The server's own clock shows them overlapping; run in a queue, one would start after the other ended.
    expect(Math.max(a.started, b.started)).toBeLessThan(Math.min(a.ended, b.ended));
  });

  it("reports failures with the function named, AppError data, and prints log lines", async () => {
    const log = recordingLogger();
    const client = connect(server.url, { logger: log.logger });
    const error = await client.mutation(fn.failWithData, { code: "E1" }).catch((e: unknown) => e);
    expect(isAppError(error)).toBe(true);
    expect((error as AppError).data).toEqual({ code: "E1", retry: false });
    expect((error as Error).message).toMatch(/^\[M\(behaviour:failWithData\)\]/);
    await expect(client.query(fn.failPlain, {})).rejects.toThrow(/^\[Q\(behaviour:failPlain\)\] .*something secret broke/);
    await client.query(fn.logs, {});
    expect(log.lines).toContainEqual({ level: "log", text: "[Q(behaviour:logs)] [LOG] 'hi' 42" });
    expect(log.lines).toContainEqual({ level: "warn", text: "[Q(behaviour:logs)] [WARN] 'careful'" });
  });

  it("refuses an internal function before sending anything, and the server would refuse it too", async () => {
    const client = connect();
    await expect(client.mutation(fn.hidden as never, {} as never)).rejects.toThrow(/internal function/);
    expect(client.debug().socket.state).toBe("idle");
    const sneaky = makeFunctionReference<"mutation", Record<string, never>, string>("mutation", "behaviour:hidden");
    await expect(client.mutation(sneaky, {})).rejects.toThrow("Could not find public function for 'behaviour:hidden'.");
  });

  it("applies optimistic updates and drops them in the step the confirmed result shows", async () => {
    const client = connect();
    const watch = client.watchQuery(fn.listRoom, { room: "o" });
    const seen: string[][] = [];
    watch.subscribe(() => seen.push((watch.getCurrentResult().value ?? []).map((m) => m.body)));
    await until(() => seen.length === 1);
    await client.mutation(fn.send, { room: "o", body: "x" }, {
      optimisticUpdate: (store, { room, body }) => {
        const list = store.getQuery(fn.listRoom, { room });
        if (list) store.setQuery(fn.listRoom, { room }, [...list, { _id: "draft", _creationTime: 0, room, body }]);
      },
    });
    // The empty list, the optimistic draft, then the real document: never back to the empty list.
    expect(seen).toEqual([[], ["x"], ["x"]]);
    expect(watch.getCurrentResult().value![0]!._id).not.toBe("draft");
  });

  it("paginates with loadMore and keeps pages gapless while the list changes", async () => {
    const client = connect();
    for (let i = 0; i < 5; i++) await client.mutation(fn.send, { room: "p", body: `m${i}` });
    const feed = watchPaginatedQuery(client, fn.paged, { room: "p" }, { initialNumItems: 2 });
    feed.subscribe(() => {});
    await until(() => feed.getCurrentResult().status === "CanLoadMore");
    expect(feed.loadMore(2)).toBe(true);
    await until(() => feed.getCurrentResult().results.length === 4);
    await client.mutation(fn.send, { room: "p", body: "m5" });
    expect(feed.loadMore(10)).toBe(true);
    await until(() => feed.getCurrentResult().status === "Exhausted");
    expect(feed.getCurrentResult().results.map((m) => m.body)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
  });

  it("mutations are applied exactly once when the connection drops mid-mutation", async () => {
    proxy = await startTcpProxy(server.port);
    const client = connect(proxy.url);
    const counter: number[] = [];
    client.subscribe(fn.get, { name: "once" }, (v) => counter.push(v));
    await until(() => counter.length === 1);
    const calls = Array.from({ length: 20 }, () => client.mutation(fn.increment, { name: "once" }));
    await sleep(5);
    proxy.dropAll();
    await sleep(30);
    proxy.dropAll();
    client.reconnectNow();
    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await until(() => counter.at(-1) === 20);
    expect(client.connectionState().connectionCount).toBeGreaterThanOrEqual(2);
    expect(await connect().query(fn.get, { name: "once" })).toBe(20);
  });

  it("fails an action in flight when the connection drops, and never retries it", async () => {
    proxy = await startTcpProxy(server.port);
    const client = connect(proxy.url);
    const action = client.action(fn.slowAction, { ms: 500 }).catch((e: unknown) => e);
    await until(() => client.connectionState().isConnected);
    await sleep(50);
    proxy.dropAll();
    expect(await action).toMatchObject({ code: "CONNECTION_LOST", message: "[A(behaviour:slowAction)] Connection lost while action was in flight" });
  });

  it("comes back after a full server restart on the same database", async () => {
    await server.close();
    dataDir = mkdtempSync(join(tmpdir(), "syncline-client-"));
    const db = join(dataDir, "data.sqlite");
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db });
    const port = server.port;
    const client = connect();
    const counter: number[] = [];
    client.subscribe(fn.get, { name: "restart" }, (v) => counter.push(v));
    await client.mutation(fn.increment, { name: "restart" });
    await until(() => counter.at(-1) === 1);
    await server.close();
    await until(() => !client.connectionState().isConnected);
    server = await startServer({ dir: FIXTURE_DIR, port, sitePort: 0, db });
    client.reconnectNow();
    await until(() => client.connectionState().isConnected, 10_000);
    await expect(client.mutation(fn.increment, { name: "restart" })).resolves.toBe(2);
    await until(() => counter.at(-1) === 2);
  });

  it("SynclineHttpClient calls the same functions over HTTP", async () => {
    const http = new SynclineHttpClient(server.url, { logger: false });
    await expect(http.query(fn.sum, { a: 2, b: 3 })).resolves.toBe(5);
    await expect(http.mutation(fn.increment, { name: "http" })).resolves.toBe(1);
    await expect(http.mutation(fn.hidden as never, {} as never)).rejects.toThrow(/internal function/);
  });
});
