// Vector search on the database layer: cosine order, limit, eq/or filters, the cache following
// inserts, patches and deletes (and ignoring writes that are rolled back), dimensions checked on
// every write, and refusals naming the index and field.

import { afterEach, describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import type { OpenedDatabase } from "../../../src/server/db/index.js";
import { VECTOR_SEARCH, type Reader } from "../../../src/server/db/reader.js";
import type { VectorFilterBuilder, VectorSearchQuery } from "../../../src/server/db/vector-search.js";
import { setVectorCacheBudget, vectorCacheUsage } from "../../../src/server/db/vector-cache.js";
import { prng } from "../../../bench/lib/prng.js";
import { exportAll, importAll, rejection, seed, testDb } from "./helpers.js";

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

  it("survives an export and import: the snapshot holds documents, the import rebuilds the index", async () => {
    const source = await setup();
    const exported = await exportAll(source);
    const { snapshot, documents: pages } = exported;
    // What an export holds of the index is its definition; no entry key reaches it.
    expect(snapshot.tables.find((table) => table.name === "foods")!.indexes).toEqual([{ name: "by_embedding", fields: ["$vector", "embedding", "3", "cuisine"] }]);
    expect(pages.find((page) => (page.value as { name: string }).name === "xy")!.value).toMatchObject({ embedding: [1, 1, 0] });
    const target = await importAll(exported);
    await target.setSchema(schema);
    for (const query of [{ vector: [1, 0.1, 0], limit: 3 }, { vector: [0, 1, 0], filter: (q: VectorFilterBuilder) => q.eq("cuisine", "french") }]) {
      expect(await names(target, query)).toEqual(await names(source, query));
    }
  });

  it("refuses NaN and infinite numbers in a vector, storing nothing", async () => {
    const db = await setup();
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await rejection(db.write((tx) => tx.db.insert("foods", { name: "bad", cuisine: "thai", embedding: [1, bad, 0] })));
      expect(error.message).toBe('The field "embedding" of vector index "by_embedding" on table "foods" must hold an array of finite numbers (v.array(v.float64())), got an array holding something other than finite numbers.');
    }
    const { result: count } = await db.read(async (tx) => (await tx.db.query("foods").collect()).length);
    expect(count).toBe(5);
  });

  it("compares vectors of huge, subnormal and negative-zero numbers by their direction, and keeps the document's numbers as written", async () => {
    const db = await testDb();
    await db.setSchema(schema);
    const huge = [1.7e308, 1.7e308, -0];
    await seed(db, "foods", [
      { name: "huge", cuisine: "a", embedding: huge },
      { name: "tiny", cuisine: "a", embedding: [5e-324, 0, 0] },
      { name: "zero", cuisine: "a", embedding: [0, -0, 0] },
    ]);
    expect(await names(db, { vector: [1, 1, 0] })).toEqual(["huge:1.000", "tiny:0.707", "zero:0.000"]);
    expect(await names(db, { vector: [1e-310, 0, 0], limit: 1 })).toEqual(["tiny:1.000"]);
    const { result } = await db.read(async (tx) => (await tx.db.query("foods").collect()).map((doc) => doc.embedding));
    expect(result).toEqual([huge, [5e-324, 0, 0], [0, -0, 0]]);
    expect(Object.is((result[0] as number[])[2], -0)).toBe(true);
  });
});

/** Cosine similarity in float64, the textbook way. */
function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(aa * bb);
}

/** Float32 storage of unit vectors: a score is within this of the float64 cosine. */
const FLOAT32_TOLERANCE = 1e-6;

