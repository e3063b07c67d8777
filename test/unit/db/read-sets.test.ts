// Read sets and write sets: a commit overlaps a query exactly when it wrote a key inside a range
// the query scanned - not another table, not a disjoint range, not beyond where take() stopped.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v } from "../../../src/values/index.js";
import { compareKeyToBound, keyBound, readSetOverlaps, type OpenedDatabase, type ReadSet, type ReadTransaction, type WriteTransaction } from "../../../src/server/db/index.js";
import type { PaginationResult } from "../../../src/server/define/database.js";
import { ReadSetBuilder } from "../../../src/server/db/read-set.js";
import { seed, testDb } from "./helpers.js";

const schema = defineSchema({
  messages: defineTable({ room: v.string(), n: v.number() }).index("by_room", ["room", "n"]),
  users: defineTable({ name: v.string() }),
});

async function setup(): Promise<{ db: OpenedDatabase; ids: string[] }> {
  const db = await testDb();
  await db.setSchema(schema);
  const ids = await seed(
    db,
    "messages",
    [1, 2, 3, 4, 5].flatMap((n) => [
      { room: "a", n },
      { room: "b", n },
    ]),
  );
  return { db, ids };
}

/** Runs the read, then the write, and answers whether the write's commit overlaps the read. */
async function overlaps(db: OpenedDatabase, read: (tx: ReadTransaction) => Promise<unknown>, write: (tx: WriteTransaction) => Promise<unknown>) {
  const { readSet } = await db.read(read);
  const { writeSet } = await db.write(write);
  return readSetOverlaps(readSet, writeSet);
}

const roomA = (tx: ReadTransaction) =>
  tx.db
    .query("messages")
    .withIndex("by_room", (q) => q.eq("room", "a"))
    .collect();

const idOf = async (tx: WriteTransaction, room: string, n: number) =>
  (await tx.db
    .query("messages")
    .withIndex("by_room", (q) => q.eq("room", room).eq("n", n))
    .unique())!._id as never;

