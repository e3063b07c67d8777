// validate() decides passing values with a check that allocates nothing and walks a refused value
// again to say where and why. The two must agree: every value below that the full walk refuses
// is refused (with its path), and every value it accepts is accepted - including the cases where
// a naive shortcut would differ (inherited fields, fields set to undefined, sparse arrays).

import { describe, expect, it } from "vitest";
import { matches, v, validate } from "syncline/values";
import { validateWithout } from "../../../src/values/validate.js";

const SYSTEM = new Set(["_id", "_creationTime"]);
const id = "users_0000000000aaaaaaaaaaaaaaaa";

describe("validate: the allocation-free pass and the full walk agree", () => {
  const message = v.object({ body: v.string(), tags: v.optional(v.array(v.string())), author: v.id("users"), meta: v.record(v.string(), v.number()) });
  const good = { body: "hi", author: id, meta: { a: 1 } };

  it("accepts what passes, with optional fields absent or set to undefined", () => {
    expect(validate(message, good)).toEqual([]);
    expect(validate(message, { ...good, tags: undefined, extra: undefined })).toEqual([]);
    expect(validate(message, { ...good, tags: ["a", "b"], meta: { a: 1, b: undefined } })).toEqual([]);
    expect(matches(message, good)).toBe(true);
  });

  it("refuses every kind of mismatch, naming its path", () => {
    const cases: [unknown, string][] = [
      [{ ...good, body: 1 }, "args.body"],
      [{ ...good, tags: ["a", 2] }, "args.tags[1]"],
      [{ ...good, author: "tasks_0000000000aaaaaaaaaaaaaaaa" }, "args.author"],
      [{ ...good, meta: { a: "x" } }, "args.meta.a"],
      [{ ...good, extra: 1 }, "args.extra"],
      [{ body: "hi", meta: {} }, "args.author"],
      [Object.assign(Object.create(null) as object, { ...good, body: null }), "args.body"],
    ];
    for (const [value, path] of cases) {
      expect(validate(message, value, "args").map((issue) => issue.path), JSON.stringify(value)).toContain(path);
      expect(matches(message, value)).toBe(false);
    }
  });

  it("does not take a field from the prototype for an own one", () => {
    const inherited = Object.create({ body: "from the prototype" }) as Record<string, unknown>;
    Object.assign(inherited, { author: id, meta: {} });
    // Not a plain object: refused as a whole, as the full walk does.
    expect(validate(message, inherited)).toHaveLength(1);
    expect(validate(v.object({ constructor: v.optional(v.string()) }), {})).toEqual([]);
  });

  it("accepts a sparse array's holes exactly as the full walk does", () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = ["a", , "c"];
    expect(validate(v.array(v.string()), sparse)).toEqual([]);
    expect(matches(v.array(v.string()), sparse)).toBe(true);
    expect(validate(v.array(v.string()), ["a", undefined])).toHaveLength(1);
  });

  it("unions: any member passing is enough; none passing names them all", () => {
    const shape = v.union(v.object({ kind: v.literal("a"), n: v.number() }), v.object({ kind: v.literal("b"), s: v.string() }));
    expect(validate(shape, { kind: "b", s: "x" })).toEqual([]);
    expect(validate(shape, { kind: "b", n: 1 })).toHaveLength(1);
    expect(validate(v.union(v.null(), v.int64()), 1n)).toEqual([]);
    expect(validate(v.union(v.null(), v.int64()), 1)).toHaveLength(1);
  });

  it("records check keys and values and skip undefined values", () => {
    const shape = v.record(v.id("users"), v.boolean());
    expect(validate(shape, { [id]: true, other: undefined })).toEqual([]);
    expect(validate(shape, { notAnId: true }).map((issue) => issue.message)).toEqual(['key "notAnId" does not match the record\'s key validator']);
  });
});

describe("validateWithout: a stored document against its table's validator", () => {
  const table = v.object({ body: v.string() });

  it("leaves _id and _creationTime out without copying the document", () => {
    expect(validateWithout(table, { _id: id, _creationTime: 1, body: "hi" }, SYSTEM, "")).toEqual([]);
    expect(validateWithout(v.union(table, v.object({ n: v.number() })), { _id: id, _creationTime: 1, n: 1 }, SYSTEM, "")).toEqual([]);
  });

  it("reports the document's own problems as validate does on the copy without them", () => {
    const document = { _id: id, _creationTime: 1, body: 2, extra: true };
    expect(validateWithout(table, document, SYSTEM, "")).toEqual(validate(table, { body: 2, extra: true }, ""));
    expect(validateWithout(table, document, SYSTEM, "").map((issue) => issue.path)).toEqual(["body", "extra"]);
  });

  it("reports a refused document's own __proto__ field as a field, not as its prototype", () => {
    const document = JSON.parse('{"_id": "x", "_creationTime": 1, "body": "hi", "__proto__": {"body": 1}}') as Record<string, unknown>;
    expect(validateWithout(table, document, SYSTEM, "").map((issue) => issue.path)).toEqual(["__proto__"]);
  });

  it("treats a left-out field as absent even when the validator asks for it", () => {
    const asks = v.object({ _id: v.string(), body: v.string() });
    expect(validateWithout(asks, { _id: id, body: "hi" }, SYSTEM, "")).toEqual(validate(asks, { body: "hi" }, ""));
    expect(validateWithout(asks, { _id: id, body: "hi" }, SYSTEM, "")).toHaveLength(1);
  });
});
