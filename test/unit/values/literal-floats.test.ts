// `v.literal` of the float64 edge values. Float64 is documented as "all
// IEEE-754 double-precision floating point numbers (such as NaNs)", and Syncline's value model
// tells NaN equal to NaN and -0 apart from 0 (compareValues; protocol.md §11.1 encodes -0 as its
// own `$float` and equal values to equal JSON). `v.literal` compares with `!==` and prints its
// expectation with JSON.stringify, which gets all three edge cases wrong.

import { describe, expect, it } from "vitest";
import { compareValues, encodeValue, matches, v, validate } from "syncline/values";

describe("v.literal of float64 edge values", () => {
  it("names NaN, Infinity and -Infinity in its error message (not `null`, which is what JSON.stringify gives)", () => {
    for (const [literal, shown] of [
      [NaN, "NaN"],
      [Infinity, "Infinity"],
      [-Infinity, "-Infinity"],
    ] as const) {
      const [issue] = validate(v.literal(literal), 1, "args.x");
      expect(issue?.message).toContain(shown);
      expect(issue?.message).not.toMatch(/expected null/);
    }
    // The same message inside a union.
    expect(validate(v.union(v.literal(Infinity), v.literal("a")), 1)[0]?.message).not.toMatch(/null/);
  });

  it("v.literal(NaN) accepts NaN: the value its own .json describes", () => {
    expect(v.literal(NaN).json).toEqual({ type: "literal", value: encodeValue(NaN) });
    expect(compareValues(NaN, NaN)).toBe(0);
    expect(matches(v.literal(NaN), NaN)).toBe(true);
  });

  it("v.literal(0) refuses -0 and v.literal(-0) refuses 0, as the value model tells them apart", () => {
    expect(compareValues(-0, 0)).not.toBe(0);
    expect(encodeValue(-0)).not.toEqual(encodeValue(0));
    expect(matches(v.literal(0), -0)).toBe(false);
    expect(matches(v.literal(-0), 0)).toBe(false);
  });
});
