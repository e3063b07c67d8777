// Reading vector index entries without decoding documents (vector-read.ts): the vector read from
// the stored text equals what decoding gives, other fields are skipped whatever they hold, and
// anything the reader does not handle answers null (the cache then decodes the document).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeValue } from "../../../src/values/encoding.js";
import { encodeKey } from "../../../src/server/db/keys.js";
import { filterKey } from "../../../src/server/db/vector-cache.js";
import { readVector, vectorEntryKeyParts } from "../../../src/server/db/vector-read.js";
import type { Value } from "../../../src/values/value.js";

const stored = (document: Record<string, Value>) => JSON.stringify(encodeValue(document));

describe("readVector", () => {
  it("reads the float32s decoding would give, past fields of every kind", () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0));
    const other = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.constantFrom("k", "a b", 'q"uote', "back\\slash", "e"), fc.string(), { maxKeys: 2 }));
    fc.assert(
      fc.property(fc.array(finite, { minLength: 2, maxLength: 8 }), other, other, (vector, before, after) => {
        const json = stored({ _id: "d_1", before: before as Value, nested: { e: vector, x: after as Value }, e: vector, zz: after as Value });
        expect(readVector(json, ["e"], vector.length)).toEqual(Float32Array.from(vector));
        expect(readVector(json, ["nested", "e"], vector.length)).toEqual(Float32Array.from(vector));
      }),
      { numRuns: 500 },
    );
  });

  it("tells an absent field from one it leaves to decoding", () => {
    expect(readVector('{"_id":"d_1","e":[1,2]}', ["missing"], 2)).toBeUndefined();
    expect(readVector('{"_id":"d_1","e":"text"}', ["e", "inner"], 2)).toBeUndefined();
    expect(readVector('{"e":[1,2,3]}', ["e"], 2)).toBeNull(); // another length
    expect(readVector('{"e":[1,{"$float":"AAAAAAAAAIA="}]}', ["e"], 2)).toBeNull(); // -0
    expect(readVector('{"e":"not a vector"}', ["e"], 2)).toBeNull();
    expect(readVector('{"e":[1e999,2]}', ["e"], 2)).toBeNull();
    expect(readVector('{"a\\\\":1,"e":[1,2]}', ["e"], 2)).toBeNull(); // an escaped name: compared only decoded
    expect(readVector('{"s":"quote \\" ] } , \\\\","e":[ 0.5 , -2e-3 ]}', ["e"], 2)).toEqual(Float32Array.from([0.5, -0.002]));
  });
});

describe("vectorEntryKeyParts", () => {
  it("takes the filter values and the id from a vector index entry's key", () => {
    const key = encodeKey(["thai", 3, null, "docs_123abc"]);
    expect(vectorEntryKeyParts(key, 3)).toEqual({ filters: [filterKey("thai"), filterKey(3), filterKey(null)], id: "docs_123abc" });
    expect(() => vectorEntryKeyParts(key, 1)).toThrow("expected 2 key elements, got 4");
  });
});
