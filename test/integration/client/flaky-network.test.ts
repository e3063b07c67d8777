// Several clients writing through a network that keeps breaking: connections dropped mid-frame,
// outages during which every attempt fails. Whatever the timing, each mutation must commit exactly
// once, in its client's call order, every promise must settle, and every client must end up
// showing what the server holds - a paginated list too, though messages are added at its end
// and removed from its first pages meanwhile (each page's end is pinned by the journal the client
// echoes after every reconnect), without a gap or a repeat.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { makeFunctionReference, SynclineClient, SynclineHttpClient, watchPaginatedQuery, type PaginationOptions, type PaginationResult } from "syncline";
import { startServer } from "syncline/server";
import { startChildServer } from "../../helpers/child-server.js";
import { startTcpProxy, type TcpProxy } from "../../helpers/tcp-proxy.js";
import { sleep, until } from "./support/setup.js";

const FIXTURE_DIR = join(import.meta.dirname, "../../fixtures/app/syncline");

type Message = { _id: string; _creationTime: number; room: string; body: string };
const listRoom = makeFunctionReference<"query", { room: string }, Message[]>("query", "behaviour:listRoom");
const send = makeFunctionReference<"mutation", { room: string; body: string }, string>("mutation", "behaviour:send");
const remove = makeFunctionReference<"mutation", { id: string }, null>("mutation", "behaviour:remove");
const paged = makeFunctionReference<"query", { room: string; paginationOpts: PaginationOptions }, PaginationResult<Message>>("query", "behaviour:paged");

const CLIENTS = 3;
const MUTATIONS_PER_CLIENT = 60;
const NETWORK_FAULTS = 15;
const SEEDED = 30;
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

  it("commits every mutation exactly once and in call order; every client, and a paginated list, converge on the server's state", async () => {
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
    // The list starts with messages enough for several pages; clients 1 and 2 remove them, oldest
    // first, while everyone adds theirs at the end.
    const seedsLeft: string[] = [];
    for (let i = 0; i < SEEDED; i++) seedsLeft.push(await clients[0]!.mutation(send, { room: ROOM, body: `seed:${i}` }));
    const feed = watchPaginatedQuery(clients[0]!, paged, { room: ROOM }, { initialNumItems: 5 });
    const repeats: string[] = [];
    feed.subscribe(() => {
      const ids = feed.getCurrentResult().results.map((m) => m._id);
      if (new Set(ids).size !== ids.length) repeats.push(ids.join(","));
    });
    await until(() => clients.every((client) => client.connectionState().isConnected) && feed.getCurrentResult().status === "CanLoadMore");
    feed.loadMore(10);

    const faults = breakTheNetwork(proxy, random, NETWORK_FAULTS);
    const settledOrder = await Promise.all(
      clients.map(async (client, c) => {
        const settled: number[] = [];
        const calls: Promise<unknown>[] = [];
        for (let i = 0; i < MUTATIONS_PER_CLIENT; i++) {
          calls.push(client.mutation(send, { room: ROOM, body: `${c}:${i}` }).then(() => void settled.push(i)));
          await sleep(random() * 60);
          if (c === 0 && i % 10 === 9) feed.loadMore(10);
          const seed = c > 0 && i % 4 === 3 ? seedsLeft.shift() : undefined;
          if (seed !== undefined) calls.push(client.mutation(remove, { id: seed }));
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
    for (let c = 0; c < CLIENTS; c++) {
      const mine = stored.filter((m) => m.body.startsWith(`${c}:`)).map((m) => Number(m.body.split(":")[1]));
      expect(mine, `client ${c}'s messages, each once, in call order ${context}`).toEqual(inCallOrder);
    }
    const removedSeeds = SEEDED - seedsLeft.length;
    expect(removedSeeds, context).toBeGreaterThan(0);
    expect(stored, `exactly once ${context}`).toHaveLength(CLIENTS * MUTATIONS_PER_CLIENT + SEEDED - removedSeeds);

    // Each client's subscription may still be catching up with the others' last writes.
    const storedIds = stored.map((m) => m._id).join();
    await until(() => shown.every((messages) => messages.map((m) => m._id).join() === storedIds), 30_000, `subscriptions to converge ${context}`);
    for (const messages of shown) expect(messages).toEqual(stored);
    while (feed.getCurrentResult().status !== "Exhausted") {
      if (feed.getCurrentResult().status === "CanLoadMore") feed.loadMore(50);
      await sleep(5);
    }
    expect(feed.getCurrentResult().results, `the paginated list has every message once ${context}`).toEqual(stored);
    expect(repeats, `no page ever overlapped another ${context}`).toEqual([]);
    // The faults reached the clients: each replayed its session on a new socket at least once.
    for (const client of clients) expect(client.connectionState().connectionCount, context).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it("a server killed (kill -9) after committing mutations it could not answer: after its restart each commits exactly once", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "syncline-crash-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, "data.sqlite");
    let server = await startChildServer(FIXTURE_DIR, file);
    cleanups.push(() => server.stop());
    const ports = { port: Number(new URL(server.url).port), sitePort: Number(new URL(server.siteUrl).port) };
    const proxy = await startTcpProxy(ports.port);
    cleanups.push(() => proxy.close());
    const clients = Array.from({ length: 2 }, () => new SynclineClient(proxy.url, { WebSocket, logger: false }));
    cleanups.push(() => Promise.all(clients.map((client) => client.close())).then(() => {}));
    const shown: Message[][] = clients.map(() => []);
    clients.forEach((client, c) => client.subscribe(listRoom, { room: "crash" }, (messages) => (shown[c] = messages)));
    const direct = new SynclineHttpClient(server.url);
    const storedCount = async () => (await direct.query(listRoom, { room: "crash" })).length;

    const perClient = 80;
    let acknowledged = 0;
    let acknowledgedBeforeCrash = -1;
    // The mutations go out a few at a time, so the server is still receiving and committing them
    // when its answers start getting lost (a server that group-commits everything it received at
    // once would otherwise have answered them all before the first 20 acknowledgements were seen).
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < perClient; i++) {
      clients.forEach((client, c) =>
        calls.push(
          client.mutation(send, { room: "crash", body: `${c}:${i}` }).then(() => {
            // From the 20th answer on the server's answers are lost while it commits what it
            // receives; then it dies. Every mutation it committed must be answered from its
            // record after the restart.
            if (++acknowledged === 20) {
              proxy.blackhole();
              acknowledgedBeforeCrash = acknowledged;
            }
          }),
        ),
      );
      await sleep(5);
    }
    await until(() => acknowledgedBeforeCrash > 0, 10_000, "the first writes");
    let committed = -1;
    for (let previous = -2; committed !== previous; await sleep(200)) [previous, committed] = [committed, await storedCount()];
    await server.kill();
    expect(committed - acknowledgedBeforeCrash).toBeGreaterThan(20);
    server = await startChildServer(FIXTURE_DIR, file, ports);
    proxy.restore();
    await Promise.all(calls);

    const stored = await new SynclineHttpClient(server.url).query(listRoom, { room: "crash" });
    for (let c = 0; c < clients.length; c++) {
      const mine = stored.filter((m) => m.body.startsWith(`${c}:`)).map((m) => Number(m.body.split(":")[1]));
      expect(mine).toEqual(Array.from({ length: perClient }, (_, i) => i));
    }
    const storedIds = stored.map((m) => m._id).join();
    await until(() => shown.every((messages) => messages.map((m) => m._id).join() === storedIds), 10_000, "subscriptions to catch up");
  }, 90_000);
});
