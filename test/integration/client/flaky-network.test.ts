// Several clients writing through a network that keeps breaking: connections dropped mid-frame,
// outages during which every attempt fails. Whatever the timing, each mutation must commit exactly
// once, in its client's call order, every promise must settle, and every client must end up
// showing what the server holds.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient } from "syncline";
import { startServer } from "syncline/server";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy.js";
import { sleep, until } from "./support/setup.js";

const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/app/syncline");

type Message = { _id: string; _creationTime: number; room: string; body: string };
const listRoom = makeFunctionReference<"query", { room: string }, Message[]>("query", "behaviour:listRoom");
const send = makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "behaviour:send");

const CLIENTS = 3;
const MUTATIONS_PER_CLIENT = 60;
const NETWORK_FAULTS = 15;
const ROOM = "flaky";

/** A small seeded generator (mulberry32): a failing run names its seed, and SYNCLINE_TEST_SEED replays its fault schedule. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Breaks the network `faults` times: mostly dropping every connection, sometimes an outage. */
async function breakTheNetwork(proxy: TcpProxy, random: () => number, faults: number): Promise<void> {
  for (let i = 0; i < faults; i++) {
    await sleep(100 + random() * 300);
    if (random() < 0.7) {
      proxy.dropAll();
    } else {
      proxy.cut();
      await sleep(50 + random() * 250);
      proxy.restore();
    }
  }
}

describe("a flaky network", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  it("commits every mutation exactly once and in call order, and every client converges on the server's state", async () => {
    const seed = Number(process.env.SYNCLINE_TEST_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const dataDir = mkdtempSync(join(tmpdir(), "syncline-flaky-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ dir: FIXTURE_DIR, port: 0, db: join(dataDir, "data.sqlite") });
    cleanups.push(() => server.close());
    const proxy = await startTcpProxy(server.port);
    cleanups.push(() => proxy.close());

    const clients = Array.from({ length: CLIENTS }, () => new SynclineClient(proxy.url, { WebSocket, logger: false }));
    cleanups.push(() => Promise.all(clients.map((client) => client.close())).then(() => {}));
    const shown: Message[][] = clients.map(() => []);
    clients.forEach((client, c) => client.subscribe(listRoom, { room: ROOM }, (messages) => (shown[c] = messages)));
    await until(() => clients.every((client) => client.connectionState().isConnected));

    const faults = breakTheNetwork(proxy, random, NETWORK_FAULTS);
    const settledOrder = await Promise.all(
      clients.map(async (client, c) => {
        const settled: number[] = [];
        const calls: Promise<void>[] = [];
        for (let i = 0; i < MUTATIONS_PER_CLIENT; i++) {
          calls.push(client.mutation(send, { room: ROOM, body: `${c}:${i}` }).then(() => void settled.push(i)));
          await sleep(random() * 60);
        }
        await Promise.all(calls);
        return settled;
      }),
    );
    await faults;

    const context = `(seed ${seed})`;
    const inCallOrder = Array.from({ length: MUTATIONS_PER_CLIENT }, (_, i) => i);
    for (const settled of settledOrder) expect(settled, `promises settle in call order ${context}`).toEqual(inCallOrder);

    const direct = new SynclineClient(server.url, { WebSocket, logger: false });
    cleanups.push(() => direct.close());
    const stored = await direct.query(listRoom, { room: ROOM });
    expect(stored, `exactly once ${context}`).toHaveLength(CLIENTS * MUTATIONS_PER_CLIENT);
    for (let c = 0; c < CLIENTS; c++) {
      const mine = stored.filter((m) => m.body.startsWith(`${c}:`)).map((m) => Number(m.body.split(":")[1]));
      expect(mine, `client ${c} committed in call order ${context}`).toEqual(inCallOrder);
    }

    await until(() => shown.every((messages) => messages.length === stored.length), 30_000);
    for (const messages of shown) expect(messages, `subscriptions converge ${context}`).toEqual(stored);
    // The faults reached the clients: each replayed its session on new sockets.
    for (const client of clients) expect(client.connectionState().connectionCount, context).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
