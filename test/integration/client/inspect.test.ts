// inspectClient: the client's event stream for devtools, against the real server. Every kind of
// event is seen at least once here (the last test fails if one goes missing), and the stream costs
// nothing while nobody listens.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { inspectClient, makeFunctionReference, SynclineClient, type ClientEvent, type SynclineClientOptions } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { engineOf } from "../../../src/client/client.js";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy.js";
import { tempProject, type TempProject } from "../../helpers/temp-project.js";
import { mint, signingKey, type SigningKey } from "../../helpers/tokens.js";
import { until } from "./support/setup.js";
import { testDatabase } from "../../helpers/test-database.js";

const ISSUER = "https://issuer.inspect.test";
const fn = {
  list: makeFunctionReference<"query", { room: string }, string[]>("query", "messages:list"),
  send: makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "messages:send"),
  fail: makeFunctionReference<"mutation", Record<string, never>, null>("mutation", "messages:fail"),
  shout: makeFunctionReference<"action", { text: string }, string>("action", "messages:shout"),
  whoami: makeFunctionReference<"query", Record<string, never>, string | null>("query", "messages:whoami"),
};

/** Every event type: a compile error here when ClientEvent gains one the tests do not cover. */
const EVERY_EVENT_TYPE: Record<ClientEvent["type"], true> = {
  snapshot: true,
  query: true,
  queryResult: true,
  request: true,
  requestSettled: true,
  log: true,
  socketOpened: true,
  socketClosed: true,
  connection: true,
  auth: true,
};
const seenTypes = new Set<ClientEvent["type"]>();

let key: SigningKey;
let project: TempProject;
let server: RunningServer;
let proxy: TcpProxy;
let clients: SynclineClient[] = [];

beforeAll(async () => {
  key = await signingKey("RS256", "k1");
  project = tempProject({
    "auth.config.ts": `export default ${JSON.stringify({ providers: [{ type: "customJwt", issuer: ISSUER, jwks: { keys: [key.publicJwk] }, algorithm: "RS256" }] })};\n`,
    "messages.ts": `
      import { action, mutation, query } from "syncline/server";
      import { AppError, v } from "syncline/values";
      export const list = query({
        args: { room: v.string() },
        handler: async (ctx, { room }) => {
          console.log("listing", room);
          console.warn("careful");
          return (await ctx.db.query("messages").collect()).filter((m) => m.room === room).map((m) => m.body);
        },
      });
      export const send = mutation({
        args: { room: v.string(), body: v.string() },
        handler: async (ctx, args) => { await ctx.db.insert("messages", args); return "sent"; },
      });
      export const fail = mutation({ args: {}, handler: () => { throw new AppError({ code: "nope" }); } });
      export const shout = action({ args: { text: v.string() }, handler: (_, { text }) => text.toUpperCase() });
      export const whoami = query(async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null);
    `,
  });
  server = await startServer({ dir: project.dir, port: 0, db: testDatabase() });
  proxy = await startTcpProxy(Number(new URL(server.url).port));
});
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  clients = [];
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
  project?.remove();
});

const connect = (options: SynclineClientOptions = {}, url = server.url) => {
  const client = new SynclineClient(url, { WebSocket, logger: false, unsavedChangesWarning: false, ...options });
  clients.push(client);
  return client;
};

/** Inspects `client`, recording every event (and its type, for the coverage check at the end). */
function record(client: SynclineClient) {
  const events: ClientEvent[] = [];
  const stop = inspectClient(client, (event) => {
    seenTypes.add(event.type);
    events.push(event);
  });
  const of = <T extends ClientEvent["type"]>(type: T) => events.filter((event): event is Extract<ClientEvent, { type: T }> => event.type === type);
  return { events, of, stop };
}

