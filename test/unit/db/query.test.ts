// Queries: indexes and ranges, order, filters (every operator, dotted paths), terminal calls,
// async iteration across awaits, and the errors for misuse.

import { describe, expect, it } from "vitest";
import { defineSchema, defineTable } from "../../../src/server/define/schema.js";
import { v, type Value } from "../../../src/values/index.js";
import type { OpenedDatabase } from "../../../src/server/db/index.js";
import { rejection, seed, testDb } from "./helpers.js";

type Doc = Record<string, Value | undefined>;

const schema = defineSchema({
  people: defineTable({
    name: v.string(),
    age: v.number(),
    city: v.optional(v.string()),
    score: v.optional(v.int64()),
    address: v.optional(v.object({ zip: v.string(), street: v.optional(v.string()) })),
  })
    .index("by_city_age", ["city", "age"])
    .index("by_zip", ["address.zip"]),
});

const PEOPLE = [
  { name: "ada", age: 36, city: "london", score: 10n, address: { zip: "N1" } },
  { name: "grace", age: 45, city: "nyc", score: 7n, address: { zip: "10001", street: "5th" } },
  { name: "linus", age: 28, city: "helsinki", score: 3n },
  { name: "barbara", age: 51, city: "london", address: { zip: "SW1" } },
  { name: "ken", age: 28 },
  { name: "margaret", age: 33, city: "london", score: 12n },
];

async function people(): Promise<OpenedDatabase> {
  const db = await testDb();
  await db.setSchema(schema);
  await seed(db, "people", PEOPLE);
  return db;
}

const names = (docs: Doc[]) => docs.map((doc) => doc.name);

