// `v` validators: every builder accepting and refusing, `validate` reporting every problem with
// its path, `.json` descriptions, isValidator and asObjectValidator.

import { describe, expect, it } from "vitest";
import {
  asObjectValidator,
  isValidator,
  matches,
  v,
  validate,
  type GenericValidator,
  type ValidationIssue,
} from "syncline/values";
import { newId } from "../../../src/values/id.js";

const bytes = (...values: number[]): ArrayBuffer => new Uint8Array(values).buffer;
const byPath = (issues: ValidationIssue[]) => [...issues].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/** `validator` accepts every one of `good` and refuses every one of `bad` (with exactly one issue at the root). */
function expectAccepts(validator: GenericValidator, good: unknown[], bad: unknown[]): void {
  for (const value of good) {
    expect(validate(validator, value), `should accept ${String(value)}`).toEqual([]);
    expect(matches(validator, value)).toBe(true);
  }
  for (const value of bad) {
    const issues = validate(validator, value);
    expect(issues, `should refuse ${String(value)}`).toHaveLength(1);
    expect(issues[0]!.path).toBe("value");
    expect(matches(validator, value)).toBe(false);
  }
}

describe("scalar builders", () => {
  it("v.null", () => {
    expectAccepts(v.null(), [null], [undefined, 0, "", false, {}]);
    expect(validate(v.null(), undefined)).toEqual([{ path: "value", message: "expected null, got undefined" }]);
  });

  it("v.number and v.float64 accept any JS number", () => {
    for (const validator of [v.number(), v.float64()]) {
      expectAccepts(validator, [0, -0, 1.5, NaN, Infinity, -Infinity], [1n, "1", null, true]);
    }
    expect(validate(v.number(), 1n)).toEqual([{ path: "value", message: "expected number, got int64" }]);
  });

  it("v.int64 accepts bigints only", () => {
    expectAccepts(v.int64(), [0n, -1n, 2n ** 63n - 1n], [1, "1", null]);
    expect(validate(v.int64(), 1)).toEqual([{ path: "value", message: "expected int64 (bigint), got number" }]);
  });

  it("v.boolean", () => {
    expectAccepts(v.boolean(), [true, false], [0, "true", null]);
  });

  it("v.string", () => {
    expectAccepts(v.string(), ["", "x", "😀"], [1, null, ["x"], new String("x")]);
    expect(validate(v.string(), new String("x"))).toEqual([{ path: "value", message: "expected string, got String" }]);
  });

  it("v.bytes accepts ArrayBuffers only", () => {
    expectAccepts(v.bytes(), [bytes(), bytes(1, 2)], [new Uint8Array([1]), "AQ==", [1]]);
    expect(validate(v.bytes(), new Uint8Array([1]))).toEqual([
      { path: "value", message: "expected bytes (ArrayBuffer), got Uint8Array" },
    ]);
  });

  it("v.any accepts every value but undefined", () => {
    expectAccepts(v.any(), [null, 0, 1n, "", bytes(), [], {}, { a: [1] }], [undefined]);
  });

  it("v.id accepts ids of its table only", () => {
    const tasks = v.id("tasks");
    expectAccepts(tasks, [newId("tasks"), newId("tasks")], [newId("users"), newId("task"), newId("my_tasks"), "tasks_123", 5, null]);
    expect(validate(tasks, newId("users"))).toEqual([{ path: "value", message: 'expected an id of table "tasks", got string' }]);
    expectAccepts(v.id("my_table"), [newId("my_table")], [newId("table"), newId("tasks")]);
  });
});

describe("v.literal", () => {
  it("accepts exactly its value", () => {
    expectAccepts(v.literal("a"), ["a"], ["b", "A", 1, null]);
    expectAccepts(v.literal(3), [3], [4, "3", 3n]);
    expectAccepts(v.literal(true), [true], [false, 1]);
    expect(validate(v.literal("a"), "b")).toEqual([{ path: "value", message: 'expected "a", got string' }]);
  });

  it("supports bigint literals", () => {
    expectAccepts(v.literal(5n), [5n], [5, 6n, "5"]);
    expect(validate(v.literal(5n), 5)).toEqual([{ path: "value", message: "expected 5n, got number" }]);
  });
});

