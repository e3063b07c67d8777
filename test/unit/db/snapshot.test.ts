// The database's side of export and import: `openSnapshot` reads one consistent snapshot however
// long the export takes and however many pages a table has, while writes go on; `loadSnapshot`
// loads documents with their ids and creation times in one atomic step, refuses a non-empty
// database unless `replace`, keeps nothing when its source fails, and leaves the database fully
// usable (indexes, later commits above everything it loaded).

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { DatabaseNotEmptyError, type DatabaseSnapshot, type SnapshotDocument, type SnapshotLoad } from "../../../src/server/db/types.js";
import { encodeValue } from "../../../src/values/encoding.js";
import { v } from "../../../src/values/validators.js";
import type { JSONValue } from "../../../src/values/value.js";
import { rejection, seed, testDb } from "./helpers.js";

async function everything(snapshot: DatabaseSnapshot, table: string): Promise<{ pages: number; jsons: string[] }> {
  const jsons: string[] = [];
  let pages = 0;
  for await (const page of snapshot.documents(table)) {
    pages++;
    jsons.push(...page);
  }
  return { pages, jsons };
}

async function* documentsOf(table: string, values: JSONValue[]): AsyncGenerator<SnapshotDocument> {
  for (const value of values) yield { table, value };
}

const schema = defineSchema({ notes: defineTable({ room: v.string(), n: v.number() }).index("by_room", ["room"]) });

describe("openSnapshot", () => {
  it("shows one commit's state across pages, while writes go on and are not seen", async () => {
    const db = await testDb();
    await db.setSchema(schema);
    const ids = await seed(db, "notes", Array.from({ length: 2_500 }, (_, n) => ({ room: n % 2 === 0 ? "a" : "b", n })));
    const before = db.latestTimestamp();
    const snapshot = await db.openSnapshot();
    try {
      expect(snapshot.ts).toBe(before);
      expect(snapshot.tables).toEqual([{ name: "notes", indexes: [{ name: "by_room", fields: ["room"] }] }]);
      expect(JSON.parse(snapshot.userSchema!.validators.notes!)).toEqual(schema.tables.notes.validator.json);
      const pages = snapshot.documents("notes")[Symbol.asyncIterator]();
      const first = await pages.next();
      // Meanwhile: a delete, an update and an insert commit (the snapshot does not block them).
      await db.write(async (tx) => {
        await tx.db.delete(ids[2_400]!);
        await tx.db.patch(ids[0]!, { n: -1 });
        await tx.db.insert("notes", { room: "c", n: 9_999 });
      });
      const rest: string[] = [];
      for (let step = await pages.next(); !step.done; step = await pages.next()) rest.push(...step.value);
      const all = [...first.value!, ...rest].map((json) => JSON.parse(json) as { _id: string; n: number });
      expect(all.map((document) => document._id)).toEqual(ids);
      expect(all[0]!.n).toBe(0);
    } finally {
      await snapshot.close();
    }
    const after = await db.openSnapshot();
    try {
      const { pages, jsons } = await everything(after, "notes");
      expect(pages).toBe(3);
      expect(jsons).toHaveLength(2_500);
    } finally {
      await after.close();
    }
  });

  it("close waits for an open snapshot", async () => {
    const db = await testDb();
    await seed(db, "notes", [{ room: "a", n: 1 }]);
    const snapshot = await db.openSnapshot();
    let closed = false;
    const closing = db.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
    expect((await everything(snapshot, "notes")).jsons).toHaveLength(1);
    await snapshot.close();
    await closing;
  });
});