describe("inspectClient", () => {
  it("sends a snapshot of the present first: queries with their results, the session, the connection", async () => {
    const client = connect();
    client.subscribe(fn.list, { room: "snap" }, () => {});
    await until(() => client.debug().subscriptions[0]?.hasResult === true);
    const { events } = record(client);
    expect(events).toHaveLength(1);
    const snapshot = events[0]!;
    if (snapshot.type !== "snapshot") throw new Error(`first event: ${snapshot.type}`);
    expect(snapshot.url).toBe(server.url);
    expect(snapshot.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(snapshot.queries).toEqual([
      { queryId: 0, name: "messages:list", args: { room: "snap" }, refCount: 1, result: { status: "success", value: [], error: undefined } },
    ]);
    expect(snapshot.requests).toEqual([]);
    expect(snapshot.connection).toBe(client.connectionState());
    expect(snapshot.connection.isConnected).toBe(true);
    expect(snapshot.lastCloseReason).toBeNull();
    expect(snapshot.auth).toEqual({ state: "none", claims: null, expiresAt: null });
    expect(typeof snapshot.at).toBe("number");
  });

  it("reports queries as they are added, shared and released, and each new result once", async () => {
    const client = connect();
    const { of } = record(client);
    const stopA = client.subscribe(fn.list, { room: "a" }, () => {});
    const stopB = client.subscribe(fn.list, { room: "a" }, () => {});
    await until(() => of("queryResult").length > 0);
    await client.mutation(fn.send, { room: "a", body: "one" });
    await until(() => of("queryResult").length > 1);
    stopB();
    stopA();
    expect(of("query").map(({ queryId, name, args, refCount }) => ({ queryId, name, args, refCount }))).toEqual([
      { queryId: 0, name: "messages:list", args: { room: "a" }, refCount: 1 },
      { queryId: 0, name: "messages:list", args: { room: "a" }, refCount: 2 },
      { queryId: 0, name: "messages:list", args: { room: "a" }, refCount: 1 },
      { queryId: 0, name: "messages:list", args: { room: "a" }, refCount: 0 },
    ]);
    expect(of("queryResult").map(({ queryId, result, optimistic }) => ({ queryId, result, optimistic }))).toEqual([
      { queryId: 0, result: { status: "success", value: [], error: undefined }, optimistic: false },
      { queryId: 0, result: { status: "success", value: ["one"], error: undefined }, optimistic: false },
    ]);
  });

  it("reports mutations and actions from call to result, with the optimistic value and its replacement", async () => {
    const client = connect();
    client.subscribe(fn.list, { room: "opt" }, () => {});
    await until(() => client.debug().subscriptions[0]?.hasResult === true);
    const { of } = record(client);
    const sent = client.mutation(fn.send, { room: "opt", body: "hi" }, {
      optimisticUpdate: (store, { room, body }) => store.setQuery(fn.list, { room }, [...(store.getQuery(fn.list, { room }) ?? []), body]),
    });
    expect(of("request")).toEqual([
      expect.objectContaining({ kind: "mutation", name: "messages:send", args: { room: "opt", body: "hi" }, optimistic: true, requestId: 0 }),
    ]);
    expect(of("queryResult")).toEqual([expect.objectContaining({ result: expect.objectContaining({ value: ["hi"] }), optimistic: true })]);
    await sent;
    // The server's equal result replaces the optimistic one: reported as no longer optimistic.
    expect(of("queryResult").at(-1)).toEqual(expect.objectContaining({ result: expect.objectContaining({ value: ["hi"] }), optimistic: false }));
    expect(of("requestSettled")).toEqual([expect.objectContaining({ requestId: 0, kind: "mutation", name: "messages:send", ok: true, value: "sent" })]);

    await expect(client.mutation(fn.fail, {})).rejects.toThrow();
    expect(of("requestSettled").at(-1)).toEqual(
      expect.objectContaining({ requestId: 1, ok: false, error: expect.stringContaining("nope"), errorData: { code: "nope" } }),
    );
    expect(of("request").at(-1)).toEqual(expect.objectContaining({ requestId: 1, optimistic: false }));

    expect(await client.action(fn.shout, { text: "hey" })).toBe("HEY");
    expect(of("request").at(-1)).toEqual(expect.objectContaining({ requestId: 2, kind: "action", name: "messages:shout", args: { text: "hey" } }));
    expect(of("requestSettled").at(-1)).toEqual(expect.objectContaining({ requestId: 2, kind: "action", ok: true, value: "HEY" }));
    for (const settled of of("requestSettled")) expect(settled.at).toBeGreaterThanOrEqual(of("request").find((r) => r.requestId === settled.requestId)!.calledAt);
  });

  it("lists requests in flight in the snapshot", async () => {
    const client = connect();
    const pending = client.mutation(fn.send, { room: "x", body: "in flight" });
    const { events } = record(client);
    const snapshot = events[0] as Extract<ClientEvent, { type: "snapshot" }>;
    expect(snapshot.requests).toEqual([expect.objectContaining({ requestId: 0, kind: "mutation", name: "messages:send", args: { room: "x", body: "in flight" }, optimistic: false })]);
    await pending;
  });

  it("reports the functions' console lines with function, kind and level", async () => {
    const client = connect();
    const { of } = record(client);
    client.subscribe(fn.list, { room: "logs" }, () => {});
    await until(() => of("log").length >= 2);
    expect(of("log").map(({ kind, name, level, message }) => ({ kind, name, level, message }))).toEqual([
      { kind: "query", name: "messages:list", level: "log", message: "'listing' 'logs'" },
      { kind: "query", name: "messages:list", level: "warn", message: "'careful'" },
    ]);
  });

  it("reports sockets closing (why, and the backoff) and opening again, and connection changes", async () => {
    const client = connect({}, proxy.url);
    client.subscribe(fn.list, { room: "net" }, () => {});
    await until(() => client.connectionState().isConnected);
    const { of } = record(client);
    proxy.dropAll();
    await until(() => of("socketOpened").length > 0, 10_000);
    const [closed] = of("socketClosed");
    expect(closed).toEqual(expect.objectContaining({ wasOpen: true, code: expect.any(Number), reason: expect.any(String) }));
    expect(closed!.reconnectInMs).toBeGreaterThan(0);
    expect(of("socketOpened")[0]).toEqual(expect.objectContaining({ connectionCount: 2, lastCloseReason: expect.any(String) }));
    await until(() => of("connection").some((event) => event.state.isConnected));
    expect(of("connection").some((event) => !event.state.isConnected)).toBe(true);
  });

  it("shows the token's claims and expiry, never the token itself", async () => {
    const client = connect();
    const token = await mint(key, { sub: "ada", iss: ISSUER, name: "Ada" }, { expiresIn: 600 });
    const { events, of } = record(client);
    client.setAuth(async () => token);
    const seen: (string | null)[] = [];
    client.subscribe(fn.whoami, {}, (subject) => seen.push(subject));
    await until(() => of("auth").some((event) => event.auth.state === "confirmed"));
    const confirmed = of("auth").find((event) => event.auth.state === "confirmed")!.auth;
    expect(confirmed.claims).toEqual(expect.objectContaining({ sub: "ada", iss: ISSUER, name: "Ada" }));
    expect(confirmed.expiresAt).toBe((confirmed.claims!.exp as number) * 1000);
    expect(confirmed.expiresAt! - Date.now()).toBeGreaterThan(500_000);
    expect(of("auth")[0]!.auth.state).toBe("fetching");
    client.clearAuth();
    expect(of("auth").at(-1)!.auth).toEqual({ state: "none", claims: null, expiresAt: null });
    const everything = JSON.stringify(events);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.split(".")[2]); // not even the signature
  });

  it("costs nothing while nobody listens: no tap before, none after the last listener left, and no more events", async () => {
    const client = connect();
    const engine = engineOf.get(client)!;
    client.subscribe(fn.list, { room: "quiet" }, () => {});
    expect(engine.tap).toBeUndefined();
    const first = record(client);
    const second = record(client);
    expect(engine.tap).toBeDefined();
    first.stop();
    expect(engine.tap).toBeDefined();
    second.stop();
    expect(engine.tap).toBeUndefined();
    const count = first.events.length + second.events.length;
    await client.mutation(fn.send, { room: "quiet", body: "unseen" });
    expect(first.events.length + second.events.length).toBe(count);
  });

  it("a listener that throws breaks neither the client nor the other listeners", async () => {
    const client = connect();
    const thrown: unknown[] = [];
    const onError = (error: unknown) => thrown.push(error);
    process.on("uncaughtException", onError);
    const stopFaulty = inspectClient(client, () => {
      throw new Error("listener bug");
    });
    try {
      const { of } = record(client);
      expect(await client.mutation(fn.send, { room: "t", body: "still works" })).toBe("sent");
      expect(of("requestSettled")).toHaveLength(1);
      await until(() => thrown.length > 0);
      expect(String(thrown[0])).toContain("listener bug");
    } finally {
      stopFaulty();
      await new Promise((resolve) => setTimeout(resolve, 0)); // its last errors are rethrown in microtasks
      process.off("uncaughtException", onError);
    }
  });

  it("refuses what is not a SynclineClient", () => {
    expect(() => inspectClient({} as SynclineClient, () => {})).toThrow(/inspectClient takes a SynclineClient/);
  });

  it("every event type was seen by the tests above", () => {
    expect([...seenTypes].sort()).toEqual(Object.keys(EVERY_EVENT_TYPE).sort());
  });
});
