// The documented limits of search and vector indexes (search-limits.ts), at their edges: what is
// just within a limit works, one past it is a clear error naming the index (at definition or
// schema push where the schema decides, at the query otherwise), and nothing is lost by a refusal.

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v, type PropertyValidators } from "../../../src/values/index.js";
import type { OpenedDatabase, ReadTransaction } from "../../../src/server/db/index.js";
import { VECTOR_SEARCH, type Reader } from "../../../src/server/db/reader.js";
import type { VectorFilter, VectorSearchQuery } from "../../../src/server/db/vector-search.js";
import { rejection, seed, testDb } from "./helpers.js";

const fields = (count: number, prefix: string): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const validators = (names: string[]): PropertyValidators => Object.fromEntries(names.map((name) => [name, v.optional(v.string())]));

describe("search index definitions", () => {
  it("take at most 16 filter fields", () => {
    const table = defineTable({ body: v.string(), ...validators(fields(17, "f")) });
    expect(() => table.searchIndex("s16", { searchField: "body", filterFields: fields(16, "f") as never[] })).not.toThrow();
    expect(() => table.searchIndex("s17", { searchField: "body", filterFields: fields(17, "f") as never[] })).toThrow(
      'Search index "s17" lists 17 filter fields; a search index may have at most 16.',
    );
  });

  it("at most 4 on a table", () => {
    const four = defineTable({ body: v.string() })
      .searchIndex("a", { searchField: "body" })
      .searchIndex("b", { searchField: "body" })
      .searchIndex("c", { searchField: "body" })
      .searchIndex("d", { searchField: "body" });
    expect(() => four.searchIndex("e", { searchField: "body" })).toThrow('Search index "e": a table may have at most 4 search indexes, and this one has a, b, c, d.');
  });
});

describe("vector index definitions", () => {
  const table = defineTable({ e: v.array(v.float64()), ...validators(fields(17, "f")) });

  it("take 2 to 4096 dimensions", () => {
    expect(() => table.vectorIndex("d2", { vectorField: "e", dimensions: 2 })).not.toThrow();
    expect(() => table.vectorIndex("d4096", { vectorField: "e", dimensions: 4096 })).not.toThrow();
    expect(() => table.vectorIndex("d1", { vectorField: "e", dimensions: 1 })).toThrow('Vector index "d1": dimensions must be an integer from 2 to 4096, got 1.');
    expect(() => table.vectorIndex("d4097", { vectorField: "e", dimensions: 4097 })).toThrow("got 4097");
    expect(() => table.vectorIndex("half", { vectorField: "e", dimensions: 2.5 })).toThrow("got 2.5");
  });

  it("take at most 16 filter fields, and at most 4 on a table", () => {
    expect(() => table.vectorIndex("v16", { vectorField: "e", dimensions: 2, filterFields: fields(16, "f") as never[] })).not.toThrow();
    expect(() => table.vectorIndex("v17", { vectorField: "e", dimensions: 2, filterFields: fields(17, "f") as never[] })).toThrow(
      'Vector index "v17" lists 17 filter fields; a vector index may have at most 16.',
    );
    const four = table
      .vectorIndex("a", { vectorField: "e", dimensions: 2 })
      .vectorIndex("b", { vectorField: "e", dimensions: 2 })
      .vectorIndex("c", { vectorField: "e", dimensions: 2 })
      .vectorIndex("d", { vectorField: "e", dimensions: 2 });
    expect(() => four.vectorIndex("x", { vectorField: "e", dimensions: 2 })).toThrow('Vector index "x": a table may have at most 4 vector indexes, and this one has a, b, c, d.');
    // The limits are per kind: four vector indexes leave room for search indexes.
    expect(() => four.searchIndex("s", { searchField: "f0" as never })).not.toThrow();
  });
});

describe("filter fields of either kind", () => {
  it("may not be listed twice", () => {
    const table = defineTable({ body: v.string(), e: v.array(v.float64()), tag: v.string() });
    expect(() => table.searchIndex("s", { searchField: "body", filterFields: ["tag", "tag"] })).toThrow('Search index "s" lists a filter field twice.');
    expect(() => table.vectorIndex("v", { vectorField: "e", dimensions: 2, filterFields: ["tag", "tag"] })).toThrow('Vector index "v" lists a filter field twice.');
  });
});