describe("loadSnapshot", () => {
  const load = (documents: AsyncIterable<SnapshotDocument>, extra: Partial<SnapshotLoad> = {}): SnapshotLoad => ({
    ts: 5_000_000_000_000_000_000n,
    tables: [{ name: "notes", indexes: [{ name: "by_room", fields: ["room"] }] }],
    userSchema: undefined,
    documents: () => documents,
    replace: false,
    ...extra,
  });
  const note = (id: string, room: string, creation: number) => encodeValue({ _id: id, _creationTime: creation, room, n: 1 });
  const ID_A = "notes_01jz0000000000000000000000";
  const ID_B = "notes_01jz0000000000000000000001";

  it("loads ids and creation times as they are; indexes work, later commits go after everything loaded", async () => {
    const db = await testDb();
    expect(await db.isEmpty()).toBe(true);
    // A creation time far in the future (a source whose clock ran ahead) - in ns above the snapshot's ts.
    const future = 6_000_000_000_000;
    const loaded = await db.loadSnapshot(load(documentsOf("notes", [note(ID_A, "a", 1_700_000_000_000.5), note(ID_B, "b", future)])));
    expect(loaded.documents).toBe(2);
    expect(loaded.ts).toBeGreaterThan(BigInt(future) * 1_000_000n);
    expect(db.latestTimestamp()).toBe(loaded.ts);
    expect(await db.isEmpty()).toBe(false);
    const { result } = await db.read((tx) => tx.db.query("notes").withIndex("by_room", (q) => q.eq("room", "b")).collect());
    expect(result).toEqual([{ _id: ID_B, _creationTime: future, room: "b", n: 1 }]);
    const { ts } = await db.write((tx) => tx.db.insert("notes", { room: "c", n: 2 }));
    expect(ts).toBeGreaterThan(loaded.ts);
  });

  it("goes into a database with a schema but no documents (a server ran on it once): its tables give way", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ other: defineTable({ x: v.number() }).index("by_x", ["x"]) }));
    expect(await db.isEmpty()).toBe(true);
    await db.loadSnapshot(load(documentsOf("notes", [note(ID_A, "a", 1)])));
    const snapshot = await db.openSnapshot();
    try {
      expect(snapshot.tables).toEqual([{ name: "notes", indexes: [{ name: "by_room", fields: ["room"] }] }]);
      expect(snapshot.userSchema).toBeUndefined(); // the snapshot had none
    } finally {
      await snapshot.close();
    }
  });

  it("refuses a database holding documents unless replace, and replace drops the old tables", async () => {
    const db = await testDb();
    await seed(db, "old", [{ x: 1 }]);
    const error = await rejection(db.loadSnapshot(load(documentsOf("notes", [note(ID_A, "a", 1)]))));
    expect(error).toBeInstanceOf(DatabaseNotEmptyError);
    expect((await db.read((tx) => tx.db.query("old").collect())).result).toHaveLength(1);
    await db.loadSnapshot(load(documentsOf("notes", [note(ID_A, "a", 1)]), { replace: true }));
    expect((await db.read((tx) => tx.db.query("old").collect())).result).toEqual([]);
    expect((await db.read((tx) => tx.db.query("notes").collect())).result).toHaveLength(1);
  });

  it("keeps nothing when its source throws after some documents, or a document is refused", async () => {
    const db = await testDb();
    await seed(db, "old", [{ x: 1 }]);
    const before = db.latestTimestamp();
    async function* failing(): AsyncGenerator<SnapshotDocument> {
      yield { table: "notes", value: note(ID_A, "a", 1) };
      throw new Error("line 7: broken");
    }
    expect((await rejection(db.loadSnapshot(load(failing(), { replace: true })))).message).toBe("line 7: broken");
    const twice = documentsOf("notes", [note(ID_A, "a", 1), note(ID_A, "a", 1)]);
    expect((await rejection(db.loadSnapshot(load(twice, { replace: true })))).message).toBe(`Document ${ID_A} appears twice.`);
    const wrongTable = documentsOf("notes", [encodeValue({ _id: "other_01jz0000000000000000000000", _creationTime: 1 })]);
    expect((await rejection(db.loadSnapshot(load(wrongTable, { replace: true })))).message).toContain("is not an id of that table");
    const unknownSystem = load(documentsOf("notes", []), { replace: true, tables: [{ name: "_unknown", indexes: [] }] });
    expect((await rejection(db.loadSnapshot(unknownSystem))).message).toContain('system table "_unknown", which this version of Syncline does not have');
    expect(db.latestTimestamp()).toBe(before);
    expect((await db.read((tx) => tx.db.query("old").collect())).result).toHaveLength(1);
    expect((await db.read((tx) => tx.db.query("notes").collect())).result).toEqual([]);
  });
});
