// The fixture app's real server behind a TCP proxy, for tests that break the network between a
// client and the server (see test/helpers/tcp-proxy.ts), and references to its functions.

import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient, SynclineHttpClient, type SynclineClientOptions } from "syncline";
import { startServer, type RunningServer } from "syncline/server";
import { startTcpProxy, type TcpProxy } from "../../../helpers/tcp-proxy.js";
import { testDatabase } from "../../../helpers/test-database.js";

export const FIXTURE_DIR = join(import.meta.dirname, "../../../fixtures/app/syncline");

export type Message = { _id: string; _creationTime: number; room: string; body: string };

/** Functions of the fixture app. */
export const fixture = {
  listRoom: makeFunctionReference<"query", { room: string }, Message[]>("query", "behaviour:listRoom"),
  send: makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "behaviour:send"),
  slowAction: makeFunctionReference<"action", { ms: number }, { started: number; ended: number }>("action", "behaviour:slowAction"),
  increment: makeFunctionReference<"mutation", { name: string }, number>("mutation", "counter:increment"),
  get: makeFunctionReference<"query", { name: string }, number>("query", "counter:get"),
};

/**
 * A fresh server (in memory) and proxy for each test; `connect` makes clients that go through
 * the proxy, `direct` an HTTP client that does not. Everything is closed after each test.
 */
export function proxiedServerPerTest() {
  const state = {} as { server: RunningServer; proxy: TcpProxy; clients: SynclineClient[] };
  beforeEach(async () => {
    state.server = await startServer({ dir: FIXTURE_DIR, port: 0, db: testDatabase() });
    state.proxy = await startTcpProxy(state.server.port);
    state.clients = [];
  });
  afterEach(async () => {
    await Promise.all(state.clients.map((client) => client.close()));
    await state.proxy.close();
    await state.server.close();
  });
  return {
    get server() {
      return state.server;
    },
    get proxy() {
      return state.proxy;
    },
    connect(options: SynclineClientOptions = {}): SynclineClient {
      const client = new SynclineClient(state.proxy.url, { WebSocket, logger: false, ...options });
      state.clients.push(client);
      return client;
    },
    direct: () => new SynclineHttpClient(state.server.url, { logger: false }),
  };
}
