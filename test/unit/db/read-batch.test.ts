// `readBatch`: many read functions on one snapshot (how live queries added together run). Every
// call sees the same commit, whatever commits while the batch runs, and keeps a read set of its
// own, exact to what it read; one rejecting call fails the batch only after the others settled.

import { expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { readSetOverlaps, type OpenedDatabase, type ReadTransaction } from "../../../src/server/db/index.js";
import { rejection, seed, testDb } from "./helpers.js";

const schema = defineSchema({
  items: defineTable({ x: v.number() }).index("by_x", ["x"]),
});

async function setup(): Promise<OpenedDatabase> {
  const db = await testDb();
  await db.setSchema(schema);
  await seed(db, "items", [1, 2, 3].map((x) => ({ x })));
  return db;
}

const withX = (x: number) => (tx: ReadTransaction) =>
  tx.db
    .query("items")
    .withIndex("by_x", (q) => q.eq("x", x))
    .collect();

it("runs every call on one snapshot, even when a commit lands while the batch runs", async () => {
  const db = await setup();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const batch = db.readBatch([
    {
      // Waits until the commit below is durable, then reads: it must still see the snapshot.
      fn: async (tx) => {
        await held;
        return (await tx.db.query("items").collect()).length;
      },
    },
    { fn: async (tx) => (await tx.db.query("items").collect()).length },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the batch has opened its snapshot
  const { ts: committed } = await db.write((tx) => tx.db.insert("items", { x: 4 }));
  release();
  const [late, early] = await batch;
  expect(late!.result).toBe(3);
  expect(early!.result).toBe(3);
  expect(late!.ts).toBe(early!.ts);
  expect(late!.ts).toBeLessThan(committed);
});

it("gives each call its own exact read set", async () => {
  const db = await setup();
  const [one, two] = await db.readBatch([{ fn: withX(1) }, { fn: withX(2) }]);
  expect(one!.result).toHaveLength(1);
  expect(two!.result).toHaveLength(1);
  const { writeSet } = await db.write((tx) => tx.db.insert("items", { x: 1 }));
  expect(readSetOverlaps(one!.readSet, writeSet)).toBe(true);
  expect(readSetOverlaps(two!.readSet, writeSet)).toBe(false);
});

it("keeps each call's read options to itself", async () => {
  const db = await setup();
  const readSystem = async (tx: ReadTransaction) => {
    try {
      return await tx.db.query("_scheduled_functions" as never).collect();
    } catch {
      return "refused";
    }
  };
  const [privileged, user] = await db.readBatch<unknown>([{ fn: readSystem, options: { system: true } }, { fn: readSystem }]);
  expect(privileged!.result).toEqual([]);
  expect(user!.result).toBe("refused");
});

it("fails the batch with the first rejection, after every call settled", async () => {
  const db = await setup();
  let slowFinished = false;
  const error = await rejection(
    db.readBatch<unknown>([
      {
        fn: async (tx) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          const docs = await tx.db.query("items").collect(); // the connection is still ours
          slowFinished = true;
          return docs;
        },
      },
      { fn: () => Promise.reject(new Error("database went away")) },
    ]),
  );
  expect(error.message).toBe("database went away");
  expect(slowFinished).toBe(true);
  // The connection went back in a usable state.
  const [after] = await db.readBatch([{ fn: withX(3) }]);
  expect(after!.result).toHaveLength(1);
});

it("answers an empty batch with no results", async () => {
  const db = await setup();
  expect(await db.readBatch([])).toEqual([]);
});