describe("indexes and ranges", () => {
  it("defaults to creation order; fullTableScan is the same; desc reverses it", async () => {
    const db = await people();
    const { result } = await db.read(async (tx) => [
      names(await tx.db.query("people").collect()),
      names(await tx.db.query("people").fullTableScan().collect()),
      names(await tx.db.query("people").order("desc").collect()),
    ]);
    const inOrder = PEOPLE.map((p) => p.name);
    expect(result).toEqual([inOrder, inOrder, [...inOrder].reverse()]);
  });

  it("orders by the index fields, missing fields first, ties by creation time", async () => {
    const db = await people();
    const { result } = await db.read((tx) => tx.db.query("people").withIndex("by_city_age").collect());
    expect(names(result)).toEqual(["ken", "linus", "margaret", "ada", "barbara", "grace"]);
  });

  it("eq prefixes and one lower and one upper bound on the next field", async () => {
    const db = await people();
    const q = (range: (q: any) => any) => db.read((tx) => tx.db.query("people").withIndex("by_city_age", range).collect());
    expect(names((await q((r) => r.eq("city", "london"))).result)).toEqual(["margaret", "ada", "barbara"]);
    expect(names((await q((r) => r.eq("city", "london").gt("age", 33))).result)).toEqual(["ada", "barbara"]);
    expect(names((await q((r) => r.eq("city", "london").gte("age", 33))).result)).toEqual(["margaret", "ada", "barbara"]);
    expect(names((await q((r) => r.eq("city", "london").lt("age", 51))).result)).toEqual(["margaret", "ada"]);
    expect(names((await q((r) => r.eq("city", "london").lte("age", 51))).result)).toEqual(["margaret", "ada", "barbara"]);
    expect(names((await q((r) => r.eq("city", "london").gt("age", 33).lt("age", 51))).result)).toEqual(["ada"]);
    expect(names((await q((r) => r.eq("city", "london").eq("age", 36))).result)).toEqual(["ada"]);
    expect(names((await q((r) => r.eq("city", undefined))).result)).toEqual(["ken"]);
    expect(names((await q((r) => r.gte("city", "l").lt("city", "m"))).result)).toEqual(["margaret", "ada", "barbara"]);
    expect(names((await q((r) => r.eq("city", "paris"))).result)).toEqual([]);
    expect(names((await q((r) => r.eq("city", "london").gt("age", 60))).result)).toEqual([]);
  });

  it("indexes dotted paths and the built-in by_id and by_creation_time", async () => {
    const db = await people();
    const { result } = await db.read(async (tx) => {
      const all = await tx.db.query("people").collect();
      const byZip = names(await tx.db.query("people").withIndex("by_zip", (q: any) => q.gte("address.zip", "A")).collect());
      const first = all[0]!;
      const byId = await tx.db
        .query("people")
        .withIndex("by_id", (q) => q.eq("_id", first._id as never))
        .unique();
      const since = await tx.db
        .query("people")
        .withIndex("by_creation_time", (q) => q.gt("_creationTime", all[3]!._creationTime as number))
        .collect();
      return { byZip, byId: byId?.name, since: names(since) };
    });
    expect(result).toEqual({ byZip: ["ada", "barbara"], byId: "ada", since: ["ken", "margaret"] });
  });

  it("explains wrong ranges, naming the index and the field", async () => {
    const db = await people();
    const attempt = (range: (q: any) => any, index = "by_city_age") =>
      rejection(db.read(async (tx) => tx.db.query("people").withIndex(index as never, range).collect()));
    expect((await attempt((r) => r.eq("age", 3))).message).toBe(
      'Invalid range for index "by_city_age" of table "people": eq("age") must be on field "city" (the index\'s fields, in order: city, age, _creationTime, _id).',
    );
    expect((await attempt((r) => r.gt("city", "a").eq("age", 3))).message).toMatch(/eq\("age"\) cannot follow a range bound/);
    expect((await attempt((r) => r.gt("city", "a").gte("city", "b"))).message).toMatch(/only one lower bound/);
    expect((await attempt((r) => r.lt("city", "a").lte("city", "b"))).message).toMatch(/only one upper bound/);
    expect((await attempt((r) => r.eq("city", "a").lt("city", "b"))).message).toMatch(/lt\("city"\) must be on field "age"/);
    expect((await attempt((r) => r.eq("city", new Date())))).toBeInstanceOf(Error);
    expect((await attempt(() => undefined)).message).toMatch(/must return the builder/);
    expect((await attempt((r) => r, "by_nothing")).message).toMatch(/Index "by_nothing" not found on table "people" \(its indexes: by_id, by_creation_time, by_city_age, by_zip\)/);
  });

  it("refuses a second index choice or a second order", async () => {
    const db = await people();
    await expect(db.read(async (tx) => (tx.db.query("people").withIndex("by_zip").order("asc") as any).order("desc" as never))).rejects.toThrow(
      /order\(\) can only be called once/,
    );
    await expect(db.read(async (tx) => (tx.db.query("people").order("desc") as any).withIndex("by_zip"))).rejects.toThrow(/must come right after query/);
    await expect(db.read(async (tx) => (tx.db.query("people").fullTableScan() as any).withIndex("by_zip"))).rejects.toThrow(/already chose its index/);
  });
});

