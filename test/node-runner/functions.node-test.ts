// syncTest under Node's own test runner (`node --import tsx --test`), run by
// test/integration/testing/node-test-runner.test.ts: nothing here depends on vitest.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { syncTest, type SyncTest } from "syncline/testing";
import { silentLogger } from "syncline/server";
import { AppError } from "syncline/values";
import { api, internal } from "../fixtures/testing/syncline/_generated/api";

const dir = join(import.meta.dirname, "../fixtures/testing/syncline");

describe("syncTest under node:test", () => {
  let t: SyncTest;
  before(async () => {
    t = await syncTest({ dir, startTime: Date.parse("2030-01-01T09:00:00Z"), logger: silentLogger });
  });
  after(() => t.close());

  it("calls functions and sees their writes", async () => {
    await t.mutation(api.messages.send, { room: "n", body: "hello" });
    assert.equal(await t.query(internal.messages.count, { room: "n" }), 1);
  });

  it("delivers AppError data", async () => {
    await assert.rejects(t.mutation(api.messages.send, { room: "n", body: "" }), (error: unknown) => error instanceof AppError && (error.data as { code: string }).code === "EMPTY");
  });

  it("runs scheduled functions and crons on fake time", async () => {
    await t.mutation(api.jobs.later, { what: "soon", delayMs: 1000 });
    await t.advanceTime(10 * 60_000);
    const events = await t.run((ctx) => ctx.db.query("events").collect());
    assert.deepEqual(events.map((e) => e.what), ["soon", "cron"]);
  });

  it("keeps a live in-process client up to date", async () => {
    const client = t.client({ logger: false });
    const bodies: string[][] = [];
    client.subscribe(api.messages.list, { room: "live" }, (messages) => bodies.push(messages.map((m) => m.body)));
    await client.mutation(api.messages.send, { room: "live", body: "one" });
    await t.mutation(api.messages.send, { room: "live", body: "two" });
    for (let i = 0; i < 200 && bodies.at(-1)?.length !== 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(bodies.at(-1), ["one", "two"]);
  });
});