describe("search queries", () => {
  const filterFields = fields(9, "f");
  const schema = defineSchema({
    notes: defineTable({ body: v.string(), ...validators(filterFields) }).searchIndex("search_body", { searchField: "body", filterFields: filterFields as never[] }),
  });
  // 1030 notes hold "common"; note i also holds "n<i>", and notes 0-9 hold "rare".
  const TOTAL = 1030;

  async function setup(): Promise<OpenedDatabase> {
    const db = await testDb();
    await db.setSchema(schema);
    const notes = Array.from({ length: TOTAL }, (_, i) => ({ body: `common n${i}${i < 10 ? " rare" : ""}`, ...Object.fromEntries(filterFields.map((f) => [f, "x"])) }));
    await seed(db, "notes", notes);
    return db;
  }

  const search = (tx: ReadTransaction, text: string) => tx.db.query("notes").withSearchIndex("search_body", (q) => q.search("body", text));

  it("read the best 1024 results; reading past them when more match is an error, not a shortened list", async () => {
    const db = await setup();
    expect((await db.read((tx) => search(tx, "common").take(1024))).result).toHaveLength(1024);
    expect((await db.read((tx) => search(tx, "common").first())).result).not.toBeNull();
    const tooMany = 'Search index "search_body" of table "notes": more than 1024 documents match, and a search reads at most 1024.';
    expect((await rejection(db.read((tx) => search(tx, "common").collect()))).message).toContain(tooMany);
    expect((await rejection(db.read((tx) => search(tx, "common").take(1025)))).message).toContain(tooMany);
    // Pages within the 1024 are answered; the page that would reach past them is refused.
    const pages = await db.read(async (tx) => {
      const first = await search(tx, "common").paginate({ numItems: 1000, cursor: null });
      return { first, next: await rejection(search(tx, "common").paginate({ numItems: 1000, cursor: first.continueCursor })) };
    });
    expect(pages.result.first.page).toHaveLength(1000);
    expect(pages.result.next.message).toContain(tooMany);
    const iterated = await rejection(
      db.read(async (tx) => {
        for await (const note of search(tx, "common")) void note;
      }),
    );
    expect(iterated.message).toContain(tooMany);
    // A search matching fewer is whole, however it is read.
    expect((await db.read((tx) => search(tx, "rare").collect())).result).toHaveLength(10);
  });

  it("take at most 16 terms and 8 eq() filters", async () => {
    const db = await setup();
    const terms = (count: number) => fields(count, "t").join(" ");
    expect((await db.read((tx) => search(tx, `${terms(15)} rare`).collect())).result).toHaveLength(10);
    expect((await rejection(db.read((tx) => search(tx, terms(17)).collect()))).message).toBe(
      'Search index "search_body" of table "notes": at most 16 search terms per query, got 17.',
    );
    const withFilters = (tx: ReadTransaction, count: number) =>
      tx.db
        .query("notes")
        .withSearchIndex("search_body", (q) => filterFields.slice(0, count).reduce((built, field) => built.eq(field as never, "x" as never), q.search("body", "rare")))
        .collect();
    expect((await db.read((tx) => withFilters(tx, 8))).result).toHaveLength(10);
    expect((await rejection(db.read((tx) => withFilters(tx, 9)))).message).toBe('Search index "search_body" of table "notes": at most 8 eq() filters per search, got 9.');
  });
});

describe("vector searches", () => {
  it("take at most 64 q.eq() expressions in a filter, and a limit of 1 to 256", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ items: defineTable({ e: v.array(v.float64()), tag: v.number() }).vectorIndex("by_e", { vectorField: "e", dimensions: 2, filterFields: ["tag"] }) }));
    await seed(
      db,
      "items",
      Array.from({ length: 300 }, (_, i) => ({ e: [1, i], tag: i })),
    );
    const run = (query: VectorSearchQuery) => db.read((tx) => (tx.db as unknown as Reader)[VECTOR_SEARCH]("items", "by_e", query));
    const anyOf = (count: number) => (q: Parameters<NonNullable<VectorSearchQuery["filter"]>>[0]): VectorFilter => q.or(...Array.from({ length: count }, (_, i) => q.eq("tag", i)));
    expect((await run({ vector: [1, 0], limit: 256, filter: anyOf(64) })).result).toHaveLength(64);
    expect((await rejection(run({ vector: [1, 0], filter: anyOf(65) }))).message).toBe(
      'Vector index "by_e" of table "items": a filter may hold at most 64 q.eq() expressions, got 65.',
    );
    expect((await run({ vector: [1, 0], limit: 256 })).result).toHaveLength(256);
    expect((await run({ vector: [1, 0] })).result).toHaveLength(10);
    expect((await rejection(run({ vector: [1, 0], limit: 257 }))).message).toContain("limit must be an integer from 1 to 256, got 257");
  });
});