describe("vector search against a float64 brute force", () => {
  const dimensions = 48;
  const big = defineSchema({
    docs: defineTable({ group: v.number(), embedding: v.array(v.float64()) }).vectorIndex("by_embedding", { vectorField: "embedding", dimensions, filterFields: ["group"] }),
  });

  async function corpus(count: number): Promise<{ db: OpenedDatabase; docs: { id: string; group: number; embedding: number[] }[] }> {
    const db = await testDb();
    await db.setSchema(big);
    const random = prng(5);
    const docs = Array.from({ length: count }, (_, i) => ({ group: i % 4, embedding: Array.from({ length: dimensions }, () => (random() * 2 - 1) * 10 ** Math.floor(random() * 6 - 3)) }));
    const ids = await seed(db, "docs", docs);
    return { db, docs: docs.map((doc, i) => ({ ...doc, id: ids[i]! as string })) };
  }

  async function search(db: OpenedDatabase, vector: number[], limit: number, group?: number) {
    const { result } = await db.read((tx) =>
      (tx.db as unknown as Reader)[VECTOR_SEARCH]("docs", "by_embedding", { vector, limit, ...(group === undefined ? {} : { filter: (q) => q.eq("group", group) }) }),
    );
    return result;
  }

  /** Each rank's score matches the reference's, and each id's own reference score matches its rank's. */
  function expectMatches(found: { _id: string; _score: number }[], reference: { id: string; score: number }[], limit: number): void {
    expect(found).toHaveLength(Math.min(limit, reference.length));
    const byId = new Map(reference.map((entry) => [entry.id, entry.score]));
    found.forEach((hit, rank) => {
      expect(Math.abs(hit._score - reference[rank]!.score)).toBeLessThan(FLOAT32_TOLERANCE);
      expect(Math.abs(byId.get(hit._id)! - reference[rank]!.score)).toBeLessThan(FLOAT32_TOLERANCE);
    });
  }

  it("finds the same documents, in the same order, with the same scores to float32 precision", async () => {
    const { db, docs } = await corpus(1500);
    const random = prng(9);
    for (let q = 0; q < 12; q++) {
      const vector = Array.from({ length: dimensions }, () => random() * 2 - 1);
      const group = q % 3 === 0 ? q % 4 : undefined;
      const limit = [1, 10, 256][q % 3]!;
      const reference = docs
        .filter((doc) => group === undefined || doc.group === group)
        .map((doc) => ({ id: doc.id, score: cosine(vector, doc.embedding) }))
        .sort((a, b) => b.score - a.score);
      expectMatches(await search(db, vector, limit, group), reference.slice(0, limit), limit);
    }
  });

  it("answers searches that start together, before the index is loaded", async () => {
    const { db, docs } = await corpus(300);
    const vector = Array.from({ length: dimensions }, (_, i) => Math.sin(i / 3));
    const reference = docs.map((doc) => ({ id: doc.id, score: cosine(vector, doc.embedding) })).sort((a, b) => b.score - a.score);
    const together = await Promise.all(Array.from({ length: 6 }, () => search(db, vector, 5)));
    for (const found of together) expectMatches(found, reference.slice(0, 5), 5);
    expect(vectorCacheUsage().indexes.filter((entry) => entry.rows === 300)).toHaveLength(1);
  });

  describe("within the cache's memory budget", () => {
    afterEach(() => setVectorCacheBudget(undefined));

    it("evicts the least recently searched index to load another, and answers the same", async () => {
      const a = await corpus(300);
      const b = await corpus(300);
      const vector = Array.from({ length: dimensions }, (_, i) => Math.sin(i));
      const firstA = await search(a.db, vector, 10);
      const firstB = await search(b.db, vector, 10);
      expect(vectorCacheUsage().indexes.length).toBeGreaterThanOrEqual(2);
      // Room for one index of 300 rows (one 1,024-row chunk) but not two.
      const one = vectorCacheUsage().indexes.at(-1)!.bytes;
      setVectorCacheBudget(one * 1.5);
      expect(vectorCacheUsage().indexes).toHaveLength(1);
      expect(await search(a.db, vector, 10)).toEqual(firstA);
      expect(vectorCacheUsage().bytes).toBeLessThanOrEqual(one * 1.5);
      expect(await search(b.db, vector, 10)).toEqual(firstB);
      expect(vectorCacheUsage().indexes).toEqual([{ index: "by_embedding", rows: 300, bytes: one }]);
    });

    it("streams an index too large for the whole budget from storage, following writes, keeping nothing", async () => {
      const { db, docs } = await corpus(400);
      const vector = Array.from({ length: dimensions }, (_, i) => Math.cos(i));
      const cached = await search(db, vector, 20, 1);
      setVectorCacheBudget(1024);
      expect(vectorCacheUsage().bytes).toBe(0);
      expect(await search(db, vector, 20, 1)).toEqual(cached);
      expect(vectorCacheUsage().bytes).toBe(0);
      // A write is seen at once: no cache to bring forward.
      await db.write((tx) => tx.db.patch(docs[1]!.id as never, { embedding: vector }));
      const after = await search(db, vector, 20, 1);
      expect(after[0]).toEqual({ _id: docs[1]!.id, _score: expect.closeTo(1, 6) as number });
      expect(vectorCacheUsage().bytes).toBe(0);
      // Given room again, the index is cached and answers the same.
      setVectorCacheBudget(undefined);
      expect(await search(db, vector, 20, 1)).toEqual(after);
      expect(vectorCacheUsage().indexes).toHaveLength(1);
    });
  });
});
