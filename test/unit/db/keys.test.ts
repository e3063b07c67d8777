// Index keys: byte order must equal compareValues order, for single values and for tuples.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareValues, type Value } from "../../../src/values/index.js";
import { compareKeys, encodeKey, encodeValueKey, keySuccessor, prefixEnd, splitKey } from "../../../src/server/db/keys.js";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
// Strings stress the escaping and the surrogate rules: NUL, surrogates, astral characters.
const tricky = fc.constantFrom("\u0000", "\u0001", "\uffff", "\ud800", "\udbff", "\udc00", "\udfff", "\ud83d\ude00", "a", "", "\u00ff", "\u07ff");
const text = fc.oneof(
  fc.string({ unit: anyUnit, maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
  fc.array(tricky, { maxLength: 4 }).map((parts) => parts.join("")),
);
const float = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, 1, -1),
);
const int = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0n, -1n, 1n, -(2n ** 63n), 2n ** 63n - 1n));
const bytes = fc.uint8Array({ maxLength: 5 }).map((a) => a.slice().buffer as ArrayBuffer);

const { value } = fc.letrec<{ value: Value | undefined; leaf: Value | undefined }>((tie) => ({
  leaf: fc.oneof(fc.constant(undefined), fc.constant(null), int, float, fc.boolean(), text, bytes),
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.array(tie("value").filter((v) => v !== undefined), { maxLength: 3 }) as fc.Arbitrary<Value>,
    fc.dictionary(fc.oneof(text, fc.constantFrom("a", "b", "c")), tie("value"), { maxKeys: 3 }) as fc.Arbitrary<Value>,
  ),
}));

// A tiny universe where near-collisions are common: escapes next to terminators and tags, lone
// surrogates next to the pairs that start with them.
const smallUnits = fc.constantFrom("\u0000", "\u0001", "\u0002", "a", "\uffff", "\ud800", "\udbff", "\udc00", "\udfff", "\ud801", "\ud7ff", "\ue000");
const smallText = fc.array(smallUnits, { maxLength: 4 }).map((parts) => parts.join(""));
const smallBytes = fc.array(fc.constantFrom(0, 1, 2, 255), { maxLength: 4 }).map((a) => new Uint8Array(a).buffer as ArrayBuffer);
const { small } = fc.letrec<{ small: Value | undefined; smallLeaf: Value | undefined }>((tie) => ({
  smallLeaf: fc.oneof(fc.constant(undefined), fc.constant(null), fc.constantFrom(0n, 1n, 0, -0, NaN), fc.boolean(), smallText, smallBytes),
  small: fc.oneof(
    { depthSize: "small" },
    tie("smallLeaf"),
    fc.array(tie("small").filter((v) => v !== undefined), { maxLength: 3 }) as fc.Arbitrary<Value>,
    fc.dictionary(fc.constantFrom("a", "b", "\u0000", ""), tie("small"), { maxKeys: 2 }) as fc.Arbitrary<Value>,
  ),
}));

describe("encodeKey", () => {
  it("orders a small universe of near-collisions like compareValues (values and pairs)", () => {
    fc.assert(
      fc.property(small, small, small, small, (a, b, c, d) => {
        expect(sign(compareKeys(encodeValueKey(a), encodeValueKey(b)))).toBe(sign(compareValues(a, b)));
        const expected = sign(compareValues(a, c)) || sign(compareValues(b, d));
        expect(sign(compareKeys(encodeKey([a, b]), encodeKey([c, d])))).toBe(expected);
      }),
      { numRuns: 30_000 },
    );
  });

  it("orders single values exactly like compareValues", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sign(compareKeys(encodeValueKey(a), encodeValueKey(b)))).toBe(sign(compareValues(a, b)));
      }),
      { numRuns: 20_000 },
    );
  });

  it("orders tuples element by element", () => {
    const tuple = fc.array(value, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        // Index keys within one index always have the same arity; compare equal-length tuples.
        const n = Math.min(a.length, b.length);
        const ta = a.slice(0, n);
        const tb = b.slice(0, n);
        let expected = 0;
        for (let i = 0; i < n && expected === 0; i++) expected = sign(compareValues(ta[i], tb[i]));
        expect(sign(compareKeys(encodeKey(ta), encodeKey(tb)))).toBe(expected);
      }),
      { numRuns: 10_000 },
    );
  });

  it("keeps every key with a prefix inside [prefix, prefixEnd(prefix))", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 2 }), fc.array(value, { minLength: 1, maxLength: 2 }), (prefix, rest) => {
        const p = encodeKey(prefix);
        const k = encodeKey([...prefix, ...rest]);
        expect(compareKeys(p, k)).toBeLessThanOrEqual(0);
        expect(compareKeys(k, prefixEnd(p))).toBeLessThan(0);
        expect(compareKeys(k, keySuccessor(k))).toBeLessThan(0);
      }),
      { numRuns: 5_000 },
    );
  });

  it("orders the doc's examples of the value order", () => {
    const ordered: (Value | undefined)[] = [
      undefined,
      null,
      -(2n ** 63n),
      -1n,
      0n,
      2n ** 63n - 1n,
      -Infinity,
      -1,
      -0,
      0,
      Number.MIN_VALUE,
      Infinity,
      NaN,
      false,
      true,
      "",
      "\u0000",
      "a",
      "a\u0000",
      "ab",
      "\uffff",
      "\uffff\udc00",
      "\ud800",
      "\ud800\udc00",
      "\ud800\udfff",
      "\ud800\udfff\udc00",
      "\ud801",
      "\ud83d\ude00",
      "\udbff\udfff",
      "\udc00",
      "\udfff",
      new Uint8Array([]).buffer,
      new Uint8Array([0]).buffer,
      new Uint8Array([0, 0]).buffer,
      new Uint8Array([1]).buffer,
      [],
      [undefined as unknown as Value],
      [null],
      [1n, 2n],
      [2n],
      {},
      { a: 1 },
      { a: 1, b: 1 },
      { a: 2 },
      { b: 0 },
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareValues(ordered[i], ordered[i + 1])).toBeLessThan(0);
      expect(compareKeys(encodeValueKey(ordered[i]), encodeValueKey(ordered[i + 1]))).toBeLessThan(0);
    }
  });

  it("treats every NaN as one value and ignores undefined object fields", () => {
    const otherNaN = new Float64Array(new Uint32Array([1, 0xfff80000]).buffer)[0]!;
    expect(encodeValueKey(otherNaN)).toEqual(encodeValueKey(NaN));
    expect(encodeValueKey({ a: 1, b: undefined })).toEqual(encodeValueKey({ a: 1 }));
  });

  it("refuses things that are not values", () => {
    expect(() => encodeKey([new Date() as unknown as Value])).toThrow(/Date is not a value/);
    expect(() => encodeKey([2n ** 64n])).toThrow(/does not fit in an int64/);
  });
});

describe("splitKey", () => {
  it("gives back each element's own encoding, for any tuple of values", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(value, small), { maxLength: 4 }), (values) => {
        expect(splitKey(encodeKey(values)).map((part) => [...part])).toEqual(values.map((element) => [...encodeValueKey(element)]));
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a key cut inside an element", () => {
    const key = encodeKey(["ab\u0000c", 1]);
    expect(() => splitKey(key.subarray(0, 3))).toThrow("unterminated element");
  });
});