describe("container builders", () => {
  it("v.array checks every element", () => {
    expectAccepts(v.array(v.number()), [[], [1, 2, 3]], [{}, "[]", null]);
    expect(validate(v.array(v.number()), [1, "x", 3, "y"], "args")).toEqual([
      { path: "args[1]", message: "expected number, got string" },
      { path: "args[3]", message: "expected number, got string" },
    ]);
  });

  it("v.object needs required fields, allows optional ones to be missing and refuses unknown ones", () => {
    const validator = v.object({ name: v.string(), note: v.optional(v.string()) });
    expectAccepts(validator, [{ name: "a" }, { name: "a", note: "b" }, { name: "a", note: undefined }], [null, [], "x", new Date(0)]);
    expect(validate(validator, {})).toEqual([{ path: "value.name", message: "missing required field" }]);
    expect(validate(validator, { name: undefined })).toEqual([{ path: "value.name", message: "missing required field" }]);
    expect(validate(validator, { name: "a", extra: 1 })).toEqual([{ path: "value.extra", message: 'unexpected field "extra"' }]);
    expect(validate(validator, { name: "a", note: 1 })).toEqual([{ path: "value.note", message: "expected string, got number" }]);
    expect(validate(validator, { name: "a", extra: undefined })).toEqual([]);
  });

  it("v.object refuses class instances", () => {
    class Named {
      name = "a";
    }
    expect(validate(v.object({ name: v.string() }), new Named())).toEqual([{ path: "value", message: "expected object, got Named" }]);
  });

  it("v.object does not see fields inherited from Object.prototype", () => {
    expect(validate(v.object({ constructor: v.optional(v.string()) }), {})).toEqual([]);
    expect(validate(v.object({ toString: v.string() }), {})).toEqual([{ path: "value.toString", message: "missing required field" }]);
    expect(validate(v.object({ a: v.string() }), { a: "x", constructor: 1 })).toEqual([
      { path: "value.constructor", message: 'unexpected field "constructor"' },
    ]);
    expect(validate(v.object({ a: v.string() }), JSON.parse('{"a": "x", "__proto__": 1}'))).toEqual([
      { path: "value.__proto__", message: 'unexpected field "__proto__"' },
    ]);
  });

  it("v.record checks every key and value", () => {
    const validator = v.record(v.string(), v.number());
    expectAccepts(validator, [{}, { a: 1, "odd key": 2 }, { a: 1, b: undefined }], [null, [], new Map()]);
    expect(validate(validator, { a: 1, b: "x", "odd key": true })).toEqual([
      { path: "value.b", message: "expected number, got string" },
      { path: 'value["odd key"]', message: "expected number, got boolean" },
    ]);
    const byId = v.record(v.id("users"), v.boolean());
    const user = newId("users");
    expect(validate(byId, { [user]: true })).toEqual([]);
    expect(validate(byId, { x: true })).toEqual([{ path: "value.x", message: 'key "x" does not match the record\'s key validator' }]);
  });

  it("v.union accepts any member", () => {
    const validator = v.union(v.string(), v.number());
    expectAccepts(validator, ["a", 1], [true, null, 1n]);
    expect(validate(validator, true)).toEqual([{ path: "value", message: "expected string | number, got boolean" }]);
    const described = v.union(v.literal("a"), v.literal(2n), v.id("tasks"), v.array(v.string()));
    expect(validate(described, 3)).toEqual([{ path: "value", message: 'expected "a" | 2n | id("tasks") | string[], got number' }]);
  });

  it("v.union of objects picks whichever member fits", () => {
    const validator = v.union(v.object({ kind: v.literal("a"), n: v.number() }), v.object({ kind: v.literal("b"), s: v.string() }));
    expectAccepts(validator, [{ kind: "a", n: 1 }, { kind: "b", s: "x" }], [{ kind: "a", s: "x" }, { kind: "c" }]);
  });

  it("v.optional marks a field as optional and keeps the inner check", () => {
    const inner = v.string();
    const optional = v.optional(inner);
    expect(optional.isOptional).toBe("optional");
    expect(inner.isOptional).toBe("required");
    expect(optional.shape).toEqual(inner.shape);
    expect(validate(v.object({ a: optional }), { a: 1 })).toEqual([{ path: "value.a", message: "expected string, got number" }]);
  });

  it(".optional() on any validator is v.optional of it", () => {
    const inner = v.object({ n: v.int64() });
    const optional = inner.optional();
    expect(optional.isOptional).toBe("optional");
    expect(optional.shape).toBe(inner.shape);
    expect(inner.isOptional).toBe("required");
    const args = v.object({ a: v.string().optional(), b: inner.optional() });
    expect(validate(args, {})).toEqual([]);
    expect(validate(args, { a: 1 })).toEqual([{ path: "value.a", message: "expected string, got number" }]);
    expect(args.json).toEqual(v.object({ a: v.optional(v.string()), b: v.optional(inner) }).json);
  });

  it("v.nullable accepts the inner type or null", () => {
    const validator = v.nullable(v.string());
    expectAccepts(validator, ["x", null], [undefined, 1]);
    expect(validate(validator, 1)).toEqual([{ path: "value", message: "expected string | null, got number" }]);
  });
});

