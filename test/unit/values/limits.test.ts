// The value limits of protocol.md §11.2, on both encode and decode: breaking one is a ValueError
// naming the limit and the path, never a crash.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, LIMITS, ValueError, type JSONValue, type Value } from "syncline/values";
import { fieldNameProblem, tableNameProblem, utf8Length } from "../../../src/values/limits.js";
import { valueError } from "../../helpers/value-error.js";

const MiB = 1 << 20;


/** Encodes then decodes; both must succeed. */
function roundTrips(value: Value): void {
  const json = encodeValue(value);
  expect(() => decodeValue(JSON.parse(JSON.stringify(json)) as JSONValue)).not.toThrow();
}

/** Both directions refuse: encoding `value`, and decoding `json` (its wire form, built by hand). */
function bothRefuse(value: Value, json: JSONValue, problem: RegExp, path = "value"): void {
  const encodeError = valueError(() => encodeValue(value));
  expect(encodeError.problem).toMatch(problem);
  expect(encodeError.path).toBe(path);
  const decodeError = valueError(() => decodeValue(json));
  expect(decodeError.problem).toMatch(problem);
  expect(decodeError.path).toBe(path);
}

function nestArrays(levels: number, leaf: Value): Value {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

function nestObjects(levels: number, leaf: Value): Value {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

it("exports the documented numbers", () => {
  expect(LIMITS).toMatchObject({
    maxFieldNameLength: 1024,
    maxArrayLength: 8192,
    maxObjectFields: 1024,
    maxNesting: 64,
    maxStringBytes: MiB,
    maxDocumentBytes: MiB,
    maxArgumentBytes: 16 * MiB,
    maxTableNameLength: 64,
  });
});

describe("arrays <= 8192 elements", () => {
  it("accepts 8192 elements", () => {
    roundTrips(new Array<Value>(8192).fill(0));
  });

  it("refuses 8193 elements, naming the limit", () => {
    const big = new Array<number>(8193).fill(0);
    bothRefuse(big, big, /^array has 8193 elements, over the limit of 8192 elements$/);
    bothRefuse({ a: [big] }, { a: [big] }, /over the limit of 8192 elements/, "value.a[0]");
  });
});

describe("objects <= 1024 fields", () => {
  const fields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));

  it("accepts 1024 fields", () => {
    roundTrips(fields(1024));
  });

  it("refuses 1025 fields, naming the limit", () => {
    const big = fields(1025);
    bothRefuse(big, big, /^object has 1025 fields, over the limit of 1024 fields$/);
    bothRefuse([null, big], [null, big], /over the limit of 1024 fields/, "value[1]");
  });
});

describe("nesting <= 64", () => {
  it("accepts 64 levels of arrays or objects", () => {
    roundTrips(nestArrays(64, 1));
    roundTrips(nestObjects(64, "x"));
    roundTrips(nestArrays(32, nestObjects(32, null)));
  });

  it("refuses 65 levels, naming the limit", () => {
    const problem = /^value is nested deeper than the limit of 64 levels$/;
    for (const deep of [nestArrays(65, 1), nestObjects(65, 1), nestArrays(64, {}), nestObjects(64, [])]) {
      const encodeError = valueError(() => encodeValue(deep));
      expect(encodeError.problem).toMatch(problem);
      const decodeError = valueError(() => decodeValue(deep as JSONValue));
      expect(decodeError.problem).toMatch(problem);
      expect(decodeError.path).toBe(encodeError.path);
    }
    expect(valueError(() => encodeValue(nestObjects(65, 1))).path).toBe(`value${".a".repeat(64)}`);
  });

  it("does not count int64, special floats and bytes (leaves) as a level", () => {
    for (const leaf of [1n, -0, NaN, Infinity, new Uint8Array([1, 2]).buffer, "s", null]) {
      roundTrips(nestArrays(64, leaf));
      roundTrips(nestObjects(64, leaf));
    }
  });

  it("refuses absurdly deep values with the limit error, not a stack overflow", () => {
    const deep = nestArrays(200_000, null);
    expect(valueError(() => encodeValue(deep)).problem).toMatch(/limit of 64 levels/);
    expect(valueError(() => decodeValue(deep as JSONValue)).problem).toMatch(/limit of 64 levels/);
  });
});

describe("strings < 1 MiB of UTF-8", () => {
  const problem = /^string is too large: strings must be smaller than 1048576 bytes \(1 MiB\)$/;

  it("accepts 1 MiB - 1 bytes", () => {
    roundTrips("a".repeat(MiB - 1));
    roundTrips("é".repeat(MiB / 2 - 1) + "a"); // 2-byte characters
    roundTrips("€".repeat((MiB - 1) / 3)); // 3-byte characters, 1048575 bytes
  });

  it("refuses 1 MiB of ASCII", () => {
    const big = "a".repeat(MiB);
    bothRefuse(big, big, problem);
    bothRefuse({ s: big }, { s: big }, problem, "value.s");
  });

  it("counts UTF-8 bytes, not UTF-16 units", () => {
    for (const big of ["é".repeat(MiB / 2), "€".repeat((MiB - 1) / 3 + 1), "😀".repeat(MiB / 4), "a" + "😀".repeat(MiB / 4 - 1) + "abc"]) {
      expect(big.length).toBeLessThan(MiB);
      expect(Buffer.byteLength(big)).toBeGreaterThanOrEqual(MiB);
      bothRefuse([big], [big], problem, "value[0]");
    }
    // 4-byte characters just under the limit: 262143 * 4 + 3 bytes.
    roundTrips("😀".repeat(MiB / 4 - 1) + "abc");
  });
});

