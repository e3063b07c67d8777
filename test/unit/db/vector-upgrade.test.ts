// Databases whose vector index entries were written before entries held the vector (the key was
// the tuple alone; the vector was read from the document's decimal text): opening one rebuilds
// those entries, after which searches, writes and deletes work as on a new database. On SQLite
// from a file the previous version wrote; on both engines from entries cut back to that format.

import { copyFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { OpenedDatabase } from "../../../src/server/db/index.js";
import { VECTOR_SEARCH, type Reader } from "../../../src/server/db/reader.js";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { vectorEntryFormat } from "../../../src/server/db/vector-entries.js";
import { v } from "../../../src/values/index.js";
import { sql } from "../../helpers/postgres-sql.js";
import { TEST_ENGINE, testDatabase } from "../../helpers/test-database.js";
import { seed, tempDir, testDb } from "./helpers.js";

const DIMENSIONS = 3;
const schema = defineSchema({
  foods: defineTable({ name: v.string(), cuisine: v.string(), embedding: v.optional(v.array(v.float64())) }).vectorIndex("by_embedding", {
    vectorField: "embedding",
    dimensions: DIMENSIONS,
    filterFields: ["cuisine"],
  }),
});

/** The fixture's documents (test/fixtures/databases/vector-text-format.sqlite holds these, written by the previous version). */
const FOODS = [
  { name: "x", cuisine: "french", embedding: [1, 0, 0] },
  { name: "xy", cuisine: "italian", embedding: [1, 1, 0] },
  { name: "y", cuisine: "french", embedding: [0, 2, 0] },
  { name: "z", cuisine: "thai", embedding: [0, 0, 5] },
  { name: "none", cuisine: "thai" },
];

async function search(db: OpenedDatabase, vector: number[], cuisine?: string): Promise<string[]> {
  const { result } = await db.read(async (tx) => {
    const found = await (tx.db as unknown as Reader)[VECTOR_SEARCH]("foods", "by_embedding", {
      vector,
      limit: 256,
      ...(cuisine === undefined ? {} : { filter: (q) => q.eq("cuisine", cuisine) }),
    });
    return Promise.all(found.map(async (hit) => `${(await tx.db.get(hit._id as never))!.name as string}:${hit._score.toFixed(3)}`));
  });
  return result;
}

/** The stored keys of the vector index, straight from storage. */
async function storedKeys(path: string): Promise<Uint8Array[]> {
  if (TEST_ENGINE === "sqlite") {
    const sqlite = new BetterSqlite3(path, { readonly: true });
    try {
      return sqlite.prepare("SELECT e.key FROM index_entries e JOIN indexes i ON i.id = e.index_id WHERE i.name = 'by_embedding'").pluck().all() as Uint8Array[];
    } finally {
      sqlite.close();
    }
  }
  return (await sql<{ key: Uint8Array }>(path, "SELECT e.key FROM syncline_index_entries e JOIN syncline_indexes i ON i.id = e.index_id WHERE i.name = 'by_embedding'")).map((row) => row.key);
}

/** Cuts every vector index entry back to the previous format: the key's tuple without the vector. */
async function toTextFormat(path: string): Promise<void> {
  const tail = 1 + DIMENSIONS * 4; // the mark and the float32s
  if (TEST_ENGINE === "sqlite") {
    const sqlite = new BetterSqlite3(path);
    try {
      sqlite.prepare(`UPDATE index_entries SET key = substr(key, 1, length(key) - ${tail}) WHERE index_id IN (SELECT id FROM indexes WHERE name = 'by_embedding')`).run();
    } finally {
      sqlite.close();
    }
    return;
  }
  await sql(path, `UPDATE syncline_index_entries SET key = substring(key from 1 for length(key) - ${tail}) WHERE index_id IN (SELECT id FROM syncline_indexes WHERE name = 'by_embedding')`);
}


/** Searches, then a patch, an insert and a delete, on a database opened from the old format. */
async function expectWorking(path: string): Promise<void> {
  const db = await testDb({ path });
  await db.setSchema(schema);
  expect(await search(db, [1, 0.1, 0])).toEqual(["x:0.995", "xy:0.774", "y:0.100", "z:0.000"]);
  expect(await search(db, [0, 1, 0], "french")).toEqual(["y:1.000", "x:0.000"]);
  const { result: ids } = await db.read(async (tx) => new Map((await tx.db.query("foods").collect()).map((doc) => [doc.name as string, doc._id as string])));
  // A write must find the entry it replaces: no document is listed twice afterwards.
  await db.write((tx) => tx.db.patch(ids.get("x")! as never, { embedding: [0, 0, 1] }));
  await db.write((tx) => tx.db.delete(ids.get("y")! as never));
  await seed(db, "foods", [{ name: "w", cuisine: "thai", embedding: [0, 1, 1] }]);
  expect(await search(db, [0, 0, 1])).toEqual(["x:1.000", "z:1.000", "w:0.707", "xy:0.000"]);
  await db.close();
  const keys = await storedKeys(path);
  expect(keys).toHaveLength(4);
  for (const key of keys) expect(vectorEntryFormat(key, 1, DIMENSIONS)).toBe("float32");
}

describe("vector indexes written in the decimal-text format", () => {
  it("are rebuilt when the database opens (entries cut back to that format)", async () => {
    const path = TEST_ENGINE === "sqlite" ? join(tempDir(), "data.sqlite") : testDatabase();
    const db = await testDb({ path });
    await db.setSchema(schema);
    await seed(db, "foods", FOODS);
    await db.close();
    await toTextFormat(path);
    const cut = await storedKeys(path);
    expect(cut).toHaveLength(4);
    for (const key of cut) expect(vectorEntryFormat(key, 1, DIMENSIONS)).toBe("text");
    await expectWorking(path);
  });

  it.skipIf(TEST_ENGINE !== "sqlite")("are rebuilt when the database opens (a file the previous version wrote)", async () => {
    const path = join(tempDir(), "data.sqlite");
    copyFileSync(new URL("../../fixtures/databases/vector-text-format.sqlite", import.meta.url), path);
    const before = await storedKeys(path);
    expect(before).toHaveLength(4);
    for (const key of before) expect(vectorEntryFormat(key, 1, DIMENSIONS)).toBe("text");
    await expectWorking(path);
  });
});
