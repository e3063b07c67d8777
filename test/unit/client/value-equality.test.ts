import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { equalValues, sameEncodedValue } from "../../../src/client/value-equality.js";
import { decodeValue, encodeValue } from "../../../src/values/encoding.js";
import type { Value } from "../../../src/values/value.js";

const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => /^[a-z][a-z0-9]*$/i.test(k));
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.double(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.boolean(),
    fc.string(),
    fc.uint8Array({ maxLength: 8 }).map((bytes) => bytes.slice().buffer as ArrayBuffer),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("value equality", () => {
  it("a value equals its decoded encoding, and its encoding is the same value", () => {
    fc.assert(
      fc.property(value, (v) => {
        const encoded = encodeValue(v);
        return equalValues(v, decodeValue(encoded)) && sameEncodedValue(encoded, v);
      }),
    );
  });

  it("agrees with comparing encodings", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const sameJson = JSON.stringify(encodeValue(a)) === JSON.stringify(encodeValue(b));
        return equalValues(a, b) === sameJson && sameEncodedValue(encodeValue(a), b) === sameJson;
      }),
    );
  });

  it("tells apart what must differ", () => {
    expect(equalValues(0, -0)).toBe(false);
    expect(equalValues(NaN, NaN)).toBe(true);
    expect(equalValues(1, 1n)).toBe(false);
    expect(equalValues([1], { 0: 1 })).toBe(false);
    expect(equalValues({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(equalValues(new Uint8Array([1]).buffer, new Uint8Array([2]).buffer)).toBe(false);
    expect(sameEncodedValue({ $integer: "AQAAAAAAAAA=" }, 1n)).toBe(true);
    expect(sameEncodedValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameEncodedValue([1, 2], [1])).toBe(false);
    expect(sameEncodedValue({ a: 1 }, [1])).toBe(false);
  });
});
