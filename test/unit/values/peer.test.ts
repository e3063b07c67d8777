// Cross-check with the official peer (`convex/values`): for thousands of random values both
// encoders produce the same JSON and both decoders give back the same value.
//
// Known differences (not generated here, see the deterministic tests at the bottom):
// - Syncline refuses empty field names and enforces the limits of protocol.md §11.2; the Convex
//   client leaves those to its server.
// - Convex mishandles a field named `__proto__` (it becomes the prototype); Syncline keeps it.
// - Convex's decoder refuses `$float` holding an ordinary float; Syncline decodes any 8-byte float.

import fc from "fast-check";
import { convexToJson, jsonToConvex, type Value as ConvexValue } from "convex/values";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, type JSONValue, type Value } from "syncline/values";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---- generator --------------------------------------------------------------------------------

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const fieldName = fc.oneof(
  fc.string({ unit: printable, minLength: 1, maxLength: 10 }),
  fc.constantFrom("a", "b", "_id", "_creationTime", "A", "z", "~", " ", "a$", "0", "2", "10", "constructor", "toString"),
).filter((name) => !name.startsWith("$") && name !== "__proto__");

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const float = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53, 0.1),
  fc.integer().map((n) => n),
);
const int64 = fc.oneof(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n, 1n));
const string = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.string({ unit: "binary", maxLength: 16 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: fc.oneof(printable, loneSurrogate), maxLength: 8 }),
);
const bytes = fc.uint8Array({ maxLength: 40 }).map((array) => array.slice().buffer);

const leaf: fc.Arbitrary<Value> = fc.oneof(fc.constant(null), fc.boolean(), float, int64, string, bytes);

const { value } = fc.letrec<{ value: Value; array: Value[]; object: Record<string, Value | undefined> }>((tie) => ({
  value: fc.oneof({ depthSize: "small", maxDepth: 5 }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 6 }),
  object: fc.dictionary(fieldName, fc.oneof({ weight: 6, arbitrary: tie("value") }, { weight: 1, arbitrary: fc.constant(undefined) }), {
    maxKeys: 6,
  }),
}));

// ---- equality ---------------------------------------------------------------------------------

/** Value equality: bytes by content, NaN equals NaN, -0 differs from 0, undefined fields are absent. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Object.is(a, b);
  if (typeof a !== "object" || a === null || b === null) return a === b;
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    if (!(a instanceof ArrayBuffer && b instanceof ArrayBuffer) || a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a), y = new Uint8Array(b);
    return x.every((byte, i) => byte === y[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((element, i) => sameValue(element, b[i]));
  }
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined).sort();
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(ra[k], rb[k]));
}

/** JSON equality regardless of key order. */
function sameJSON(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a !== "object" || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((element, i) => sameJSON(element, b[i]));
  }
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).sort(), kb = Object.keys(rb).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJSON(ra[k], rb[k]));
}

const INDEX_KEY = /^(0|[1-9][0-9]*)$/;
const isIndexKey = (key: string) => INDEX_KEY.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * True when every object in `json` lists its keys in sorted order. JavaScript always lists
 * array-index keys ("0", "17") first in numeric order, whatever the insertion order, so no
 * encoder can sort those: the rest must be sorted and come after them.
 */
function keysSorted(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return true;
  if (Array.isArray(json)) return json.every(keysSorted);
  const keys = Object.keys(json);
  const indexes = keys.filter(isIndexKey);
  const names = keys.slice(indexes.length);
  const ordered =
    indexes.every((k, i) => i === 0 || Number(indexes[i - 1]) < Number(k)) &&
    names.every((k, i) => !isIndexKey(k) && (i === 0 || names[i - 1]! < k));
  return ordered && Object.values(json).every(keysSorted);
}

/** The same value built with every object's keys inserted in reverse order. */
function reversedInsertion(value: Value): Value {
  if (Array.isArray(value)) return value.map(reversedInsertion);
  if (typeof value !== "object" || value === null || value instanceof ArrayBuffer) return value;
  const out: Record<string, Value | undefined> = {};
  for (const key of Object.keys(value).reverse()) out[key] = value[key] === undefined ? undefined : reversedInsertion(value[key]!);
  return out;
}

