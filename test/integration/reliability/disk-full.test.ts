// A full database under a real server (SQLite's size limit, `maxDatabaseBytes`, stands in for a
// full disk: SQLite answers both with SQLITE_FULL). Mutations that need room fail with a clear,
// retryable message on our client and the official one; every acknowledged mutation is there and
// nothing of a refused one; queries and subscriptions keep serving; freeing room (deleting
// documents) or raising the limit lets the same mutation succeed, with no restart.

import { describe, expect, it } from "vitest";
import { EmbeddedDatabase } from "../../../src/server/db/index.js";
import { cleanupAfterEach } from "../../helpers/cleanups.js";
import { call } from "../../helpers/server.js";
import { waitFor } from "../../helpers/wait.js";
import { convexApi, convexClient, load, startReliabilityServer, synclineClient, type Slot } from "./support.js";

const cleanups = cleanupAfterEach();
const LIMIT = 1024 * 1024;
const SLOT_BYTES = 48 * 1024;
const FULL = /The database .* is full .*: this mutation was not applied\. Retry it once space is freed; queries and subscriptions keep working meanwhile\./;

async function fullServer() {
  const server = await startReliabilityServer(cleanups, { db: ":memory:", maxDatabaseBytes: LIMIT });
  const ours = synclineClient(server.url, cleanups);
  const official = convexClient(server.url, cleanups);
  const acknowledged = new Map<number, number>();
  for (let slot = 0; slot < 200; slot++) {
    try {
      acknowledged.set(slot, await ours.mutation(load.fill, { slot, round: 1, bytes: SLOT_BYTES }));
    } catch (error) {
      return { server, ours, official, acknowledged, refusedSlot: slot, refusal: error as Error };
    }
  }
  throw new Error(`the database never filled up under its ${LIMIT}-byte limit`);
}

describe("a full database under a real server", () => {
  it("refuses mutations with a retryable message on both clients, keeps what was acknowledged, serves queries and subscriptions, and recovers when room is freed", async () => {
    const { server, ours, official, acknowledged, refusedSlot, refusal } = await fullServer();
    expect(acknowledged.size).toBeGreaterThan(5);
    expect(refusal.message).toMatch(FULL);
    const officialRefusal = await official.mutation(convexApi.load!.fill!, { slot: refusedSlot, round: 1, bytes: SLOT_BYTES }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(officialRefusal?.message).toMatch(FULL);
    // Over HTTP too: an answer with the message, not an internal error.
    const http = await call(server.url, "mutation", "load:fill", { slot: refusedSlot, round: 1, bytes: SLOT_BYTES });
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({ status: "error" });
    expect(String(http.body.errorMessage)).toMatch(FULL);

    // Queries serve every acknowledged write and nothing of the refused one.
    for (const [slot, round] of acknowledged) expect((await official.query(convexApi.load!.slot!, { slot }))?.round).toBe(round);
    expect(await ours.query(load.slot, { slot: refusedSlot })).toBeNull();
    // New subscriptions start while it is full, on both clients.
    const seenOurs: Slot[] = [];
    const seenOfficial: Slot[] = [];
    cleanups.push(ours.subscribe(load.slot, { slot: 0 }, (value) => seenOurs.push(value)));
    cleanups.push(official.onUpdate(convexApi.load!.slot!, { slot: 0 }, (value: Slot) => seenOfficial.push(value)));
    await waitFor(() => [seenOurs.at(-1)?.round, seenOfficial.at(-1)?.round], ([a, b]) => a === 1 && b === 1);

    // Room is freed by a mutation; the refused one then succeeds as it was, and subscribers see it.
    expect(await official.mutation(convexApi.load!.clear!, {})).toBe(acknowledged.size);
    expect(await ours.mutation(load.fill, { slot: refusedSlot, round: 2, bytes: SLOT_BYTES })).toBe(2);
    expect(await ours.mutation(load.fill, { slot: 0, round: 3, bytes: SLOT_BYTES })).toBe(3);
    await waitFor(() => [seenOurs.at(-1)?.round, seenOfficial.at(-1)?.round], ([a, b]) => a === 3 && b === 3);
    expect(seenOurs.map((slot) => slot?.round ?? null)).toEqual([1, null, 3]);
  }, 60_000);

  it("recovers when the limit is raised, with no restart", async () => {
    const { server, ours, refusedSlot } = await fullServer();
    const retry = () => ours.mutation(load.fill, { slot: refusedSlot, round: 7, bytes: SLOT_BYTES });
    await expect(retry()).rejects.toThrow(FULL);
    if (!(server.db instanceof EmbeddedDatabase)) throw new Error("expected the SQLite engine");
    server.db.setMaxSize(4 * LIMIT);
    expect(await retry()).toBe(7);
    expect((await ours.query(load.slot, { slot: refusedSlot }))?.round).toBe(7);
  }, 60_000);

  it("mutations in flight together with the one that fills it are all kept but that one", async () => {
    const { server, ours, official, acknowledged } = await fullServer();
    // Room for small mutations only, then many small ones and one large one at the same time.
    await ours.mutation(load.clear, {});
    for (let slot = 0; slot < acknowledged.size - 4; slot++) await ours.mutation(load.fill, { slot, round: 1, bytes: SLOT_BYTES });
    const small = Array.from({ length: 40 }, (_, i) => call(server.url, "mutation", "load:increment", { name: `c${i}` }));
    const large = call(server.url, "mutation", "load:fill", { slot: 500, round: 1, bytes: 900 * 1024 });
    const answers = await Promise.all([...small.slice(0, 20), large, ...small.slice(20)]);
    const largeAnswer = answers.splice(20, 1)[0]!;
    expect(String(largeAnswer.body.errorMessage)).toMatch(FULL);
    expect(answers.map((answer) => answer.body.status)).toEqual(answers.map(() => "success"));
    for (let i = 0; i < 40; i++) expect(await official.query(convexApi.load!.count!, { name: `c${i}` })).toBe(1);
    expect(await ours.query(load.slot, { slot: 500 })).toBeNull();
  }, 60_000);
});
