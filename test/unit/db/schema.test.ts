// setSchema: validation on write, unknown tables, index backfill and drop, checking existing
// documents against new validators, persistence across reopen.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { openDatabase } from "../../../src/server/db/index.js";
import { rejection, seed, tempDir, testDb } from "./helpers.js";

const messages = defineTable({ room: v.string(), body: v.string(), meta: v.optional(v.object({ lang: v.string() })) });

describe("validation on write", () => {
  it("names the table, document and field path of a mismatch", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ messages }));
    const insert = await rejection(db.write((tx) => tx.db.insert("messages", { room: "a", body: 1, meta: { lang: 2 } } as never)));
    expect(insert.message).toMatch(
      /^Document messages_\w+ in table "messages" does not match the schema: body: expected string, got number; meta\.lang: expected string, got number$/,
    );
    const [id] = await seed(db, "messages", [{ room: "a", body: "ok" }]);
    const patch = await rejection(db.write((tx) => tx.db.patch(id!, { extra: true } as never)));
    expect(patch.message).toBe(`Document ${id} in table "messages" does not match the schema: extra: unexpected field "extra"`);
    const replace = await rejection(db.write((tx) => tx.db.replace(id!, { room: "a" } as never)));
    expect(replace.message).toMatch(/body: missing required field/);
  });

  it("refuses tables that are not in the schema, but still reads them", async () => {
    const db = await testDb();
    await seed(db, "legacy", [{ a: 1 }]);
    await db.setSchema(defineSchema({ messages }));
    expect((await rejection(db.write((tx) => tx.db.insert("other", { a: 1 })))).message).toBe(
      'Table "other" is not in the schema: add it to schema.ts before writing to it.',
    );
    expect((await db.read((tx) => tx.db.query("legacy").collect())).result).toHaveLength(1);
  });

  it("skips validation with schemaValidation: false, and removing the schema allows anything", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ messages }, { schemaValidation: false }));
    await db.write((tx) => tx.db.insert("messages", { anything: 1 } as never));
    await expect(db.write((tx) => tx.db.insert("other", { a: 1 }))).rejects.toThrow(/not in the schema/);
    await db.setSchema(undefined);
    await db.write((tx) => tx.db.insert("other", { a: 1 }));
  });
});

describe("indexes", () => {
  it("backfills a new index from existing documents and maintains it on writes", async () => {
    const db = await testDb();
    const ids = await seed(db, "messages", [
      { room: "b", body: "1" },
      { room: "a", body: "2" },
      { room: "b", body: "3" },
    ]);
    await db.setSchema(defineSchema({ messages: messages.index("by_room", ["room"]) }));
    const inRoom = async (room: string) =>
      (await db.read((tx) => tx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).collect())).result.map((d) => d.body);
    expect(await inRoom("b")).toEqual(["1", "3"]);
    await db.write(async (tx) => {
      await tx.db.patch(ids[0]!, { room: "a" });
      await tx.db.insert("messages", { room: "b", body: "4" });
      await tx.db.delete(ids[2]!);
    });
    expect(await inRoom("a")).toEqual(["1", "2"]);
    expect(await inRoom("b")).toEqual(["4"]);
  });

  it("drops removed indexes, rebuilds changed ones, keeps them across reopen", async () => {
    const path = join(tempDir(), "data.sqlite");
    const db = await openDatabase({ path });
    await seed(db, "messages", [
      { room: "b", body: "x" },
      { room: "a", body: "y" },
    ]);
    await db.setSchema(defineSchema({ messages: messages.index("by_key", ["room"]) }));
    const byKey = async (database: typeof db) =>
      (await database.read((tx) => tx.db.query("messages").withIndex("by_key").collect())).result.map((d) => d.body);
    expect(await byKey(db)).toEqual(["y", "x"]);
    await db.setSchema(defineSchema({ messages: messages.index("by_key", ["body"]) })); // same name, other field
    expect(await byKey(db)).toEqual(["x", "y"]);
    await db.close();

    const reopened = await openDatabase({ path });
    try {
      expect(await byKey(reopened)).toEqual(["x", "y"]); // indexes persist before setSchema is called again
      await reopened.setSchema(defineSchema({ messages }));
      await expect(reopened.read((tx) => tx.db.query("messages").withIndex("by_key").collect())).rejects.toThrow(/Index "by_key" not found/);
    } finally {
      await reopened.close();
    }
  });

  it("creates indexes for schema tables that have no documents yet", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ messages: messages.index("by_room", ["room"]) }));
    await seed(db, "messages", [{ room: "a", body: "1" }]);
    const { result } = await db.read((tx) => tx.db.query("messages").withIndex("by_room", (q) => q.eq("room", "a")).collect());
    expect(result).toHaveLength(1);
  });

  it("refuses reads of an index built after the read's snapshot", async () => {
    const db = await testDb();
    await seed(db, "messages", [{ room: "a", body: "1" }]);
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const oldRead = db.read(async (tx) => {
      started();
      await paused;
      return tx.db.query("messages").withIndex("by_room" as never).collect();
    });
    await running;
    await db.setSchema(defineSchema({ messages: messages.index("by_room", ["room"]) }));
    resume();
    expect((await rejection(oldRead)).message).toMatch(/was built after this transaction's snapshot/);
  });
});

