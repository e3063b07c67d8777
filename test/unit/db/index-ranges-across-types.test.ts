// Index ranges over values of every type agree with compareValues (design.md's
// value order), in both orders, through collect() and through a walk of paginate() pages; and
// a mutation reads its own writes through an index range and through paginate().

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { compareValues, v, type Value } from "../../../src/values/index.js";
import { seed, testDb } from "./helpers.js";

type Doc = Record<string, Value | undefined>;

// Near-collisions of every type: "a" and "a\0", -0 and 0, a lone surrogate, empty containers...
const POOL: (Value | undefined)[] = [
  undefined, null, 0n, -1n, 1n, 0, -0, 1.5, -2, NaN, Infinity, -Infinity, false, true, "", "a", "a\u0000", "ab",
  "\uD800", "\uFFFF", "\u{10000}", new Uint8Array([0]).buffer, new Uint8Array([]).buffer, new Uint8Array([0, 255]).buffer,
  [], [null], [1n, "a"], {}, { a: 1 }, { b: 0 },
];

/** A small deterministic generator (the same documents and ranges on every run). */
function generator(seedValue: number) {
  let state = seedValue;
  return (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

const OPS = {
  gt: (c: number) => c > 0,
  gte: (c: number) => c >= 0,
  lt: (c: number) => c < 0,
  lte: (c: number) => c <= 0,
} as const;
type Op = keyof typeof OPS;

describe("index ranges across types", () => {
  it("collect() and a walk of paginate() pages return exactly the documents compareValues puts in the range", async () => {
    const rnd = generator(12345);
    const db = await testDb();
    await db.setSchema(defineSchema({ t: defineTable(v.any() as never).index("by_ab" as never, ["a", "b"] as never) }));
    const docs: Doc[] = [];
    for (let i = 0; i < 120; i++) {
      const doc: Doc = { i };
      const a = POOL[rnd(6) === 0 ? rnd(POOL.length) : rnd(5)];
      const b = POOL[rnd(POOL.length)];
      if (a !== undefined) doc.a = a;
      if (b !== undefined) doc.b = b;
      docs.push(doc);
    }
    await seed(db, "t", docs);
    const { result: all } = await db.read((tx) => tx.db.query("t").collect());
    const sorted = [...all].sort(
      (x, y) => compareValues(x.a, y.a) || compareValues(x.b, y.b) || compareValues(x._creationTime, y._creationTime),
    );

    for (let round = 0; round < 150; round++) {
      const withEq = rnd(2) === 0;
      const eqValue = POOL[rnd(6)];
      const lower: Op | undefined = rnd(3) === 0 ? undefined : (["gt", "gte"] as const)[rnd(2)];
      const upper: Op | undefined = rnd(3) === 0 ? undefined : (["lt", "lte"] as const)[rnd(2)];
      const lowerValue = POOL[rnd(POOL.length)];
      const upperValue = POOL[rnd(POOL.length)];
      const field = withEq ? "b" : "a";
      const order = rnd(2) === 0 ? "asc" : "desc";
      const expected = sorted
        .filter(
          (d) =>
            (!withEq || compareValues(d.a, eqValue) === 0) &&
            (lower === undefined || OPS[lower](compareValues(d[field], lowerValue))) &&
            (upper === undefined || OPS[upper](compareValues(d[field], upperValue))),
        )
        .map((d) => d.i);
      if (order === "desc") expected.reverse();
      const range = (q: any) => {
        let r = withEq ? q.eq("a", eqValue) : q;
        if (lower !== undefined) r = r[lower](field, lowerValue);
        if (upper !== undefined) r = r[upper](field, upperValue);
        return r;
      };
      const { result } = await db.read(async (tx) => {
        const query = () => tx.db.query("t").withIndex("by_ab" as never, range).order(order);
        const collected = (await query().collect()).map((d) => d.i);
        const paged: unknown[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 100; page++) {
          const { page: rows, isDone, continueCursor } = await query().paginate({ numItems: 7, cursor });
          paged.push(...rows.map((d) => d.i));
          if (isDone) break;
          cursor = continueCursor;
        }
        return { collected, paged };
      });
      expect({ round, ...result }).toEqual({ round, collected: expected, paged: expected });
    }
  }, 60_000);
});

describe("a mutation reads its own writes through indexes", () => {
  it("sees an insert and a patch that moves a document through withIndex ranges and paginate()", async () => {
    const db = await testDb();
    await db.setSchema(defineSchema({ t: defineTable({ n: v.number(), a: v.optional(v.string()) }).index("by_n", ["n"]) }));
    await seed(db, "t", [{ n: 1 }, { n: 2 }]);
    const { result } = await db.write(async (tx) => {
      const id = await tx.db.insert("t", { n: 5, a: "x" });
      const above = (await tx.db.query("t").withIndex("by_n", (q) => q.gt("n", 2)).collect()).map((d) => d.n);
      await tx.db.patch(id, { n: 0, a: undefined });
      const below = (await tx.db.query("t").withIndex("by_n", (q) => q.lt("n", 1)).collect()).map((d) => [d.n, d.a]);
      const page = await tx.db.query("t").withIndex("by_n").order("desc").paginate({ numItems: 10, cursor: null });
      return { above, below, page: page.page.map((d) => d.n), isDone: page.isDone };
    });
    expect(result).toEqual({ above: [5], below: [[0, undefined]], page: [2, 1, 0], isDone: true });
  });
});
