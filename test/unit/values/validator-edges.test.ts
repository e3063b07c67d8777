// Validator behaviour the other tests do not pin down.

import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, v, validate } from "syncline/values";

describe("validators: edges", () => {
  it("v.number accepts NaN, ±Infinity and -0 (all IEEE-754 doubles are Float64 values)", () => {
    for (const n of [NaN, Infinity, -Infinity, -0, Number.MIN_VALUE]) expect(validate(v.number(), n)).toEqual([]);
  });

  it("v.bytes refuses typed arrays and Buffers, naming their type", () => {
    expect(validate(v.bytes(), new Uint8Array([1]), "args.b")).toEqual([{ path: "args.b", message: "expected bytes (ArrayBuffer), got Uint8Array" }]);
    expect(validate(v.bytes(), Buffer.from([1]))[0]?.message).toBe("expected bytes (ArrayBuffer), got Buffer");
  });

  it("v.union names every member, literals included, in its message", () => {
    expect(validate(v.union(v.literal(1n), v.literal(true), v.literal("a"), v.id("users"), v.array(v.string())), 1, "args.x")).toEqual([
      { path: "args.x", message: 'expected 1n | true | "a" | id("users") | string[], got number' },
    ]);
  });

  it("v.literal(1n) refuses the number 1 and v.literal(1) the bigint 1n", () => {
    expect(validate(v.literal(1n), 1)).toHaveLength(1);
    expect(validate(v.literal(1), 1n)).toHaveLength(1);
  });

  it("v.id refuses ids of another table, garbage and non-strings", () => {
    for (const bad of ["tasks_0000000000000000000000000a", "users_", "users_0000000000000000000000000", "", 1, null]) {
      expect(validate(v.id("users"), bad), String(bad)).toHaveLength(1);
    }
  });

  it("v.record reports keys refused by its key validator and bad values, each at its path", () => {
    const issues = validate(v.record(v.id("users"), v.boolean()), { nope: true, "odd key": 1 }, "args.m");
    expect(issues).toEqual([
      { path: "args.m.nope", message: 'key "nope" does not match the record\'s key validator' },
      { path: 'args.m["odd key"]', message: 'key "odd key" does not match the record\'s key validator' },
      { path: 'args.m["odd key"]', message: "expected boolean, got number" },
    ]);
  });

  it("the object validator ignores fields set to undefined, as the encoding drops them", () => {
    expect(validate(v.object({ a: v.string() }), { a: "x", extra: undefined })).toEqual([]);
    expect(encodeValue({ a: "x", extra: undefined })).toEqual({ a: "x" });
  });

  it("a value decoded from the wire passes the validator that accepted the original", () => {
    const validator = v.object({ n: v.int64(), f: v.number(), b: v.bytes(), l: v.array(v.union(v.null(), v.literal(-1n))) });
    const original = { n: -(2n ** 63n), f: -0, b: new Uint8Array([1, 2]).buffer, l: [null, -1n] };
    expect(validate(validator, original)).toEqual([]);
    expect(validate(validator, decodeValue(JSON.parse(JSON.stringify(encodeValue(original)))))).toEqual([]);
  });
});