describe("bytes < 1 MiB", () => {
  const problem = /^bytes is too large: bytes must be smaller than 1048576 bytes \(1 MiB\)$/;

  it("accepts 1 MiB - 1 bytes", () => {
    roundTrips(new ArrayBuffer(MiB - 1));
  });

  it("refuses 1 MiB on encode and decode", () => {
    const big = new ArrayBuffer(MiB);
    const wire = { $bytes: Buffer.alloc(MiB).toString("base64") };
    bothRefuse(big, wire, problem);
    bothRefuse({ b: big }, { b: wire }, problem, "value.b");
  });
});

describe("field names", () => {
  const cases: [string, string, RegExp][] = [
    ["empty", "", /^field names must not be empty$/],
    ["longer than 1024 characters", "x".repeat(1025), /^field name is longer than the limit of 1024 characters$/],
    ["control character", "a\nb", /must be printable ASCII$/],
    ["DEL", "a\u007f", /must be printable ASCII$/],
    ["non-ASCII", "café", /must be printable ASCII$/],
    ["emoji", "😀", /must be printable ASCII$/],
  ];

  it.each(cases)("refuses %s on encode and decode", (_name, name, problem) => {
    const value = { ok: 1, [name]: 1 };
    bothRefuse(value, value, problem, valueErrorPathFor(name));
  });

  it("refuses names starting with $ on encode and decode", () => {
    expect(valueError(() => encodeValue({ $x: 1 })).problem).toBe('field name "$x" must not start with "$"');
    expect(valueError(() => encodeValue({ a: { $integer: 1 } } as unknown as Value)).message).toMatch(/^value\.a\.\$integer: /);
    expect(valueError(() => decodeValue({ $x: 1 })).problem).toMatch(/"\$x".*must not start with "\$"/);
    expect(valueError(() => decodeValue({ a: 1, $x: 1 })).problem).toMatch(/must not start with "\$"/);
  });

  it("accepts the edges of the rules", () => {
    roundTrips({ ["x".repeat(1024)]: 1, " ": 2, "~": 3, _private: 4, "a$": 5, "!#%&'()*+,-./:;<=>?@[\\]^`{|}": 6 });
  });

  function valueErrorPathFor(name: string): string {
    try {
      encodeValue({ [name]: new Date() } as unknown as Value);
    } catch (error) {
      return (error as ValueError).path;
    }
    throw new Error("unreachable");
  }
});

describe("fieldNameProblem", () => {
  it("allows _ in values but not in document fields, except the system fields", () => {
    expect(fieldNameProblem("_foo")).toBeUndefined();
    expect(fieldNameProblem("_foo", true)).toBe('field name "_foo" must not start with "_" (reserved for system fields)');
    expect(fieldNameProblem("_id", true)).toBeUndefined();
    expect(fieldNameProblem("_creationTime", true)).toBeUndefined();
    expect(fieldNameProblem("foo_", true)).toBeUndefined();
  });

  it("applies the other rules to document fields too", () => {
    expect(fieldNameProblem("", true)).toBe("field names must not be empty");
    expect(fieldNameProblem("$a", true)).toMatch(/must not start with "\$"/);
    expect(fieldNameProblem("a b\t", true)).toMatch(/printable ASCII/);
    expect(fieldNameProblem("y".repeat(1025), true)).toMatch(/limit of 1024/);
    expect(fieldNameProblem("y".repeat(1024), true)).toBeUndefined();
  });
});

describe("tableNameProblem", () => {
  it("accepts identifiers of at most 64 characters", () => {
    for (const name of ["tasks", "my_table", "T1", "a", "A_b_9", "t".repeat(64)]) expect(tableNameProblem(name)).toBeUndefined();
  });

  it("refuses names that are not identifiers", () => {
    for (const name of ["", "1abc", "a-b", "a b", "tâche", "a.b", "$t"]) {
      expect(tableNameProblem(name)).toBe(`table name ${JSON.stringify(name)} must match [A-Za-z_][A-Za-z0-9_]*`);
    }
  });

  it("refuses names over 64 characters, naming the limit", () => {
    expect(tableNameProblem("t".repeat(65))).toMatch(/is longer than the limit of 64 characters$/);
  });

  it("reserves names starting with _ for system tables", () => {
    expect(tableNameProblem("_scheduled")).toBe('table name "_scheduled" must not start with "_" (reserved for system tables)');
    expect(tableNameProblem("_scheduled", true)).toBeUndefined();
  });
});

describe("utf8Length", () => {
  it("agrees with Buffer.byteLength, lone surrogates included", () => {
    const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: anyUnit }), fc.string({ unit: "grapheme" })), (s) => {
        expect(utf8Length(s)).toBe(Buffer.byteLength(s, "utf8"));
      }),
      { numRuns: 2000 },
    );
    expect(utf8Length("\uD83D")).toBe(3);
    expect(utf8Length("\uDE00\uD83D")).toBe(6);
  });
});