describe("filters", () => {
  const filtered = async (predicate: (q: any) => any) => {
    const db = await people();
    return names((await db.read((tx) => tx.db.query("people").filter(predicate).collect())).result);
  };

  it("compares fields with eq, neq, lt, lte, gt, gte in the value order", async () => {
    expect(await filtered((q) => q.eq(q.field("age"), 28))).toEqual(["linus", "ken"]);
    expect(await filtered((q) => q.neq(q.field("city"), "london"))).toEqual(["grace", "linus", "ken"]);
    expect(await filtered((q) => q.lt(q.field("age"), 33))).toEqual(["linus", "ken"]);
    expect(await filtered((q) => q.lte(q.field("age"), 33))).toEqual(["linus", "ken", "margaret"]);
    expect(await filtered((q) => q.gt(q.field("age"), 45))).toEqual(["barbara"]);
    expect(await filtered((q) => q.gte(q.field("age"), 45))).toEqual(["grace", "barbara"]);
    // undefined (missing) is the smallest value.
    expect(await filtered((q) => q.eq(q.field("city"), undefined))).toEqual(["ken"]);
    expect(await filtered((q) => q.lt(q.field("score"), 5n))).toEqual(["linus", "barbara", "ken"]);
    // Literals on both sides, and literals in place of expressions.
    expect(await filtered((q) => q.eq(1, 1))).toHaveLength(6);
    expect(await filtered(() => false)).toEqual([]);
  });

  it("reads dotted paths", async () => {
    expect(await filtered((q) => q.eq(q.field("address.zip"), "N1"))).toEqual(["ada"]);
    expect(await filtered((q) => q.eq(q.field("address.street"), undefined))).toEqual(["ada", "linus", "barbara", "ken", "margaret"]);
    expect(await filtered((q) => q.eq(q.field("name.length"), undefined))).toHaveLength(6);
  });

  it("combines with and, or, not; several filter() calls all apply", async () => {
    expect(await filtered((q) => q.and(q.eq(q.field("city"), "london"), q.gt(q.field("age"), 35)))).toEqual(["ada", "barbara"]);
    expect(await filtered((q) => q.or(q.eq(q.field("name"), "ken"), q.eq(q.field("name"), "ada")))).toEqual(["ada", "ken"]);
    expect(await filtered((q) => q.not(q.eq(q.field("city"), "london")))).toEqual(["grace", "linus", "ken"]);
    const db = await people();
    const { result } = await db.read((tx) =>
      tx.db
        .query("people")
        .filter((q) => q.eq(q.field("city"), "london"))
        .filter((q: any) => q.lt(q.field("age"), 40))
        .collect(),
    );
    expect(names(result)).toEqual(["ada", "margaret"]);
  });

  it("does arithmetic on numbers and int64s, and refuses to mix them", async () => {
    expect(await filtered((q) => q.eq(q.add(q.field("age"), 2), 30))).toEqual(["linus", "ken"]);
    expect(await filtered((q) => q.eq(q.sub(q.field("age"), 1), 35))).toEqual(["ada"]);
    expect(await filtered((q) => q.gt(q.mul(q.field("age"), 2), 100))).toEqual(["barbara"]);
    expect(await filtered((q) => q.eq(q.div(q.field("age"), 2), 14))).toEqual(["linus", "ken"]);
    expect(await filtered((q) => q.eq(q.mod(q.field("age"), 2), 1))).toEqual(["grace", "barbara", "margaret"]);
    expect(await filtered((q) => q.eq(q.neg(q.field("age")), -45))).toEqual(["grace"]);
    expect(await filtered((q) => q.eq(q.add(q.field("score"), 1n), 11n))).toEqual(["ada"]);
    expect(await filtered((q) => q.eq(q.div(q.field("score"), 2n), 3n))).toEqual(["grace"]);
    expect(await filtered((q) => q.eq(q.mod(q.field("score"), 5n), 2n))).toEqual(["grace", "margaret"]);
    expect(await filtered((q) => q.eq(q.neg(q.field("score")), -3n))).toEqual(["linus"]);
    // A missing operand gives a missing result rather than an error.
    expect(await filtered((q) => q.eq(q.add(q.field("score"), 1n), undefined))).toEqual(["barbara", "ken"]);
    const db = await people();
    await expect(db.read((tx) => tx.db.query("people").filter((q: any) => q.eq(q.add(q.field("name"), 1), 2)).collect())).rejects.toThrow(
      "filter: add needs two numbers or two int64s, got string and number",
    );
    await expect(db.read((tx) => tx.db.query("people").filter((q: any) => q.eq(q.add(q.field("age"), 1n), 2)).collect())).rejects.toThrow(
      "filter: add needs two numbers or two int64s, got number and int64",
    );
    await expect(db.read((tx) => tx.db.query("people").filter((q: any) => q.eq(q.div(q.field("score"), 0n), 2n)).first())).rejects.toThrow(
      /div of int64 by zero/,
    );
    await expect(db.read((tx) => tx.db.query("people").filter((q: any) => q.eq(q.field("age"), new Map())).first())).rejects.toThrow(
      /Map is not a supported value/,
    );
  });

  it("works together with an index range and order", async () => {
    const db = await people();
    const { result } = await db.read((tx) =>
      tx.db
        .query("people")
        .withIndex("by_city_age", (q) => q.eq("city", "london"))
        .order("desc")
        .filter((q) => q.neq(q.field("name"), "barbara"))
        .take(5),
    );
    expect(names(result)).toEqual(["ada", "margaret"]);
  });
});