describe("validate reports every problem with its path", () => {
  it("collects problems from nested objects and arrays at once", () => {
    const validator = v.object({
      user: v.object({ name: v.string(), age: v.number(), nick: v.optional(v.string()) }),
      tags: v.array(v.string()),
      items: v.array(v.object({ due: v.int64(), done: v.optional(v.boolean()) })),
      owner: v.id("users"),
    });
    const issues = validate(
      validator,
      {
        user: { name: 1, age: "x", extra: true },
        tags: ["ok", 2, "ok", null],
        items: [{ due: 1n }, { due: 3, done: "no" }, {}],
        owner: newId("tasks"),
        bogus: 1,
      },
      "args",
    );
    expect(byPath(issues)).toEqual(
      byPath([
        { path: "args.user.name", message: "expected string, got number" },
        { path: "args.user.age", message: "expected number, got string" },
        { path: "args.user.extra", message: 'unexpected field "extra"' },
        { path: "args.tags[1]", message: "expected string, got number" },
        { path: "args.tags[3]", message: "expected string, got null" },
        { path: "args.items[1].due", message: "expected int64 (bigint), got number" },
        { path: "args.items[1].done", message: "expected boolean, got string" },
        { path: "args.items[2].due", message: "missing required field" },
        { path: "args.owner", message: 'expected an id of table "users", got string' },
        { path: "args.bogus", message: 'unexpected field "bogus"' },
      ]),
    );
    expect(issues).toHaveLength(10);
  });

  it("returns nothing for a valid value and uses `value` as the default root", () => {
    const validator = v.object({ a: v.array(v.object({ b: v.nullable(v.bytes()) })) });
    expect(validate(validator, { a: [{ b: null }, { b: bytes(1) }] })).toEqual([]);
    expect(validate(validator, { a: [{ b: 1 }] })[0]!.path).toBe("value.a[0].b");
  });
});

describe(".json", () => {
  it("describes a nested validator exactly", () => {
    const validator = v.object({
      title: v.string(),
      owner: v.id("users"),
      tags: v.optional(v.array(v.union(v.literal("x"), v.literal(2n), v.literal(1.5), v.literal(false), v.null()))),
      meta: v.record(v.string(), v.any()),
      blob: v.nullable(v.bytes()),
      count: v.int64(),
      score: v.float64(),
      n: v.number(),
      ok: v.boolean(),
    });
    expect(validator.json).toEqual({
      type: "object",
      fields: {
        blob: { type: { type: "union", members: [{ type: "bytes" }, { type: "null" }] }, optional: false },
        count: { type: { type: "int64" }, optional: false },
        meta: { type: { type: "record", keys: { type: "string" }, values: { type: "any" } }, optional: false },
        n: { type: { type: "number" }, optional: false },
        ok: { type: { type: "boolean" }, optional: false },
        owner: { type: { type: "id", tableName: "users" }, optional: false },
        score: { type: { type: "number" }, optional: false },
        tags: {
          type: {
            type: "array",
            element: {
              type: "union",
              members: [
                { type: "literal", value: "x" },
                { type: "literal", value: { $integer: "AgAAAAAAAAA=" } },
                { type: "literal", value: 1.5 },
                { type: "literal", value: false },
                { type: "null" },
              ],
            },
          },
          optional: true,
        },
        title: { type: { type: "string" }, optional: false },
      },
    });
    // Fields come out sorted, so the JSON text is stable.
    expect(Object.keys((validator.json as { fields: object }).fields)).toEqual(["blob", "count", "meta", "n", "ok", "owner", "score", "tags", "title"]);
    expect(JSON.parse(JSON.stringify(validator.json))).toEqual(validator.json);
  });
});

describe("isValidator and asObjectValidator", () => {
  it("recognises validators, including plain-data ones from another copy", () => {
    expect(isValidator(v.string())).toBe(true);
    expect(isValidator(v.optional(v.object({})))).toBe(true);
    expect(isValidator({ shape: { kind: "string" }, isOptional: "required" })).toBe(true);
    for (const notOne of [null, undefined, "string", {}, { a: v.string() }, { shape: { kind: 1 }, isOptional: "required" }, { shape: { kind: "string" }, isOptional: "maybe" }, { shape: null, isOptional: "optional" }]) {
      expect(isValidator(notOne)).toBe(false);
    }
  });

  it("turns field validators into an object validator and leaves validators alone", () => {
    const fields = { a: v.string(), b: v.optional(v.number()) };
    const fromFields = asObjectValidator(fields);
    expect(fromFields.shape).toEqual({ kind: "object", fields });
    expect(fromFields.isOptional).toBe("required");
    expect(validate(fromFields, { a: "x" })).toEqual([]);
    expect(validate(fromFields, { a: 1, c: 2 })).toHaveLength(2);
    const object = v.object(fields);
    expect(asObjectValidator(object)).toBe(object);
    expect(asObjectValidator({})).toMatchObject({ shape: { kind: "object", fields: {} } });
  });
});