describe("overlap of range reads", () => {
  it("a write to another table does not overlap", async () => {
    const { db } = await setup();
    expect(await overlaps(db, roomA, (tx) => tx.db.insert("users", { name: "x" }))).toBe(false);
  });

  it("a write to a disjoint range of the same index does not overlap", async () => {
    const { db } = await setup();
    expect(await overlaps(db, roomA, (tx) => tx.db.insert("messages", { room: "b", n: 9 }))).toBe(false);
    expect(await overlaps(db, roomA, async (tx) => tx.db.patch(await idOf(tx, "b", 2), { n: 20 }))).toBe(false);
  });

  it("an insert, update or delete inside the range overlaps", async () => {
    const { db } = await setup();
    expect(await overlaps(db, roomA, (tx) => tx.db.insert("messages", { room: "a", n: 9 }))).toBe(true);
    expect(await overlaps(db, roomA, async (tx) => tx.db.delete(await idOf(tx, "a", 3)))).toBe(true);
    // Content changes with the same key overlap too: the query returned that document.
    expect(await overlaps(db, roomA, async (tx) => tx.db.patch(await idOf(tx, "a", 2), { n: 2 }))).toBe(true);
  });

  it("an update moving a document into or out of the range overlaps", async () => {
    const { db } = await setup();
    expect(await overlaps(db, roomA, async (tx) => tx.db.patch(await idOf(tx, "b", 1), { room: "a" }))).toBe(true);
    expect(await overlaps(db, roomA, async (tx) => tx.db.patch(await idOf(tx, "a", 5), { room: "c" }))).toBe(true);
  });

  it("take(2) covers only what it scanned: an insert after the 2nd row does not overlap, one before does", async () => {
    const { db } = await setup();
    const firstTwo = (tx: ReadTransaction) =>
      tx.db
        .query("messages")
        .withIndex("by_room", (q) => q.eq("room", "a"))
        .take(2);
    expect(await overlaps(db, firstTwo, (tx) => tx.db.insert("messages", { room: "a", n: 2.5 }))).toBe(false);
    expect(await overlaps(db, firstTwo, (tx) => tx.db.insert("messages", { room: "a", n: 1.5 }))).toBe(true);
    expect(await overlaps(db, firstTwo, async (tx) => tx.db.delete(await idOf(tx, "a", 4)))).toBe(false);
    // Descending scans mirror it.
    const lastTwo = (tx: ReadTransaction) =>
      tx.db
        .query("messages")
        .withIndex("by_room", (q) => q.eq("room", "a"))
        .order("desc")
        .take(2);
    // Room a is now 1, 1.5, 2, 2.5, 3, 5: the last two are 5 and 3.
    expect(await overlaps(db, lastTwo, (tx) => tx.db.insert("messages", { room: "a", n: 2.7 }))).toBe(false);
    expect(await overlaps(db, lastTwo, (tx) => tx.db.insert("messages", { room: "a", n: 4.5 }))).toBe(true);
  });

  it("a take() that exhausted its range covers the whole range; filters do not narrow it", async () => {
    const { db } = await setup();
    const many = (tx: ReadTransaction) =>
      tx.db
        .query("messages")
        .withIndex("by_room", (q) => q.eq("room", "a"))
        .take(100);
    expect(await overlaps(db, many, (tx) => tx.db.insert("messages", { room: "a", n: 99 }))).toBe(true);
    const filtered = (tx: ReadTransaction) =>
      tx.db
        .query("messages")
        .withIndex("by_room", (q) => q.eq("room", "a"))
        .filter((q) => q.eq(q.field("n"), 1))
        .collect();
    expect(await overlaps(db, filtered, (tx) => tx.db.insert("messages", { room: "a", n: 7 }))).toBe(true);
  });

  it("a read of an empty or missing table overlaps the first insert", async () => {
    const db = await testDb();
    const empty = (tx: ReadTransaction) => tx.db.query("later").collect();
    expect(await overlaps(db, empty, (tx) => tx.db.insert("later", { a: 1 }))).toBe(true);
  });

  it("paginated reads cover [cursor, continueCursor], or to the end when done", async () => {
    const { db } = await setup();
    const page = (cursor: string | null) => (tx: ReadTransaction) =>
      tx.db
        .query("messages")
        .withIndex("by_room", (q) => q.eq("room", "a"))
        .paginate({ numItems: 2, cursor });
    const { result } = await db.read(page(null));
    const first = result as PaginationResult<Record<string, unknown>>;
    expect(await overlaps(db, page(null), (tx) => tx.db.insert("messages", { room: "a", n: 0 }))).toBe(true);
    expect(await overlaps(db, page(null), (tx) => tx.db.insert("messages", { room: "a", n: 2.5 }))).toBe(false);
    // The second page starts after the first page's cursor.
    expect(await overlaps(db, page(first.continueCursor), (tx) => tx.db.insert("messages", { room: "a", n: 1.7 }))).toBe(false);
    expect(await overlaps(db, page(first.continueCursor), (tx) => tx.db.insert("messages", { room: "a", n: 2.7 }))).toBe(true);
  });
});

describe("overlap of point reads", () => {
  it("get(id) overlaps writes of that document only", async () => {
    const { db, ids } = await setup();
    const getFirst = (tx: ReadTransaction) => tx.db.get(ids[0] as never);
    expect(await overlaps(db, getFirst, (tx) => tx.db.patch(ids[0] as never, { n: 42 }))).toBe(true);
    expect(await overlaps(db, getFirst, (tx) => tx.db.patch(ids[1] as never, { n: 42 }))).toBe(false);
    expect(await overlaps(db, getFirst, (tx) => tx.db.insert("messages", { room: "a", n: 0 }))).toBe(false);
    expect(await overlaps(db, getFirst, (tx) => tx.db.delete(ids[0] as never))).toBe(true);
    // Still recorded when the document is missing.
    const { readSet } = await db.read(getFirst);
    expect(readSet.ranges).toHaveLength(1);
  });
});

/** Bytes that matter to a byte-wise order: 00, both sides of 0x80 (and 0x9F, where windows-1252 differs from latin1), FF. */
const edgeByte = fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0x9f, 0xa0, 0xfe, 0xff);
/** Short keys over few bytes: many equal keys and many prefixes of one another. */
const edgeKey = fc.array(edgeByte, { maxLength: 4 }).map((bytes) => Uint8Array.from(bytes));
const sign = (n: number) => Math.sign(n);

