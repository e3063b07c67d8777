// The vector index entry format (vector-entries.ts): the key's tuple orders entries as before,
// its tail is the vector's direction as little-endian float32s and reads back bit for bit (edge
// values included), an entry written before the format is told apart, and a malformed one is
// refused with a message saying what was found.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareKeys, concatKeys, encodeKey } from "../../../src/server/db/keys.js";
import { filterKey } from "../../../src/server/db/vector-cache.js";
import { copyFloat32s, unitDirection, unitVector, vectorEntryFormat, vectorEntryKey, vectorEntryParts } from "../../../src/server/db/vector-entries.js";

/** What the entry of `vector` reads back as. */
function roundTrip(vector: number[]): Float32Array {
  const key = vectorEntryKey(["thai"], "foods_1", vector);
  const parts = vectorEntryParts(key, 1, vector.length);
  const out = new Float32Array(vector.length);
  copyFloat32s(parts.vector, out, 0);
  return out;
}

/** The float64 direction computed the textbook way (fine for numbers of ordinary size). */
function naiveDirection(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return vector.map((x) => x / norm);
}

describe("vector index entries", () => {
  it("hold the filter values, the id and the vector's direction as little-endian float32s", () => {
    const key = vectorEntryKey(["thai", 3], "foods_123abc", [3, 4]);
    expect(Buffer.from(key.subarray(key.length - 8)).toString("hex")).toBe(Buffer.from(new Float32Array([0.6, 0.8]).buffer).toString("hex"));
    expect(key[key.length - 9]).toBe(0xf3);
    expect(Buffer.from(key.subarray(0, key.length - 9))).toEqual(Buffer.from(encodeKey(["thai", 3, "foods_123abc"])));
    const parts = vectorEntryParts(key, 2, 2);
    expect(parts.filters).toEqual([filterKey("thai"), filterKey(3)]);
    expect(parts.id).toBe("foods_123abc");
    // Little-endian whatever the host: 0.6f is 0x3F19999A.
    expect([...parts.vector.subarray(0, 4)]).toEqual([0x9a, 0x99, 0x19, 0x3f]);
  });

  it("read back bit for bit: -0, zero vectors, subnormals, numbers near the float64 maximum", () => {
    const bits = (vector: Float32Array) => [...new Uint32Array(vector.buffer)];
    // -0 stays -0 in a vector that has a direction, and in one that has none.
    expect(Object.is(roundTrip([-0, 1, 0])[0], -0)).toBe(true);
    expect(bits(roundTrip([-0, 0, -0]))).toEqual(bits(new Float32Array([-0, 0, -0])));
    // Subnormal numbers have a direction like any others (squaring them would give 0).
    expect(roundTrip([5e-324, -5e-324])).toEqual(new Float32Array([Math.SQRT1_2, -Math.SQRT1_2]));
    expect(roundTrip([2.2e-308, 0, 1.1e-308])).toEqual(Float32Array.from(naiveDirection([2, 0, 1])));
    // Numbers whose squares overflow float64, and ones beyond float32's range.
    expect(roundTrip([1.7e308, -1.7e308])).toEqual(new Float32Array([Math.SQRT1_2, -Math.SQRT1_2]));
    expect(roundTrip([1e39, 0, 1e39])).toEqual(new Float32Array([Math.SQRT1_2, 0, Math.SQRT1_2]));
    for (const x of roundTrip([1.7e308, 1e-300, 3e307])) expect(Number.isFinite(x)).toBe(true);
  });

  it("equal the float64 direction rounded once to float32", () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e150, max: 1e150 });
    fc.assert(
      fc.property(fc.array(finite, { minLength: 2, maxLength: 40 }), (vector) => {
        const read = roundTrip(vector);
        expect(read).toEqual(unitVector(vector));
        // The textbook formula loses numbers whose squares underflow: compare where it is exact.
        if (Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) < 1e-140) return;
        const expected = naiveDirection(vector);
        const direction = unitDirection(vector);
        // float64 to within a few ulps of the textbook formula; float32 to within its precision.
        for (let i = 0; i < vector.length; i++) {
          expect(Math.abs(direction[i]! - expected[i]!)).toBeLessThanOrEqual(1e-15);
          expect(Math.abs(read[i]! - expected[i]!)).toBeLessThanOrEqual(6e-8);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("read back whatever byte the vector starts with (FF right after the id's closing 00 too)", () => {
    const id = encodeKey(["t_1"]);
    let startedWithFF = 0;
    for (let i = 0; i < 2000; i++) {
      const vector = [i / 2000, 1, -0.5];
      const key = vectorEntryKey(["thai"], "t_1", vector);
      if (key[key.length - 12] === 0xff) startedWithFF++;
      const parts = vectorEntryParts(key, 1, 3);
      expect(parts.id).toBe("t_1");
      expect(vectorEntryFormat(key, 1, 3)).toBe("float32");
      expect(Buffer.from(key.subarray(key.length - 13 - id.length, key.length - 13))).toEqual(Buffer.from(id));
    }
    expect(startedWithFF).toBeGreaterThan(0);
  });

  it("sort by filter values, then id, whatever their vectors", () => {
    const keys = [
      vectorEntryKey(["b"], "t_1", [0, 1]),
      vectorEntryKey(["a"], "t_2", [-1, 0]),
      vectorEntryKey(["a"], "t_1", [1, 0]),
      vectorEntryKey(["a"], "t_10", [1, 1]),
    ].sort(compareKeys);
    expect(keys.map((key) => vectorEntryParts(key, 1, 2).id)).toEqual(["t_1", "t_10", "t_2", "t_1"]);
    expect(keys.map((key) => vectorEntryParts(key, 1, 2).filters[0])).toEqual([filterKey("a"), filterKey("a"), filterKey("a"), filterKey("b")]);
  });

  it("tell the format written before (no vector in the key) from this one, and refuse anything else", () => {
    expect(vectorEntryFormat(encodeKey(["thai", "foods_1"]), 1, 3)).toBe("text");
    expect(vectorEntryFormat(vectorEntryKey(["thai"], "foods_1", [1, 2, 3]), 1, 3)).toBe("float32");
    // Another filter count splits elsewhere: caught, not misread.
    expect(() => vectorEntryFormat(vectorEntryKey(["thai"], "foods_1", [1, 2, 3]), 0, 3)).toThrow(
      "vector index entry: 22 bytes follow the key's 1 elements; a vector of 3 dimensions takes 13 (a mark and its float32s)",
    );
    expect(() => vectorEntryParts(encodeKey(["thai", "foods_1"]), 1, 3)).toThrow("not 2 key elements followed by 3 float32s (written by an older version and not upgraded?)");
    expect(() => vectorEntryParts(concatKeys(encodeKey(["thai", "foods_1"]), new Uint8Array(13)), 1, 3)).toThrow("not 2 key elements followed by 3 float32s");
    expect(() => vectorEntryFormat(concatKeys(encodeKey(["thai", "foods_1"]), new Uint8Array(13)), 1, 3)).toThrow("13 bytes follow");
  });
});