it("sameValue tells apart what the protocol tells apart", () => {
  expect(sameValue(NaN, NaN)).toBe(true);
  expect(sameValue(0, -0)).toBe(false);
  expect(sameValue(1n, 1)).toBe(false);
  expect(sameValue(new Uint8Array([1]).buffer, new Uint8Array([1]).buffer)).toBe(true);
  expect(sameValue(new Uint8Array([1]).buffer, new Uint8Array([2]).buffer)).toBe(false);
  expect(sameValue(new Uint8Array([1]).buffer, [1])).toBe(false);
  expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  expect(sameValue([1, [2]], [1, [2]])).toBe(true);
  expect(sameValue([], {})).toBe(false);
  expect(sameJSON({ a: 1, b: [2] }, { b: [2], a: 1 })).toBe(true);
  expect(sameJSON({ a: 1 }, { a: "1" })).toBe(false);
  expect(keysSorted({ a: 1, b: { c: 1, d: 2 } })).toBe(true);
  expect(keysSorted({ a: 1, b: [{ d: 1, c: 2 }] })).toBe(false);
  expect(keysSorted({ b: 1, 10: 1, 2: 1, a: 1 })).toBe(false);
  expect(keysSorted({ 2: 1, 10: 1, a: 1, b: 1 })).toBe(true);
});

// ---- the cross-check --------------------------------------------------------------------------

describe("agreement with convex/values", () => {
  it("encodes like convexToJson, with sorted keys, and both decoders give the value back", () => {
    fc.assert(
      fc.property(value, (original) => {
        const ours = encodeValue(original);
        const theirs = convexToJson(original as ConvexValue) as JSONValue;
        expect(sameJSON(ours, theirs)).toBe(true);
        expect(keysSorted(ours)).toBe(true);
        expect(JSON.stringify(encodeValue(reversedInsertion(original)))).toBe(JSON.stringify(ours));

        const wire = JSON.parse(JSON.stringify(ours)) as JSONValue;
        const decodings = [
          decodeValue(ours),
          decodeValue(theirs),
          decodeValue(wire),
          jsonToConvex(ours as never),
          jsonToConvex(theirs as never),
          jsonToConvex(wire as never),
        ];
        for (const decoded of decodings) expect(sameValue(decoded, original)).toBe(true);
        expect(JSON.stringify(encodeValue(decodeValue(wire)))).toBe(JSON.stringify(ours));
      }),
      { numRuns: 4000 },
    );
  });

  it("refuses the same non-values", () => {
    class Point {
      x = 1;
    }
    const bad: unknown[] = [
      undefined,
      [1, undefined],
      { a: new Date(0) },
      { a: new Map() },
      { a: new Set() },
      { a: new Point() },
      { a: () => 1 },
      2n ** 63n,
      [-(2n ** 63n) - 1n],
      { $a: 1 },
      { "a\nb": 1 },
      { "é": 1 },
      { ["x".repeat(1025)]: 1 },
    ];
    for (const value of bad) {
      expect(() => encodeValue(value as Value)).toThrow();
      expect(() => convexToJson(value as ConvexValue)).toThrow();
    }
    for (const json of <unknown[]>[{ $foo: 1 }, { a: { $set: [] } }, { $integer: "AQAAAA==" }, { $float: "AAAA" }, { "a\u0000": 1 }]) {
      expect(() => decodeValue(json as JSONValue)).toThrow();
      expect(() => jsonToConvex(json as never)).toThrow();
    }
  });

  it("documents where the peer differs", () => {
    // Empty field names: refused here (protocol.md §11.2), let through by the Convex client.
    expect(() => encodeValue({ "": 1 })).toThrow(/must not be empty/);
    expect(convexToJson({ "": 1 })).toEqual({ "": 1 });
    // `$float` holding an ordinary float: decoded here, refused by Convex.
    const onePointFive = { $float: Buffer.from(new Float64Array([1.5]).buffer).toString("base64") };
    expect(decodeValue(onePointFive)).toBe(1.5);
    expect(() => jsonToConvex(onePointFive)).toThrow(/should be encoded as a number/);
    // A `__proto__` field: kept here; the Convex decoder turns it into the prototype.
    const wire = JSON.parse('{"__proto__": {"a": 1}}') as JSONValue;
    expect(Object.keys(decodeValue(wire) as object)).toEqual(["__proto__"]);
    expect(Object.keys(jsonToConvex(wire as never) as object)).toEqual([]);
  });
});
