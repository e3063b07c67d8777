// The total order of values (design.md "Value order"): undefined < null < int64 < float64 <
// boolean < string < bytes < array < object; strings by UTF-8 bytes; the rest element by element.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareValues, encodeValue, type Value } from "syncline/values";

const bytes = (...values: number[]): ArrayBuffer => new Uint8Array(values).buffer;
const sign = (n: number) => Math.sign(n) + 0; // + 0 turns -0 into 0

/** Asserts that `values` is strictly increasing, checking every pair both ways. */
function expectStrictlyIncreasing(values: readonly (Value | undefined)[]): void {
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      const expected = sign(i - j);
      const label = `compare(#${i}, #${j})`;
      expect(sign(compareValues(values[i], values[j])), label).toBe(expected);
    }
  }
}

describe("compareValues: across types", () => {
  it("orders undefined < null < int64 < float64 < boolean < string < bytes < array < object", () => {
    expectStrictlyIncreasing([undefined, null, 5n, -5, false, "", bytes(), [], {}]);
  });

  it("orders by type before magnitude", () => {
    expectStrictlyIncreasing([null, 2n ** 62n, -Infinity, NaN, false, true, "", "\u0000", bytes(), bytes(255), [], [null], {}]);
    expect(compareValues(100n, -1)).toBeLessThan(0);
    expect(compareValues(1, 1n)).toBeGreaterThan(0);
    expect(compareValues(true, "")).toBeLessThan(0);
    expect(compareValues("zzz", bytes())).toBeLessThan(0);
    expect(compareValues(bytes(255, 255), [])).toBeLessThan(0);
    expect(compareValues([{}], {})).toBeLessThan(0);
  });

  it("sorts a mixed list", () => {
    const list: Value[] = [{ a: 1 }, "b", 3, [1], null, true, 2n, bytes(1), "a", -1, false, 1n];
    expect(list.sort(compareValues)).toEqual([null, 1n, 2n, -1, 3, false, true, "a", "b", bytes(1), [1], { a: 1 }]);
  });
});

describe("compareValues: within a type", () => {
  it("orders int64 numerically", () => {
    expectStrictlyIncreasing([-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n]);
  });

  it("orders floats with -Infinity < -0 < 0 < Infinity < NaN", () => {
    expectStrictlyIncreasing([-Infinity, -Number.MAX_VALUE, -1, -Number.MIN_VALUE, -0, 0, Number.MIN_VALUE, 1, 1.5, Number.MAX_VALUE, Infinity, NaN]);
    expect(compareValues(NaN, NaN)).toBe(0);
    expect(compareValues(-0, -0)).toBe(0);
    expect(compareValues(0, 0)).toBe(0);
    expect(compareValues(0.1 + 0.2, 0.3)).toBeGreaterThan(0);
  });

  it("orders false < true", () => {
    expectStrictlyIncreasing([false, true]);
  });

  it("orders strings by UTF-8 bytes, not UTF-16 units", () => {
    expectStrictlyIncreasing(["", "A", "Z", "a", "aa", "ab", "b", "é", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF", "𝄞", "😀", "😀a"]);
    // UTF-16 code units would put the surrogate pair (0xD83D...) before 0xE000 and 0xFFFD.
    expect(compareValues("\uFFFD", "😀")).toBeLessThan(0);
    expect(compareValues("😀", "\uE000")).toBeGreaterThan(0);
    expect(compareValues("x\uFFFF", "x\u{10000}")).toBeLessThan(0);
  });

  it("agrees with Buffer.compare on the UTF-8 encoding (property)", () => {
    const str = fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 4 }));
    fc.assert(
      fc.property(str, str, (a, b) => {
        expect(sign(compareValues(a, b))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
      { numRuns: 3000 },
    );
  });

  it("orders bytes byte by byte, then by length", () => {
    expectStrictlyIncreasing([bytes(), bytes(0), bytes(0, 0), bytes(0, 255), bytes(1), bytes(1, 0), bytes(127), bytes(128), bytes(255)]);
  });

  it("orders arrays element by element, then by length", () => {
    expectStrictlyIncreasing([[], [null], [null, null], [1n], [1n, "a"], [1], [1, 0], [2], ["a"], [[]], [{}]]);
    expect(compareValues([1, [2, 3]], [1, [2, 3]])).toBe(0);
    expect(compareValues([1, [2, 3]], [1, [2, 4]])).toBeLessThan(0);
  });

  it("orders objects by sorted field, then value, then field count", () => {
    expectStrictlyIncreasing([{}, { a: null }, { a: 1 }, { a: 1, b: 0 }, { a: 2 }, { a: "x" }, { b: 0 }, { c: null }]);
    expect(compareValues({ a: 1, c: 0 }, { b: 0 })).toBeLessThan(0);
    expect(compareValues({ b: 2, a: 1 }, { a: 1, b: 2 })).toBe(0);
    expect(compareValues({ a: 1, b: undefined }, { a: 1 })).toBe(0);
    expect(compareValues({ a: { x: [1] } }, { a: { x: [1, 2] } })).toBeLessThan(0);
  });
});

describe("compareValues is a total order consistent with encoded equality (property)", () => {
  // A small domain, so equal values and ties come up often.
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity),
    fc.bigInt({ min: -2n, max: 2n }),
    fc.constantFrom("", "a", "b", "é", "\uFFFD", "😀"),
    fc.constantFrom(bytes(), bytes(0), bytes(1), bytes(0, 1)),
  );
  const { value } = fc.letrec<{ value: Value; array: Value[]; object: Record<string, Value | undefined> }>((tie) => ({
    value: fc.oneof({ depthSize: "small", maxDepth: 3 }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 3 }),
    object: fc.dictionary(fc.constantFrom("a", "b", "c"), fc.oneof(tie("value"), fc.constant(undefined)), { maxKeys: 3 }),
  }));
  const key = (x: Value) => JSON.stringify(encodeValue(x));

  it("is reflexive, antisymmetric and agrees with encoded equality", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(compareValues(a, a)).toBe(0);
        expect(sign(compareValues(a, b)) + sign(compareValues(b, a))).toBe(0);
        expect(compareValues(a, b) === 0).toBe(key(a) === key(b));
      }),
      { numRuns: 3000 },
    );
  });

  it("is transitive", () => {
    fc.assert(
      fc.property(value, value, value, (...triple) => {
        const [x, y, z] = [...triple].sort(compareValues);
        expect(compareValues(x!, y!)).toBeLessThanOrEqual(0);
        expect(compareValues(y!, z!)).toBeLessThanOrEqual(0);
        expect(compareValues(x!, z!)).toBeLessThanOrEqual(0);
        if (compareValues(x!, y!) < 0 || compareValues(y!, z!) < 0) expect(compareValues(x!, z!)).toBeLessThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it("sorts any permutation of a list to the same sequence", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), fc.infiniteStream(fc.nat()), (list, picks) => {
        const shuffled = [...list];
        const it = picks[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = it.next().value! % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        expect(shuffled.sort(compareValues).map(key)).toEqual([...list].sort(compareValues).map(key));
      }),
      { numRuns: 1000 },
    );
  });
});