describe("checking existing documents", () => {
  it("refuses a schema that existing documents break, listing the first offenders, changing nothing", async () => {
    const db = await testDb();
    const ids = await seed(db, "messages", [
      { room: "a", body: "fine" },
      ...Array.from({ length: 7 }, (_, i) => ({ room: i, body: "bad" })),
    ]);
    const error = await rejection(db.setSchema(defineSchema({ messages: messages.index("by_room", ["room"]) })));
    expect(error.message).toBe(
      [
        "Schema validation failed: 7 existing documents do not match the new schema:",
        ...ids.slice(1, 6).map((id) => `- document ${id} in table "messages": room: expected string, got number`),
        "- and 2 more",
        "A changed validator: accept the old values too (v.union(old, new) or v.optional(...)), or convert these documents with a mutation before changing it.",
      ].join("\n"),
    );
    // Nothing changed: no schema, no index.
    await db.write((tx) => tx.db.insert("anything", { a: 1 }));
    await expect(db.read((tx) => tx.db.query("messages").withIndex("by_room" as never).collect())).rejects.toThrow(/not found/);
  });

  it("says how to fix a new required field, once per document", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ notes: defineTable({ body: v.string() }) }));
    const [id] = await seed(db, "notes", [{ body: "hi" }]);
    const error = await rejection(db.setSchema(defineSchema({ notes: defineTable({ body: v.string(), author: v.string() }) })));
    expect(error.message).toBe(
      [
        "Schema validation failed: 1 existing document does not match the new schema:",
        `- document ${id} in table "notes": author: missing required field`,
        "A new required field: make it optional in schema.ts (v.optional(...)), or fill it in on these documents with a mutation (ctx.db.patch) while it is still optional, then make it required.",
      ].join("\n"),
    );
  });

  it("gives one hint per kind of mismatch found: a removed field and a new required one", async () => {
    const db = await testDb();
    const [a, b] = await seed(db, "notes", [{ body: "hi", tag: "x" }, { body: "ho" }]);
    const error = await rejection(db.setSchema(defineSchema({ notes: defineTable({ body: v.string(), author: v.string() }) })));
    expect(error.message).toBe(
      [
        "Schema validation failed: 2 existing documents do not match the new schema:",
        `- document ${a} in table "notes": author: missing required field; tag: unexpected field "tag"`,
        `- document ${b} in table "notes": author: missing required field`,
        "A new required field: make it optional in schema.ts (v.optional(...)), or fill it in on these documents with a mutation (ctx.db.patch) while it is still optional, then make it required.",
        "A field the schema no longer has: keep it in schema.ts as v.optional(...), or remove it from these documents with a mutation (ctx.db.patch(id, { field: undefined })) before removing it from the schema.",
      ].join("\n"),
    );
  });

  it("validates system tables at open", async () => {
    const path = join(tempDir(), "data.sqlite");
    const loose = await openDatabase({ path, systemTables: { _jobs: defineTable({ name: v.any() }) } });
    await loose.write((tx) => tx.systemWriter!.insert("_jobs", { name: 1 }), { system: true });
    await loose.close();
    await expect(openDatabase({ path, systemTables: { _jobs: defineTable({ name: v.string() }) } })).rejects.toThrow(
      /_jobs.*name: expected string, got number/s,
    );
  });
});
