// Reads while a schema install is being flushed. The install commits first and waits for its
// flush after; a read starting in between already holds the install in its snapshot, so it must
// use the new catalog (the install deleted a rebuilt index's old entries) - never return an
// empty result that matches no snapshot (design.md: "all reads at one snapshot timestamp").
// The flush is gated (the `fileSync` fault-injection option) so the window is deterministic.

import { describe, expect, it } from "vitest";
import type { FileSync } from "../../../src/server/db/sqlite/durability.js";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { seed, testDb } from "./helpers.js";

/** Flushes finish at once unless held; held ones wait for `release()`. */
function holdableSync() {
  let hold = false;
  const held: (() => void)[] = [];
  const sync: FileSync = () =>
    new Promise<void>((resolve) => {
      if (hold) held.push(resolve);
      else resolve();
    });
  return {
    sync,
    hold: () => (hold = true),
    get waiting() {
      return held.length;
    },
    release: () => {
      hold = false;
      while (held.length > 0) held.shift()!();
    },
  };
}

const turns = async (n = 10) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

const fields = { a: v.string(), b: v.number() };
const before = defineSchema({ items: defineTable(fields).index("by_key", ["a"]) });
const rebuilt = defineSchema({ items: defineTable(fields).index("by_key", ["b"]) });

describe("reads while a schema install is being flushed", () => {
  it("a read at the install's snapshot through a rebuilt index sees the rows (in the new order), not an empty index", async () => {
    const gate = holdableSync();
    const db = await testDb({ fileSync: gate.sync });
    await db.setSchema(before);
    await seed(db, "items", [
      { a: "x", b: 3 },
      { a: "y", b: 1 },
      { a: "z", b: 2 },
    ]);

    gate.hold();
    const install = db.setSchema(rebuilt);
    await turns();
    expect(gate.waiting).toBe(1); // the install committed and waits for its flush

    // A read that starts now has the install in its snapshot.
    const read = db.read(async (tx) => (await tx.db.query("items").withIndex("by_key" as never).collect()).map((d) => d.b));
    await turns();
    gate.release();
    await install;

    const { result } = await read;
    // At the snapshot before the install: [3, 1, 2] (by a); after it: [1, 2, 3] (by b).
    // Either is a consistent answer; the empty index of neither is not.
    expect(result).toEqual([1, 2, 3]);
  });

  it("a read through an index the install dropped does not silently return nothing", async () => {
    const gate = holdableSync();
    const db = await testDb({ fileSync: gate.sync });
    await db.setSchema(before);
    await seed(db, "items", [{ a: "x", b: 3 }]);

    gate.hold();
    const install = db.setSchema(defineSchema({ items: defineTable(fields) }));
    await turns();
    const read = db.read(async (tx) => (await tx.db.query("items").withIndex("by_key" as never).collect()).length);
    await turns();
    gate.release();
    await install;

    // Before the install: 1 row; after it: the index does not exist (an error). Never 0 rows.
    const outcome = await read.then(
      ({ result }) => result,
      (error: Error) => error.message,
    );
    expect(outcome).not.toBe(0);
  });
});
