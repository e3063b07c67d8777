// ctx.db CRUD: both call forms of get/patch/replace/delete, system fields, clear errors.

import { describe, expect, it } from "vitest";
import { tableOfId } from "../../../src/values/index.js";
import { newId } from "../../../src/values/id.js";
import { rejection, seed, testDb } from "./helpers.js";

describe("insert and get", () => {
  it("adds _id and _creationTime and reads the document back with both get forms", async () => {
    const db = await testDb();
    const before = Date.now();
    const { result: id } = await db.write((tx) => tx.db.insert("messages", { body: "hi", n: 1n, tags: ["a"], meta: { x: null } }));
    expect(tableOfId(id)).toBe("messages");
    const { result } = await db.read(async (tx) => [await tx.db.get(id), await tx.db.get("messages", id)]);
    const [one, two] = result;
    expect(one).toEqual({ _id: id, _creationTime: expect.any(Number), body: "hi", n: 1n, tags: ["a"], meta: { x: null } });
    expect(two).toEqual(one);
    expect(one!._creationTime as number).toBeGreaterThanOrEqual(before);
  });

  it("returns null for a missing document of an existing or unknown table", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "x" }]);
    await db.write(async (tx) => tx.db.delete(id!));
    const { result } = await db.read(async (tx) => [await tx.db.get(id!), await tx.db.get(newId("nothing_here"))]);
    expect(result).toEqual([null, null]);
  });

  it("gives documents inserted in one mutation increasing creation times (insertion order)", async () => {
    const db = await testDb();
    const realNow = Date.now;
    Date.now = () => 1_763_000_000_000; // the runtime freezes Date.now during a mutation
    try {
      await seed(db, "items", Array.from({ length: 20 }, (_, i) => ({ i })));
    } finally {
      Date.now = realNow;
    }
    const { result } = await db.read((tx) => tx.db.query("items").collect());
    expect(result.map((doc) => doc.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const times = result.map((doc) => doc._creationTime as number);
    expect(new Set(times).size).toBe(20);
    expect(times[0]).toBe(1_763_000_000_000);
  });

  it("refuses ids of another table in the two-argument form, and malformed ids", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "x" }]);
    expect((await rejection(db.read((tx) => tx.db.get("users", id as never)))).message).toMatch(/is not an id of table "users"/);
    expect((await rejection(db.read((tx) => tx.db.get("nope" as never)))).message).toMatch(/Invalid document id "nope"/);
  });

  it("normalizeId accepts ids of the table only", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "x" }]);
    const { result } = await db.read(async (tx) => [
      tx.db.normalizeId("messages", id!),
      tx.db.normalizeId("users", id!),
      tx.db.normalizeId("messages", "garbage"),
    ]);
    expect(result).toEqual([id, null, null]);
  });
});

