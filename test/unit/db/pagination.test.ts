// paginate() (protocol.md §14): pages, end cursors that make pages grow and shrink, splits,
// invalid cursors, the journal options, both orders.

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import type { PaginationOptions, PaginationResult } from "../../../src/server/define/database.js";
import { isAppError, v, type Value } from "../../../src/values/index.js";
import { TEST_ENGINE } from "../../helpers/test-database.js";
import { TX_LIMITS, type OpenedDatabase } from "../../../src/server/db/index.js";
import { rejection, seed, testDb } from "./helpers.js";

type Doc = Record<string, Value | undefined>;
const schema = defineSchema({ items: defineTable({ n: v.number(), tag: v.optional(v.string()) }).index("by_n", ["n"]) });

async function items(ns: number[]): Promise<OpenedDatabase> {
  const db = await testDb();
  await db.setSchema(schema);
  await seed(db, "items", ns.map((n) => ({ n })));
  return db;
}

const byN = (db: OpenedDatabase, options: PaginationOptions, order: "asc" | "desc" = "asc") =>
  db.read((tx) => tx.db.query("items").withIndex("by_n").order(order).paginate(options)).then((r) => r.result as PaginationResult<Doc>);
/** 32,000 inserts: a network round trip per statement batch makes them slower on Postgres. */
const SLOW_FILL = TEST_ENGINE === "postgres" ? 180_000 : 30_000;
const ns = (page: PaginationResult<Doc>) => page.page.map((doc) => doc.n);