describe("key bounds (read-set keys as one-byte strings)", () => {
  it("keep every byte, and order like the bytes (Buffer.compare), including prefixes, 00 and 80-FF", () => {
    const anyKey = fc.oneof(edgeKey, fc.uint8Array({ maxLength: 12 }));
    fc.assert(
      fc.property(anyKey, anyKey, (a, b) => {
        const [boundA, boundB] = [keyBound(a), keyBound(b)];
        expect(Array.from(boundA, (c) => c.charCodeAt(0))).toEqual(Array.from(a));
        const bytes = sign(Buffer.compare(a, b));
        expect(boundA < boundB ? -1 : boundA > boundB ? 1 : 0).toBe(bytes);
        expect(sign(compareKeyToBound(a, boundB))).toBe(bytes);
      }),
      { numRuns: 5_000 },
    );
  });

  it("are exact for long keys (converted another way past one String.fromCharCode call)", () => {
    const long = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 131) & 0xff);
    const bound = keyBound(long);
    expect(bound.length).toBe(long.length);
    expect(compareKeyToBound(long, bound)).toBe(0);
    const later = long.slice();
    later[9_999] = (later[9_999]! + 1) & 0xff;
    expect(sign(compareKeyToBound(later, bound))).toBe(sign(Buffer.compare(later, long)));
    expect(compareKeyToBound(long.subarray(0, 5_000), bound)).toBeLessThan(0); // a prefix sorts first
  });
});

describe("readSetOverlaps", () => {
  const keyOf = fc.oneof(edgeKey, fc.uint8Array({ minLength: 0, maxLength: 3, max: 4 }));
  const range = fc.record({ indexId: fc.integer({ min: 1, max: 3 }), low: keyOf, high: fc.option(keyOf, { nil: undefined }) });
  const write = fc.record({ indexId: fc.integer({ min: 1, max: 3 }), key: keyOf });
  type BytesRange = { indexId: number; low: Uint8Array; high: Uint8Array | undefined };
  const naive = (ranges: BytesRange[], writes: { indexId: number; key: Uint8Array }[]) =>
    writes.some((w) =>
      ranges.some((r) => r.indexId === w.indexId && Buffer.compare(r.low, w.key) <= 0 && (r.high === undefined || Buffer.compare(w.key, r.high) < 0)),
    );

  it("agrees with a naive byte-wise check, few ranges (the direct path) and many (merged, binary-searched)", () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 30 }), fc.array(write, { maxLength: 10 }), (ranges, writes) => {
        const readSet: ReadSet = { ranges: ranges.map((r) => ({ indexId: r.indexId, low: keyBound(r.low), high: r.high && keyBound(r.high) })) };
        const expected = naive(ranges, writes);
        expect(readSetOverlaps(readSet, { writes })).toBe(expected);
        expect(readSetOverlaps(readSet, { writes })).toBe(expected); // cached preparation gives the same answer
      }),
      { numRuns: 5_000 },
    );
  });

  it("a built read set keeps what was recorded: same answers, empty ranges dropped", () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 20 }), fc.array(write, { maxLength: 10 }), (ranges, writes) => {
        const builder = new ReadSetBuilder();
        for (const r of ranges) builder.add(r.indexId, r.low, r.high);
        const readSet = builder.build();
        const nonEmpty = ranges.filter((r) => r.high === undefined || Buffer.compare(r.low, r.high) < 0);
        expect(readSet.ranges).toHaveLength(nonEmpty.length);
        for (const bound of readSet.ranges.flatMap((r) => (r.high === undefined ? [r.low] : [r.low, r.high]))) expect(typeof bound).toBe("string");
        expect(readSetOverlaps(readSet, { writes })).toBe(naive(ranges, writes));
      }),
      { numRuns: 2_000 },
    );
  });

  it("a point read covers its key only, not keys it is a prefix of", () => {
    const builder = new ReadSetBuilder();
    builder.point(1, Uint8Array.from([0x80, 0x00]));
    const readSet = builder.build();
    const hit = (...bytes: number[]) => readSetOverlaps(readSet, { writes: [{ indexId: 1, key: Uint8Array.from(bytes) }] });
    expect(hit(0x80, 0x00)).toBe(true);
    expect(hit(0x80)).toBe(false);
    expect(hit(0x80, 0x00, 0x00)).toBe(false);
    expect(hit(0x80, 0x01)).toBe(false);
    expect(hit(0x7f, 0xff, 0xff)).toBe(false);
  });
});