describe("terminal calls", () => {
  it("take, first, unique and collect", async () => {
    const db = await people();
    const { result } = await db.read(async (tx) => ({
      take: names(await tx.db.query("people").take(2)),
      take0: await tx.db.query("people").take(0),
      first: (await tx.db.query("people").order("desc").first())?.name,
      none: await tx.db
        .query("people")
        .filter((q) => q.eq(q.field("age"), 99))
        .first(),
      unique: (await tx.db
        .query("people")
        .filter((q) => q.eq(q.field("name"), "ken"))
        .unique())?.name,
      uniqueNone: await tx.db
        .query("people")
        .withIndex("by_city_age", (q) => q.eq("city", "paris"))
        .unique(),
    }));
    expect(result).toEqual({ take: ["ada", "grace"], take0: [], first: "margaret", none: null, unique: "ken", uniqueNone: null });
  });

  it("unique() throws when more than one document matches", async () => {
    const db = await people();
    const error = await rejection(db.read((tx) => tx.db.query("people").withIndex("by_city_age", (q) => q.eq("city", "london")).unique()));
    expect(error.message).toMatch(/^unique\(\) found more than one document in table "people": people_\w+, people_\w+\.$/);
    await expect(db.read((tx) => tx.db.query("people").take(-1))).rejects.toThrow(/non-negative integer/);
  });

  it("iterates with for await across other awaits, fetching pages lazily", async () => {
    const db = await testDb();
    await seed(db, "items", Array.from({ length: 600 }, (_, i) => ({ i })));
    const { result, readSet } = await db.read(async (tx) => {
      const seen: number[] = [];
      for await (const doc of tx.db.query("items")) {
        seen.push(doc.i as number);
        if (seen.length % 100 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          // Another query on the same transaction between rows of the first.
          expect(await tx.db.query("items").order("desc").first()).toMatchObject({ i: 599 });
        }
        if (seen.length === 450) break;
      }
      return seen;
    });
    expect(result).toEqual(Array.from({ length: 450 }, (_, i) => i));
    expect(readSet.ranges.length).toBeGreaterThan(0);
  });

  it("a query value can be run more than once", async () => {
    const db = await people();
    const { result } = await db.read(async (tx) => {
      const query = tx.db.query("people").order("desc");
      return [(await query.first())?.name, (await query.take(2)).length, (await query.collect()).length];
    });
    expect(result).toEqual(["margaret", 2, 6]);
  });

  it("a mutation iterating a table while writing sees its own writes", async () => {
    const db = await testDb();
    await seed(db, "items", Array.from({ length: 300 }, (_, i) => ({ i })));
    const { result } = await db.write(async (tx) => {
      let count = 0;
      for await (const doc of tx.db.query("items")) {
        count++;
        if (doc.i === 0) {
          // Delete a document further along: the scan must not return it.
          const victim = await tx.db
            .query("items")
            .filter((q) => q.eq(q.field("i"), 5))
            .unique();
          await tx.db.delete(victim!._id as never);
        }
      }
      return count;
    });
    expect(result).toBe(299);
  });

  it("reads an empty result from a table that does not exist", async () => {
    const db = await testDb();
    const { result } = await db.read((tx) => tx.db.query("ghosts").collect());
    expect(result).toEqual([]);
    await expect(db.read((tx) => tx.db.query("bad name").collect())).rejects.toThrow(/Invalid table name/);
  });
});