describe("paging", () => {
  it("walks the whole range in pages without gaps or duplicates, ending with isDone", async () => {
    const db = await items(Array.from({ length: 25 }, (_, i) => i));
    const first = await byN(db, { numItems: 10, cursor: null });
    expect(ns(first)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(first).toMatchObject({ isDone: false, splitCursor: null, pageStatus: null });
    const second = await byN(db, { numItems: 10, cursor: first.continueCursor });
    expect(ns(second)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const third = await byN(db, { numItems: 10, cursor: second.continueCursor });
    expect(ns(third)).toEqual([20, 21, 22, 23, 24]);
    expect(third.isDone).toBe(true);
    const after = await byN(db, { numItems: 10, cursor: third.continueCursor });
    expect(after).toMatchObject({ page: [], isDone: true, continueCursor: third.continueCursor });
  });

  it("pages in descending order", async () => {
    const db = await items([1, 2, 3, 4, 5]);
    const first = await byN(db, { numItems: 2, cursor: null }, "desc");
    const second = await byN(db, { numItems: 2, cursor: first.continueCursor }, "desc");
    const third = await byN(db, { numItems: 2, cursor: second.continueCursor }, "desc");
    expect([ns(first), ns(second), ns(third)]).toEqual([[5, 4], [3, 2], [1]]);
    expect(third.isDone).toBe(true);
  });

  it("pages filtered queries, and stops early at maximumRowsRead", async () => {
    const db = await items(Array.from({ length: 30 }, (_, i) => i));
    const evens = (options: PaginationOptions) =>
      db
        .read((tx) =>
          tx.db
            .query("items")
            .withIndex("by_n")
            .filter((q: any) => q.eq(q.mod(q.field("n"), 2), 0))
            .paginate(options),
        )
        .then((r) => r.result as PaginationResult<Doc>);
    const first = await evens({ numItems: 5, cursor: null });
    expect(ns(first)).toEqual([0, 2, 4, 6, 8]);
    const limited = await evens({ numItems: 5, cursor: first.continueCursor, maximumRowsRead: 4 });
    expect(ns(limited)).toEqual([10, 12]); // rows 9..12 examined
    expect(limited.isDone).toBe(false);
    const rest = await evens({ numItems: 50, cursor: limited.continueCursor });
    expect(ns(rest)).toEqual([14, 16, 18, 20, 22, 24, 26, 28]);
    expect(rest.isDone).toBe(true);
  });
});

describe("end cursors", () => {
  it("returns exactly the rows up to the end cursor, growing and shrinking with the data", async () => {
    const db = await items([10, 20, 30, 40, 50, 60]);
    const page1 = await byN(db, { numItems: 3, cursor: null });
    const page2 = await byN(db, { numItems: 3, cursor: page1.continueCursor });
    const page3 = await byN(db, { numItems: 3, cursor: page2.continueCursor });
    expect([ns(page1), ns(page2), ns(page3)]).toEqual([[10, 20, 30], [40, 50, 60], []]);
    expect([page2.isDone, page3.isDone]).toEqual([false, true]); // a full page does not know it was the last
    const ids = await seed(db, "items", [{ n: 15 }, { n: 25 }, { n: 45 }, { n: 70 }]);
    const grown1 = await byN(db, { numItems: 3, cursor: null, endCursor: page1.continueCursor });
    const grown2 = await byN(db, { numItems: 3, cursor: page1.continueCursor, endCursor: page2.continueCursor });
    expect(ns(grown1)).toEqual([10, 15, 20, 25, 30]);
    expect(grown1.continueCursor).toBe(page1.continueCursor);
    expect(grown1.isDone).toBe(false);
    expect(ns(grown2)).toEqual([40, 45, 50, 60]);
    expect(grown2.isDone).toBe(false);
    // The last page ended at the end of the range: it takes the rows appended since.
    const grown3 = await byN(db, { numItems: 3, cursor: page2.continueCursor, endCursor: page3.continueCursor });
    expect(ns(grown3)).toEqual([70]);
    expect(grown3.isDone).toBe(true);
    await db.write(async (tx) => {
      await tx.db.delete(ids[0]!);
      await tx.db.delete(ids[1]!);
      const ten = await tx.db.query("items").withIndex("by_n", (q) => q.eq("n", 10)).unique();
      await tx.db.delete(ten!._id as never);
    });
    const shrunk = await byN(db, { numItems: 3, cursor: null, endCursor: page1.continueCursor });
    expect(ns(shrunk)).toEqual([20, 30]);
  });

  it("recommends a split of a page that grew past twice its size", async () => {
    const db = await items([0, 100]);
    const page = await byN(db, { numItems: 1, cursor: null });
    expect(ns(page)).toEqual([0]);
    const later = await byN(db, { numItems: 1, cursor: page.continueCursor });
    await seed(db, "items", [{ n: -3 }, { n: -2 }, { n: -1 }]);
    const grown = await byN(db, { numItems: 1, cursor: null, endCursor: page.continueCursor });
    expect(ns(grown)).toEqual([-3, -2, -1, 0]);
    expect(grown.pageStatus).toBe("SplitRecommended");
    const left = await byN(db, { numItems: 1, cursor: null, endCursor: grown.splitCursor! });
    const right = await byN(db, { numItems: 1, cursor: grown.splitCursor!, endCursor: page.continueCursor });
    expect([ns(left), ns(right)]).toEqual([
      [-3, -2],
      [-1, 0],
    ]);
    expect(ns(await byN(db, { numItems: 1, cursor: page.continueCursor, endCursor: later.continueCursor }))).toEqual([100]);
  });

  it("requires a split of a fixed page that outgrew maximumRowsRead, and the two halves hold exactly its rows", async () => {
    const db = await items([0, 1, 2, 3]);
    const page = await byN(db, { numItems: 4, cursor: null });
    await seed(db, "items", [0.5, 1.5, 2.5].map((n) => ({ n })));
    const tooBig = await byN(db, { numItems: 4, cursor: null, endCursor: page.continueCursor, maximumRowsRead: 5 });
    expect(tooBig.pageStatus).toBe("SplitRequired");
    expect(ns(tooBig)).toEqual([0, 0.5, 1, 1.5, 2]); // what it read before stopping
    const left = await byN(db, { numItems: 4, cursor: null, endCursor: tooBig.splitCursor!, maximumRowsRead: 5 });
    const right = await byN(db, { numItems: 4, cursor: tooBig.splitCursor!, endCursor: page.continueCursor, maximumRowsRead: 5 });
    expect([left.pageStatus, right.pageStatus]).toEqual([null, null]);
    expect([...ns(left), ...ns(right)]).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3]);
    // Exactly at the maximum, ending on its end cursor: nothing to split.
    const exact = await byN(db, { numItems: 4, cursor: null, endCursor: left.continueCursor, maximumRowsRead: ns(left).length });
    expect(exact.pageStatus).toBe(null);
  });

  it("requires a split instead of failing when a fixed page would pass the transaction's read limit", async () => {
    const db = await items([0, 1e9]);
    const first = await byN(db, { numItems: 1, cursor: null });
    const second = await byN(db, { numItems: 1, cursor: first.continueCursor });
    expect(ns(second)).toEqual([1e9]);
    // The second page's rows grow past what one transaction may read.
    const total = TX_LIMITS.maxDocumentsRead + 10;
    for (let from = 1; from <= total; from += 16_000) {
      await seed(db, "items", Array.from({ length: Math.min(16_000, total + 1 - from) }, (_, i) => ({ n: from + i })));
    }
    const tooBig = await byN(db, { numItems: 1, cursor: first.continueCursor, endCursor: second.continueCursor });
    expect(tooBig.pageStatus).toBe("SplitRequired");
    expect(tooBig.page.length).toBe(TX_LIMITS.maxDocumentsRead);
    const left = await byN(db, { numItems: 1, cursor: first.continueCursor, endCursor: tooBig.splitCursor! });
    const right = await byN(db, { numItems: 1, cursor: tooBig.splitCursor!, endCursor: second.continueCursor });
    expect(left.pageStatus).not.toBe("SplitRequired");
    expect(right.pageStatus).not.toBe("SplitRequired");
    const rows = [...ns(left), ...ns(right)];
    expect(rows.length).toBe(total + 1);
    expect(rows[0]).toBe(1);
    expect(rows.at(-1)).toBe(1e9);
  }, SLOW_FILL);

  it("bounds a page by maximumBytesRead, and the next page goes on from where it stopped", async () => {
    const db = await testDb();
    await db.setSchema(schema);
    await seed(db, "items", Array.from({ length: 10 }, (_, n) => ({ n, tag: "x".repeat(100) })));
    // Each document is about 170 bytes stored; a page reads at least one row.
    const first = await byN(db, { numItems: 10, cursor: null, maximumBytesRead: 1 });
    expect(ns(first)).toEqual([0]);
    expect(first.isDone).toBe(false);
    const second = await byN(db, { numItems: 10, cursor: first.continueCursor, maximumBytesRead: 400 });
    expect(ns(second)).toEqual([1, 2, 3]); // 3 rows are the first to reach 400 bytes
    const rest = await byN(db, { numItems: 10, cursor: second.continueCursor, maximumBytesRead: 100_000 });
    expect(ns(rest)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(rest.isDone).toBe(true);
    await expect(byN(db, { numItems: 1, cursor: null, maximumBytesRead: 0 })).rejects.toThrow(/maximumBytesRead must be a positive number/);
  });

  it("uses the journal's end cursor for the first paginate() and reports the one it used", async () => {
    const db = await items([1, 2, 3, 4]);
    const run = (journal?: string) =>
      db.read((tx) => tx.db.query("items").withIndex("by_n").paginate({ numItems: 2, cursor: null }), journal === undefined ? {} : { paginationEndCursor: journal });
    const first = await run();
    expect(first.paginationEndCursor).toBe((first.result as PaginationResult<Doc>).continueCursor);
    await seed(db, "items", [{ n: 0 }]);
    const replay = await run(first.paginationEndCursor);
    expect(ns(replay.result as PaginationResult<Doc>)).toEqual([0, 1, 2]); // same bounds, one more row
    expect(replay.paginationEndCursor).toBe(first.paginationEndCursor);
    const nothing = await db.read((tx) => tx.db.query("items").take(1));
    expect(nothing.paginationEndCursor).toBeUndefined();
  });
});

describe("invalid cursors", () => {
  const invalid = async (promise: Promise<unknown>) => {
    const error = await rejection(promise);
    expect(isAppError(error)).toBe(true);
    expect((error as unknown as { data: Value }).data).toEqual({ paginationError: "InvalidCursor" });
    return error;
  };

  it("refuses malformed cursors and cursors of other queries with InvalidCursor", async () => {
    const db = await items([1, 2, 3]);
    const { continueCursor } = await byN(db, { numItems: 1, cursor: null });
    await invalid(byN(db, { numItems: 1, cursor: "not a cursor!" }));
    await invalid(byN(db, { numItems: 1, cursor: "AAAA" }));
    await invalid(byN(db, { numItems: 1, cursor: continueCursor.slice(0, -2) + (continueCursor.endsWith("A") ? "BB" : "AA") }));
    await invalid(byN(db, { numItems: 1, cursor: continueCursor }, "desc")); // other order
    await invalid(byN(db, { numItems: 1, cursor: null, endCursor: continueCursor }, "desc"));
    await invalid(db.read((tx) => tx.db.query("items").paginate({ numItems: 1, cursor: continueCursor }))); // other index
    await invalid(db.read((tx) => tx.db.query("items").withIndex("by_n", (q) => q.gt("n", 0)).paginate({ numItems: 1, cursor: continueCursor }))); // other range
    const error = await invalid(
      db.read((tx) =>
        tx.db
          .query("items")
          .withIndex("by_n")
          .filter((q) => q.eq(q.field("n"), 2))
          .paginate({ numItems: 1, cursor: continueCursor }),
      ),
    );
    expect(error.message).toMatch(/Invalid pagination cursor: it belongs to a different query or index/);
  });

  it("refuses cursors after the index was rebuilt", async () => {
    const db = await items([1, 2, 3]);
    const { continueCursor } = await byN(db, { numItems: 1, cursor: null });
    await db.setSchema(defineSchema({ items: defineTable({ n: v.number(), tag: v.optional(v.string()) }).index("by_n", ["n", "tag"]) }));
    await invalid(byN(db, { numItems: 1, cursor: continueCursor }));
  });

  it("checks numItems", async () => {
    const db = await items([1]);
    await expect(byN(db, { numItems: -1, cursor: null })).rejects.toThrow(/numItems must be a non-negative number/);
    expect(ns(await byN(db, { numItems: 0, cursor: null }))).toEqual([]);
  });
});
