// An optimistic update whose mutation committed on the server but whose MutationResponse was
// lost. After the reconnect the new socket's first transition may already show the committed
// write before the resent request is answered from the record: the optimistic value must never
// show on top of it (issue 9: optimistic updates are "removed in the same step the confirmed
// result arrives (no flicker)").

import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient, SynclineHttpClient, type SynclineClientOptions } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy.js";
import { sleep, until } from "./support/setup.js";

const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/app/syncline");

type Message = { _id: string; _creationTime: number; room: string; body: string };
const fn = {
  listRoom: makeFunctionReference<"query", { room: string }, Message[]>("query", "behaviour:listRoom"),
  send: makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "behaviour:send"),
  increment: makeFunctionReference<"mutation", { name: string }, number>("mutation", "counter:increment"),
  get: makeFunctionReference<"query", { name: string }, number>("query", "counter:get"),
};

describe("optimistic updates across a reconnect", () => {
  let server: RunningServer;
  let proxy: TcpProxy;
  let clients: SynclineClient[] = [];
  const connect = (options: SynclineClientOptions = {}) => {
    const client = new SynclineClient(proxy.url, { WebSocket, logger: false, ...options });
    clients.push(client);
    return client;
  };
  const direct = () => new SynclineHttpClient(server.url, { logger: false });

  beforeEach(async () => {
    server = await startServer({ dir: FIXTURE_DIR, port: 0, db: ":memory:" });
    proxy = await startTcpProxy(server.port);
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await proxy.close();
    await server.close();
  });

  it("an optimistic mutation whose answer is lost: after the reconnect it resolves once with its value, and the optimistic value never stacks on top of the committed one", async () => {
    const client = connect({ inactivityTimeoutMs: 600 });
    const shown: Message[][] = [];
    client.subscribe(fn.listRoom, { room: "opt" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    proxy.blackhole();
    const id = client.mutation(fn.send, { room: "opt", body: "hello" }, {
      optimisticUpdate: (store, args) => {
        const list = store.getQuery(fn.listRoom, { room: args.room });
        if (list) store.setQuery(fn.listRoom, { room: args.room }, [...list, { _id: "optimistic", _creationTime: 0, room: args.room, body: args.body }]);
      },
    });
    await until(() => shown.at(-1)?.length === 1);
    for (let stored = 0; stored !== 1; await sleep(20)) stored = (await direct().query(fn.listRoom, { room: "opt" })).length;
    proxy.restore();
    const realId = await id;
    expect(shown.at(-1)!.map((m) => m._id)).toEqual([realId]);
    expect(shown.map((list) => list.length)).not.toContain(2);
    expect(await direct().query(fn.listRoom, { room: "opt" })).toHaveLength(1);
  });

  it("an optimistic increment whose answer is lost is never shown on top of the committed value", async () => {
    const client = connect({ inactivityTimeoutMs: 600 });
    const shown: number[] = [];
    client.subscribe(fn.get, { name: "opt" }, (v) => shown.push(v));
    await until(() => shown.length === 1);
    proxy.blackhole();
    const done = client.mutation(fn.increment, { name: "opt" }, {
      optimisticUpdate: (store, args) => {
        const value = store.getQuery(fn.get, { name: args.name });
        if (value !== undefined) store.setQuery(fn.get, { name: args.name }, value + 1);
      },
    });
    await until(() => shown.at(-1) === 1); // the optimistic value
    for (let stored = 0; stored !== 1; await sleep(20)) stored = await direct().query(fn.get, { name: "opt" });
    proxy.restore();
    expect(await done).toBe(1);
    expect(shown.at(-1)).toBe(1);
    // The counter went 0 -> 1 once; it must never read 2.
    expect(shown).toEqual([0, 1]);
  });
});
