// The Postgres layout of index entries under search indexes: a document holds one posting per
// term in the same index, entries stay unique per (index, key) like SQLite's, keys longer than a
// btree entry allows are stored, and a database created before search indexes (entries keyed by
// (index, document)) is brought up to date when it is opened. Runs in the "postgres" project.

import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/server/db/index.js";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { sql } from "../../helpers/postgres-sql.js";
import { TEST_ENGINE, testDatabase } from "../../helpers/test-database.js";
import { rejection } from "./helpers.js";

const schema = defineSchema({
  notes: defineTable({ body: v.string(), tag: v.string() }).searchIndex("search_body", { searchField: "body", filterFields: ["tag"] }),
});


async function searchBodies(url: string, text: string, tag?: string): Promise<string[]> {
  const db = await openDatabase({ path: url });
  try {
    const { result } = await db.read((tx) =>
      tx.db
        .query("notes")
        .withSearchIndex("search_body", (q) => (tag === undefined ? q.search("body", text) : q.search("body", text).eq("tag", tag)))
        .collect(),
    );
    return result.map((row) => row.body);
  } finally {
    await db.close();
  }
}

describe.skipIf(TEST_ENGINE !== "postgres")("index entries on PostgreSQL", () => {
  it("opens a database whose entries were keyed by (index, document) and stores several postings per document", async () => {
    const url = testDatabase();
    await (await openDatabase({ path: url })).close();
    // The layout as it was before search indexes.
    await sql(url, "DROP INDEX syncline_index_entries_unique; ALTER TABLE syncline_index_entries ADD PRIMARY KEY (index_id, doc_id)");
    const db = await openDatabase({ path: url });
    try {
      await db.setSchema(schema);
      await db.write((tx) => tx.db.insert("notes", { body: "red green blue", tag: "a" }));
    } finally {
      await db.close();
    }
    expect(await searchBodies(url, "green")).toEqual(["red green blue"]);
    const constraints = await sql<{ name: string }>(url, "SELECT conname AS name FROM pg_constraint WHERE conrelid = 'syncline_index_entries'::regclass");
    expect(constraints).toEqual([]);
  });

  it("stores postings whose keys are longer than a btree entry, and still refuses a duplicate entry", async () => {
    const url = testDatabase();
    const longTag = "t".repeat(6000); // every posting key starts with it: equal in the first KEY_PREFIX bytes
    const db = await openDatabase({ path: url });
    try {
      await db.setSchema(schema);
      await db.write((tx) => tx.db.insert("notes", { body: "alpha beta gamma", tag: longTag }));
    } finally {
      await db.close();
    }
    expect(await searchBodies(url, "beta", longTag)).toEqual(["alpha beta gamma"]);
    const error = await rejection(sql(url, "INSERT INTO syncline_index_entries SELECT index_id, key, doc_id FROM syncline_index_entries LIMIT 1"));
    expect(error.message).toContain("syncline_index_entries_unique");
  });
});
