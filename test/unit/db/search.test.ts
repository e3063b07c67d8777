// Full-text search on the database layer: relevance order and prefix matching on a fixed corpus,
// tokenizing, filters, limits, read sets that re-run a search on the writes that matter, a
// mutation seeing its own inserts, schema-install backfill and refusals naming index and field.

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { readSetOverlaps, type OpenedDatabase, type ReadTransaction } from "../../../src/server/db/index.js";
import { tokenize } from "../../../src/server/db/search-text.js";
import { exportAll, importAll, rejection, seed, testDb } from "./helpers.js";

const schema = defineSchema({
  messages: defineTable({ body: v.string(), channel: v.string(), author: v.optional(v.string()) })
    .index("by_channel", ["channel"])
    .searchIndex("search_body", { searchField: "body", filterFields: ["channel", "author"] }),
});


const CORPUS = [
  { body: "the quick brown fox", channel: "a" },
  { body: "fox fox fox jumps", channel: "a" },
  { body: "a lazy dog sleeps all day long in the warm sun by the river bank", channel: "b" },
  { body: "the dog and the fox are friends", channel: "b" },
  { body: "Foxglove is a flower", channel: "a" },
  { body: "nothing to see here", channel: "b" },
];

async function setup(): Promise<OpenedDatabase> {
  const db = await testDb();
  await db.setSchema(schema);
  await seed(db, "messages", CORPUS);
  return db;
}

const search = (text: string, channel?: string) => (tx: ReadTransaction) =>
  tx.db
    .query("messages")
    .withSearchIndex("search_body", (q) => (channel === undefined ? q.search("body", text) : q.search("body", text).eq("channel", channel)))
    .collect();

async function bodies(db: OpenedDatabase, text: string, channel?: string): Promise<string[]> {
  const { result } = await db.read(search(text, channel));
  return result.map((row) => row.body);
}

describe("tokenize", () => {
  it("splits on whitespace and punctuation and lowercases", () => {
    expect(tokenize("Hello, WORLD!  it's   café-au-lait\tnaïve 42x")).toEqual(["hello", "world", "it", "s", "café", "au", "lait", "naïve", "42x"]);
  });
});

describe("search relevance", () => {
  it("ranks by term frequency and field length (BM25): more occurrences and shorter fields first", async () => {
    const db = await setup();
    // "fox" itself: 3 occurrences in 4 words, then once in 4 words, then once in 7 words. The
    // last term is also a prefix, so "foxglove" matches too, counting half: last.
    expect(await bodies(db, "fox")).toEqual(["fox fox fox jumps", "the quick brown fox", "the dog and the fox are friends", "Foxglove is a flower"]);
  });

  it("puts documents holding more of the query's terms first", async () => {
    const db = await setup();
    const found = await bodies(db, "dog fox");
    expect(found[0]).toBe("the dog and the fox are friends");
    expect(found).toContain("a lazy dog sleeps all day long in the warm sun by the river bank");
    expect(found).toHaveLength(5);
  });

  it("matches only the last term as a prefix, case-insensitively", async () => {
    const db = await setup();
    expect(await bodies(db, "FOXG")).toEqual(["Foxglove is a flower"]);
    expect(await bodies(db, "foxg dog")).toEqual(["the dog and the fox are friends", "a lazy dog sleeps all day long in the warm sun by the river bank"]);
    expect(await bodies(db, "zzz")).toEqual([]);
    expect(await bodies(db, "  ...  ")).toEqual([]);
  });

  it("filters by equality on filter fields, alone and combined", async () => {
    const db = await setup();
    expect(await bodies(db, "fox", "b")).toEqual(["the dog and the fox are friends"]);
    await seed(db, "messages", [{ body: "fox by ann", channel: "b", author: "ann" }]);
    const { result } = await db.read((tx) =>
      tx.db
        .query("messages")
        .withSearchIndex("search_body", (q) => q.search("body", "fox").eq("author", "ann").eq("channel", "b"))
        .collect(),
    );
    expect(result.map((row) => row.body)).toEqual(["fox by ann"]);
  });

  it("supports take, first, filter and paginate on search results", async () => {
    const db = await setup();
    const { result } = await db.read(async (tx) => {
      const q = () => tx.db.query("messages").withSearchIndex("search_body", (s) => s.search("body", "fox"));
      const first = await q().first();
      const two = await q().take(2);
      const filtered = await q()
        .filter((f) => f.eq(f.field("channel"), "b"))
        .collect();
      const page1 = await q().paginate({ numItems: 3, cursor: null });
      const page2 = await q().paginate({ numItems: 3, cursor: page1.continueCursor });
      return { first, two, filtered, page1, page2 };
    });
    expect(result.first!.body).toBe("fox fox fox jumps");
    expect(result.two.map((row) => row.body)).toEqual(["fox fox fox jumps", "the quick brown fox"]);
    expect(result.filtered.map((row) => row.body)).toEqual(["the dog and the fox are friends"]);
    expect(result.page1.page).toHaveLength(3);
    expect(result.page1.isDone).toBe(false);
    expect(result.page2.page.map((row) => row.body)).toEqual(["Foxglove is a flower"]);
    expect(result.page2.isDone).toBe(true);
  });
});