describe("patch, replace, delete", () => {
  it("patch shallow-merges, removes fields set to undefined, in both forms", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "hi", draft: true, meta: { a: 1, b: 2 } }]);
    await db.write(async (tx) => {
      await tx.db.patch(id!, { body: "edited", draft: undefined });
      await tx.db.patch("messages", id!, { meta: { a: 3 } });
    });
    const { result } = await db.read((tx) => tx.db.get(id!));
    expect(result).toEqual({ _id: id, _creationTime: expect.any(Number), body: "edited", meta: { a: 3 } });
  });

  it("replace swaps every user field and keeps the system fields, in both forms", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "hi", draft: true }]);
    const { result: before } = await db.read((tx) => tx.db.get(id!));
    await db.write((tx) => tx.db.replace(id!, { text: "new" }));
    const { result: once } = await db.read((tx) => tx.db.get(id!));
    expect(once).toEqual({ _id: id, _creationTime: before!._creationTime, text: "new" });
    await db.write((tx) => tx.db.replace("messages", id!, { ...once!, text: "newer" } as never));
    const { result: twice } = await db.read((tx) => tx.db.get(id!));
    expect(twice!.text).toBe("newer");
  });

  it("delete removes the document in both forms", async () => {
    const db = await testDb();
    const [a, b] = await seed(db, "messages", [{ body: "a" }, { body: "b" }]);
    await db.write(async (tx) => {
      await tx.db.delete(a!);
      await tx.db.delete("messages", b!);
    });
    const { result } = await db.read((tx) => tx.db.query("messages").collect());
    expect(result).toEqual([]);
  });

  it("names the missing document when writing one that does not exist", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "a" }]);
    await db.write((tx) => tx.db.delete(id!));
    for (const op of [
      (tx: Parameters<Parameters<typeof db.write>[0]>[0]) => tx.db.patch(id!, { body: "b" }),
      (tx: Parameters<Parameters<typeof db.write>[0]>[0]) => tx.db.replace(id!, { body: "b" }),
      (tx: Parameters<Parameters<typeof db.write>[0]>[0]) => tx.db.delete(id!),
    ]) {
      const error = await rejection(db.write(op));
      expect(error.message).toMatch(new RegExp(`Cannot (patch|replace|delete) document ${id}: it does not exist in table "messages"`));
    }
  });

  it("refuses to set or change _id and _creationTime", async () => {
    const db = await testDb();
    const [id] = await seed(db, "messages", [{ body: "a" }]);
    expect((await rejection(db.write((tx) => tx.db.insert("messages", { _id: "x" } as never)))).message).toMatch(/_id is set by the database/);
    expect((await rejection(db.write((tx) => tx.db.patch(id!, { _creationTime: 5 } as never)))).message).toMatch(/_creationTime cannot be changed/);
    expect((await rejection(db.write((tx) => tx.db.replace(id!, { _id: "messages_x" } as never)))).message).toMatch(/_id cannot be changed/);
  });

  it("a mutation reads its own writes; other transactions see them only after the commit", async () => {
    const db = await testDb();
    const { result } = await db.write(async (tx) => {
      const id = await tx.db.insert("messages", { body: "a" });
      await tx.db.patch(id, { body: "b" });
      return [(await tx.db.get(id))!.body, (await tx.db.query("messages").collect()).length];
    });
    expect(result).toEqual(["b", 1]);
  });

  it("refuses db calls after the transaction finished", async () => {
    const db = await testDb();
    let leaked: Parameters<Parameters<typeof db.write>[0]>[0] | undefined;
    await db.write(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.db.insert("messages", { body: "late" })).rejects.toThrow(/already finished/);
  });
});

describe("system tables", () => {
  it("db.system reads system tables, systemWriter writes them, user writers cannot", async () => {
    const { defineTable } = await import("../../../src/server/define/schema.js");
    const { v } = await import("../../../src/values/index.js");
    const db = await testDb({ systemTables: { _jobs: defineTable({ name: v.string() }).index("by_name", ["name"]) } });
    const { result: id } = await db.write((tx) => tx.systemWriter!.insert("_jobs", { name: "a" }), { system: true });
    const { result } = await db.read(async (tx) => [
      await tx.db.system.get(id),
      await tx.db.system
        .query("_jobs")
        .withIndex("by_name", (q) => q.eq("name", "a"))
        .unique(),
    ]);
    expect(result[0]).toEqual(result[1]);
    expect(result[0]!.name).toBe("a");
    expect((await rejection(db.write((tx) => tx.db.insert("_jobs", { name: "b" })))).message).toMatch(/reserved for system tables/);
    expect((await db.write(async (tx) => tx.systemWriter)).result).toBeUndefined();
    expect((await rejection(db.read((tx) => tx.db.get(id)))).message).toMatch(/is a system table: read it through db.system/);
    expect((await rejection(db.read(async (tx) => tx.db.query("_jobs")))).message).toMatch(/read it through db.system/);
    expect((await rejection(db.read(async (tx) => tx.db.system.query("messages")))).message).toMatch(/reads only system tables/);
    expect((await rejection(db.write((tx) => tx.systemWriter!.insert("_nope", { a: 1 }), { system: true }))).message).toMatch(
      /no such system table/,
    );
  });
});
