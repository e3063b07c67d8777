// Vector search on the database layer: cosine order, limit, eq/or filters, the cache following
// inserts, patches and deletes (and ignoring writes that are rolled back), dimensions checked on
// every write, and refusals naming the index and field.

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import type { OpenedDatabase } from "../../../src/server/db/index.js";
import { VECTOR_SEARCH, type Reader } from "../../../src/server/db/reader.js";
import type { VectorSearchQuery } from "../../../src/server/db/vector-search.js";
import { rejection, seed, testDb } from "./helpers.js";

const schema = defineSchema({
  foods: defineTable({ name: v.string(), cuisine: v.string(), embedding: v.optional(v.array(v.float64())) }).vectorIndex("by_embedding", {
    vectorField: "embedding",
    dimensions: 3,
    filterFields: ["cuisine"],
  }),
});

async function setup(): Promise<OpenedDatabase> {
  const db = await testDb();
  await db.setSchema(schema);
  await seed(db, "foods", [
    { name: "x", cuisine: "french", embedding: [1, 0, 0] },
    { name: "xy", cuisine: "italian", embedding: [1, 1, 0] },
    { name: "y", cuisine: "french", embedding: [0, 2, 0] },
    { name: "z", cuisine: "thai", embedding: [0, 0, 5] },
    { name: "none", cuisine: "thai" },
  ]);
  return db;
}

async function names(db: OpenedDatabase, query: VectorSearchQuery): Promise<string[]> {
  const { result } = await db.read(async (tx) => {
    const found = await (tx.db as unknown as Reader)[VECTOR_SEARCH]("foods", "by_embedding", query);
    return Promise.all(found.map(async (hit) => `${(await tx.db.get(hit._id as never))!.name as string}:${hit._score.toFixed(3)}`));
  });
  return result;
}

describe("vector search", () => {
  it("orders by cosine similarity, honours limit and filters", async () => {
    const db = await setup();
    expect(await names(db, { vector: [1, 0.1, 0], limit: 3 })).toEqual(["x:0.995", "xy:0.774", "y:0.100"]);
    expect(await names(db, { vector: [1, 0.1, 0], limit: 1 })).toEqual(["x:0.995"]);
    expect(await names(db, { vector: [0, 1, 0], filter: (q) => q.eq("cuisine", "french") })).toEqual(["y:1.000", "x:0.000"]);
    expect(await names(db, { vector: [0, 0, 1], filter: (q) => q.or(q.eq("cuisine", "thai"), q.eq("cuisine", "italian")) })).toEqual(["z:1.000", "xy:0.000"]);
  });

  it("follows inserts, patches and deletes, and not rolled-back writes", async () => {
    const db = await setup();
    expect(await names(db, { vector: [0, 0, 1], limit: 1 })).toEqual(["z:1.000"]);
    const [id] = await seed(db, "foods", [{ name: "w", cuisine: "thai", embedding: [0, 0.1, 1] }]);
    expect(await names(db, { vector: [0, 0.1, 1], limit: 1 })).toEqual(["w:1.000"]);
    await db.write((tx) => tx.db.patch(id! as never, { embedding: [1, 0, 0] }));
    expect(await names(db, { vector: [0, 0.1, 1], limit: 1 })).toEqual(["z:0.995"]);
    await rejection(
      db.write(async (tx) => {
        await tx.db.patch(id! as never, { embedding: [0, 0.1, 1] });
        throw new Error("rolled back");
      }),
    );
    expect(await names(db, { vector: [0, 0.1, 1], limit: 1 })).toEqual(["z:0.995"]);
    await db.write((tx) => tx.db.delete(id! as never));
    expect(await names(db, { vector: [1, 0, 0], limit: 1 })).toEqual(["x:1.000"]);
    expect(await names(db, { vector: [1, 0, 0], limit: 256 })).toHaveLength(4);
  });

  it("checks dimensions on every write, storing nothing refused", async () => {
    const db = await setup();
    const insert = await rejection(db.write((tx) => tx.db.insert("foods", { name: "bad", cuisine: "thai", embedding: [1, 2] })));
    expect(insert.message).toBe('The field "embedding" of vector index "by_embedding" on table "foods" holds a vector of 2 numbers; the index has 3 dimensions.');
    const { result: count } = await db.read(async (tx) => (await tx.db.query("foods").collect()).length);
    expect(count).toBe(5);
  });

  it("refuses a missing index, a wrong vector length, a limit out of range, a filter on another field", async () => {
    const db = await setup();
    const run = (index: string, query: VectorSearchQuery) => rejection(db.read((tx) => (tx.db as unknown as Reader)[VECTOR_SEARCH]("foods", index, query)));
    expect((await run("nope", { vector: [1, 0, 0] })).message).toBe('Vector index "nope" not found on table "foods" (its vector indexes: by_embedding).');
    expect((await run("by_embedding", { vector: [1, 0] })).message).toBe(
      'Vector index "by_embedding" of table "foods": the vector has 2 numbers; field "embedding" of the index has 3 dimensions.',
    );
    expect((await run("by_embedding", { vector: [1, 0, 0], limit: 257 })).message).toBe('Vector index "by_embedding" of table "foods": limit must be an integer from 1 to 256, got 257.');
    expect((await run("by_embedding", { vector: [1, 0, 0], limit: 0 })).message).toContain("limit must be an integer from 1 to 256");
    expect((await run("by_embedding", { vector: [1, 0, 0], filter: (q) => q.eq("name", "x") })).message).toBe(
      'Vector index "by_embedding" of table "foods": "name" is not a filter field (its filter fields: cuisine).',
    );
  });

  it("refuses a vector field that is not an array of numbers at schema push", async () => {
    const db = await testDb();
    const bad = defineSchema({ t: defineTable({ e: v.string() }).vectorIndex("by_e", { vectorField: "e", dimensions: 4 }) });
    expect((await rejection(db.setSchema(bad))).message).toBe('Table "t": vector index "by_e" uses field "e", which is not an array of numbers (v.array(v.float64())) in the schema.');
    expect(() => defineTable({ e: v.array(v.float64()) }).vectorIndex("by_e", { vectorField: "e", dimensions: 0 })).toThrow("dimensions must be an integer from 2 to 4096");
  });
});