describe("search transactions and read sets", () => {
  it("a mutation sees its own inserts, patches and deletes", async () => {
    const db = await setup();
    const { result } = await db.write(async (tx) => {
      const id = await tx.db.insert("messages", { body: "unicorn sighting", channel: "a" });
      const afterInsert = (await tx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "unicorn")).collect()).length;
      await tx.db.patch(id, { body: "horse sighting" });
      const afterPatch = (await tx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "unicorn")).collect()).length;
      const horses = (await tx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "horse")).collect()).length;
      await tx.db.delete(id);
      const afterDelete = (await tx.db.query("messages").withSearchIndex("search_body", (q) => q.search("body", "horse")).collect()).length;
      return { afterInsert, afterPatch, horses, afterDelete };
    });
    expect(result).toEqual({ afterInsert: 1, afterPatch: 0, horses: 1, afterDelete: 0 });
  });

  it("a search's read set overlaps writes of matching documents only", async () => {
    const db = await setup();
    const { readSet } = await db.read(search("fox"));
    const overlaps = async (write: Parameters<OpenedDatabase["write"]>[0]) => readSetOverlaps(readSet, (await db.write(write)).writeSet);
    expect(await overlaps((tx) => tx.db.insert("messages", { body: "a new fox", channel: "b" }))).toBe(true);
    expect(await overlaps((tx) => tx.db.insert("messages", { body: "a new foxhound", channel: "b" }))).toBe(true); // prefix
    expect(await overlaps((tx) => tx.db.insert("messages", { body: "a cat", channel: "b" }))).toBe(false);
    const { result: rows } = await db.read(search("fox"));
    const { result: cats } = await db.read(search("cat"));
    expect(await overlaps((tx) => tx.db.patch(rows[0]!._id as never, { channel: "c" }))).toBe(true);
    expect(await overlaps((tx) => tx.db.patch(cats[0]!._id as never, { body: "now a fox" }))).toBe(true);
    expect(await overlaps((tx) => tx.db.delete(rows[1]!._id as never))).toBe(true);
    expect(await overlaps((tx) => tx.db.patch(cats[0]!._id as never, { channel: "z" }))).toBe(true); // it matches now
    const { result: others } = await db.read(search("nothing"));
    expect(await overlaps((tx) => tx.db.patch(others[0]!._id as never, { channel: "q" }))).toBe(false);
  });
});

describe("search index install and bad input", () => {
  it("backfills an index added to a table that already holds documents, and drops it", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ messages: defineTable({ body: v.string(), channel: v.string() }) }));
    await seed(db, "messages", CORPUS);
    await db.setSchema(schema);
    expect(await bodies(db, "flower")).toEqual(["Foxglove is a flower"]);
    await db.setSchema(defineSchema({ messages: defineTable({ body: v.string(), channel: v.string() }) }));
    const error = await rejection(db.read(search("flower")));
    expect(error.message).toContain('Search index "search_body" not found on table "messages"');
  });

  it("survives an export and import: the imported database answers the same search", async () => {
    const source = await setup();
    const target = await importAll(await exportAll(source));
    await target.setSchema(schema);
    expect(await bodies(target, "fox")).toEqual(await bodies(source, "fox"));
    expect(await bodies(target, "flower")).toEqual(["Foxglove is a flower"]);
  });

  it("refuses a search field that is not a string at schema push, naming index and field", async () => {
    const db = await testDb();
    const bad = defineSchema({ posts: defineTable({ n: v.number() }).searchIndex("search_n", { searchField: "n" }) });
    const error = await rejection(db.setSchema(bad));
    expect(error.message).toBe('Table "posts": search index "search_n" searches field "n", which is not a string in the schema.');
  });

  it("refuses a wrong field, a filter that is not a filter field, and withIndex on a search index", async () => {
    const db = await setup();
    const run = (fn: (tx: ReadTransaction) => Promise<unknown>) => rejection(db.read(fn));
    const q = (tx: ReadTransaction) => tx.db.query("messages");
    expect((await run((tx) => q(tx).withSearchIndex("nope" as never, (s) => s.search("body", "x")).collect())).message).toBe(
      'Search index "nope" not found on table "messages" (its search indexes: search_body).',
    );
    expect((await run((tx) => q(tx).withSearchIndex("search_body", (s) => s.search("channel" as never, "x")).collect())).message).toBe(
      'Search index "search_body" of table "messages": search() must be on its search field "body", not "channel".',
    );
    expect((await run((tx) => q(tx).withSearchIndex("search_body", (s) => s.search("body", "x").eq("body" as never, "y" as never)).collect())).message).toBe(
      'Search index "search_body" of table "messages": "body" is not a filter field (its filter fields: channel, author).',
    );
    expect((await run((tx) => q(tx).withIndex("search_body" as never).collect())).message).toContain("is a search or vector index");
    const tooMany = Array.from({ length: 17 }, (_, i) => `t${i}`).join(" ");
    expect((await run((tx) => q(tx).withSearchIndex("search_body", (s) => s.search("body", tooMany)).collect())).message).toContain("at most 16 search terms");
    // Nothing was lost: the index still answers.
    expect(await bodies(db, "flower")).toEqual(["Foxglove is a flower"]);
  });
});
