// A client that stops reading its socket (paused behind a TCP proxy) while others commit large
// results: the server notices (its pings go unanswered), holds at most the socket's byte budget
// for it, coalesces what it missed into one transition to the newest state, and - when responses
// still would not fit - closes it with 1013 "SlowClient", after which both our client and the
// official one reconnect, resend their pending mutation exactly once, and show the newest state.

import { describe, expect, it } from "vitest";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { call } from "../../helpers/server.js";
import { startTcpProxy } from "../../helpers/tcp-proxy.js";
import { waitFor } from "../../helpers/wait.js";
import { convexApi, convexClient, load, startReliabilityServer, synclineClient, type Slot } from "./support.js";
import type { RunningServer } from "syncline/server";

const cleanups = cleanupAfterEach();
const SLOTS = 8;
const SLOT_BYTES = 100_000;

/** Rewrites every slot `rounds` times over HTTP (not through the stalled socket). */
async function commitRounds(server: RunningServer, from: number, rounds: number, sample: () => void): Promise<void> {
  for (let round = from; round < from + rounds; round++) {
    for (let slot = 0; slot < SLOTS; slot++) {
      const answer = await call(server.url, "mutation", "load:fill", { slot, round, bytes: SLOT_BYTES });
      expect(answer.status).toBe(200);
      sample();
    }
  }
}

describe("a client that stops reading", () => {
  it("costs at most its budget and is coalesced into the newest state when it reads again", async () => {
    const budget = 1024 * 1024;
    const server = await startReliabilityServer(cleanups, { maxQueuedBytesPerSocket: budget });
    const proxy = await startTcpProxy(server.port);
    cleanups.push(() => proxy.close());
    const client = synclineClient(proxy.url, cleanups);
    const seen = Array.from({ length: SLOTS }, () => [] as Slot[]);
    for (let slot = 0; slot < SLOTS; slot++) cleanups.push(client.subscribe(load.slot, { slot }, (value) => void seen[slot]!.push(value)));
    await waitFor(() => seen.every((values) => values.length > 0), Boolean);

    proxy.stall();
    let mostQueued = 0;
    let sawBehind = false;
    const rounds = 25; // 25 x 8 commits of 100 kB: 20 MB of results if every step were sent
    await commitRounds(server, 0, rounds, () => {
      mostQueued = Math.max(mostQueued, ...server.sync.queuedBytes());
      sawBehind ||= server.sync.socketsBehind() > 0;
    });
    // A transition only goes into an empty socket: what waits is at most one transition (all
    // slots changed, 0.8 MB) and the budget of what cannot wait - never the 20 MB.
    expect(sawBehind).toBe(true); // the server saw that the client stopped reading
    expect(mostQueued).toBeLessThanOrEqual(budget + SLOTS * (SLOT_BYTES + 200));

    proxy.restore();
    const newest = rounds - 1;
    await waitFor(() => seen.map((values) => values.at(-1)?.round), (rounds) => rounds.every((round) => round === newest), 20_000);
    for (let slot = 0; slot < SLOTS; slot++) {
      expect(seen[slot]!.at(-1)).toMatchObject({ slot, round: newest, body: `${newest}:`.padEnd(SLOT_BYTES, "x") });
      // The steps it missed while stalled were merged, not replayed one by one.
      expect(seen[slot]!.length).toBeLessThan(rounds);
    }
    expect(client.connectionState().connectionCount).toBe(1); // coalesced, never closed
  });

  for (const kind of ["syncline", "convex"] as const) {
    it(`is closed with 1013 SlowClient when responses exceed the budget; the ${kind} client reconnects, its mutation applied once`, async () => {
      const budget = 256 * 1024;
      const server = await startReliabilityServer(cleanups, { maxQueuedBytesPerSocket: budget });
      const proxy = await startTcpProxy(server.port);
      cleanups.push(() => proxy.close());
      const lines: string[] = [];
      const slot0: Slot[] = [];
      const counts: number[] = [];
      let increment: Promise<unknown>;
      let blobs: Promise<unknown>[];
      if (kind === "syncline") {
        const client = synclineClient(proxy.url, cleanups, lines);
        cleanups.push(client.subscribe(load.slot, { slot: 0 }, (value) => void slot0.push(value)));
        cleanups.push(client.subscribe(load.count, { name: "once" }, (value) => void counts.push(value)));
        await waitFor(() => slot0.length > 0 && counts.length > 0, Boolean);
        const filling = await stallUntilSocketFull(server, proxy, () => client.action(load.blob, { bytes: 200_000 }));
        increment = client.mutation(load.increment, { name: "once" });
        blobs = [...filling, ...[0, 1, 2, 3].map(() => client.action(load.blob, { bytes: 200_000 }).catch((error: Error) => error))];
      } else {
        const client = convexClient(proxy.url, cleanups, lines);
        cleanups.push(client.onUpdate(convexApi.load!.slot!, { slot: 0 }, (value: Slot) => void slot0.push(value)));
        cleanups.push(client.onUpdate(convexApi.load!.count!, { name: "once" }, (value: number) => void counts.push(value)));
        await waitFor(() => slot0.length > 0 && counts.length > 0, Boolean);
        const filling = await stallUntilSocketFull(server, proxy, () => client.action(convexApi.load!.blob!, { bytes: 200_000 }));
        increment = client.mutation(convexApi.load!.increment!, { name: "once" });
        blobs = [...filling, ...[0, 1, 2, 3].map(() => client.action(convexApi.load!.blob!, { bytes: 200_000 }).catch((error: Error) => error))];
      }
      // The mutation commits; its response and the action results wait behind the stalled socket
      // until they would pass the budget: then the server closes the socket instead.
      await waitFor(() => call(server.url, "query", "load:count", { name: "once" }), (answer) => answer.body.value === 1);
      for (const queued of server.sync.queuedBytes()) expect(queued).toBeLessThanOrEqual(budget + 600_000);
      await call(server.url, "mutation", "load:fill", { slot: 0, round: 999, bytes: 10 });

      proxy.restore();
      expect(await increment).toBe(1); // answered from its record after the reconnect: not run twice
      await Promise.all(blobs);
      await waitFor(() => lines.some((line) => line.includes("1013") && line.includes("SlowClient")), Boolean, 15_000);
      await waitFor(() => [slot0.at(-1)?.round, counts.at(-1)], ([round, count]) => round === 999 && count === 1, 15_000);
      expect((await call(server.url, "query", "load:count", { name: "once" })).body.value).toBe(1);
    });
  }
});

/**
 * Stalls the proxy and has the client ask for large action results (answers are sent whatever
 * the client reads; transitions are not, once it stops answering pings) until the server's socket
 * to it holds unsent bytes. Returns the actions' promises: each settles once the client reconnected.
 */
async function stallUntilSocketFull(server: RunningServer, proxy: { stall(): void }, blob: () => Promise<unknown>): Promise<Promise<unknown>[]> {
  proxy.stall();
  const actions: Promise<unknown>[] = [];
  for (let round = 1; Math.max(0, ...server.sync.queuedBytes()) === 0; round++) {
    if (round > 500) throw new Error("the stalled socket never filled");
    actions.push(blob().catch((error: Error) => error));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return actions;
}
