// A field whose value is undefined "is the same as no field" (src/values/value.ts) and is
// dropped by the encoding (protocol.md §11.1), so the 1024-fields limit of §11.2 does not count it.

import { describe, expect, it } from "vitest";
import { encodeValue } from "../../../src/values/index.js";
import { seed, testDb } from "./helpers.js";

const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));

describe("undefined fields do not count towards the 1024-field limit", () => {
  it("encodes an object of 1024 fields plus one undefined field (it has 1024 fields)", () => {
    const value = { ...fields(1024), gone: undefined };
    expect(Object.keys(encodeValue(value) as object)).toHaveLength(1024);
  });

  it("stores a document whose nested object has 1024 fields plus one set to undefined", async () => {
    const db = await testDb();
    const [id] = await seed(db, "wide", [{ nested: { ...fields(1024), gone: undefined } }]);
    const { result } = await db.read((tx) => tx.db.get(id!));
    expect(Object.keys(result!.nested as object)).toHaveLength(1024);
  });
});
