// Wire encoding of values (protocol.md §11.1): every type, the doc's exact examples, sorted keys,
// dropped undefined fields, and errors that name the path to the bad part.

import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, ValueError, type JSONValue, type Value } from "syncline/values";
import { valueError } from "../../helpers/value-error.js";

const bytes = (...values: number[]): ArrayBuffer => new Uint8Array(values).buffer;
const text = (value: Value, root?: string): string => JSON.stringify(encodeValue(value, root));


describe("encodeValue: scalars", () => {
  it("encodes null, booleans and strings as themselves", () => {
    expect(encodeValue(null)).toBeNull();
    expect(encodeValue(true)).toBe(true);
    expect(encodeValue(false)).toBe(false);
    expect(encodeValue("")).toBe("");
    expect(encodeValue("héllo 😀 \u0000 \n")).toBe("héllo 😀 \u0000 \n");
  });

  it("encodes finite numbers other than -0 as JSON numbers", () => {
    for (const n of [0, 1, -1, 1.5, -3.25, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_SAFE_INTEGER, 1e-300]) {
      expect(encodeValue(n)).toBe(n);
    }
  });

  it("encodes NaN, ±Infinity and -0 as $float with the doc's exact bytes", () => {
    expect(encodeValue(NaN)).toEqual({ $float: "AAAAAAAA+H8=" });
    expect(encodeValue(Infinity)).toEqual({ $float: "AAAAAAAA8H8=" });
    expect(encodeValue(-Infinity)).toEqual({ $float: "AAAAAAAA8P8=" });
    expect(encodeValue(-0)).toEqual({ $float: "AAAAAAAAAIA=" });
  });

  it("encodes bigints as $integer (8 bytes little-endian two's complement)", () => {
    expect(encodeValue(1n)).toEqual({ $integer: "AQAAAAAAAAA=" });
    expect(encodeValue(-1n)).toEqual({ $integer: "//////////8=" });
    expect(encodeValue(0n)).toEqual({ $integer: "AAAAAAAAAAA=" });
    expect(encodeValue(1000n)).toEqual({ $integer: "6AMAAAAAAAA=" });
    expect(encodeValue(2n ** 63n - 1n)).toEqual({ $integer: "/////////38=" });
    expect(encodeValue(-(2n ** 63n))).toEqual({ $integer: "AAAAAAAAAIA=" });
  });

  it("refuses bigints outside the int64 range", () => {
    for (const big of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, -(10n ** 30n)]) {
      const error = valueError(() => encodeValue(big));
      expect(error.message).toBe(`value: ${big} does not fit in an int64`);
    }
    expect(valueError(() => encodeValue({ n: [2n ** 63n] }, "args")).path).toBe("args.n[0]");
  });

  it("encodes ArrayBuffers as $bytes with padded base64", () => {
    expect(encodeValue(bytes())).toEqual({ $bytes: "" });
    expect(encodeValue(bytes(1))).toEqual({ $bytes: "AQ==" });
    expect(encodeValue(bytes(1, 2))).toEqual({ $bytes: "AQI=" });
    expect(encodeValue(bytes(1, 2, 3))).toEqual({ $bytes: "AQID" });
    expect(encodeValue(bytes(0xfb, 0xff, 0xbf))).toEqual({ $bytes: "+/+/" });
    const all = new Uint8Array(256).map((_, i) => i);
    expect(encodeValue(all.buffer)).toEqual({ $bytes: Buffer.from(all).toString("base64") });
  });
});

describe("encodeValue: arrays and objects", () => {
  it("encodes arrays element by element", () => {
    expect(encodeValue([])).toEqual([]);
    expect(encodeValue([1, "a", null, [true, 1n], -0])).toEqual([
      1,
      "a",
      null,
      [true, { $integer: "AQAAAAAAAAA=" }],
      { $float: "AAAAAAAAAIA=" },
    ]);
  });

  it("sorts object keys at every level", () => {
    expect(text({ b: 1, a: 2, C: 3, _x: 4, "~": 5, " ": 6 })).toBe('{" ":6,"C":3,"_x":4,"a":2,"b":1,"~":5}');
    expect(text({ z: { y: 1, x: [{ d: 1, c: 2 }] }, a: null })).toBe('{"a":null,"z":{"x":[{"c":2,"d":1}],"y":1}}');
  });

  it("sorts keys in code-unit order for every object size, around the in-place sort's limit too", () => {
    // Shuffled with a fixed seed so a run is repeatable; prefixes share characters to test ties.
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (const size of [0, 1, 2, 3, 15, 16, 17, 40]) {
      const names = Array.from({ length: size }, (_, i) => ["a", "A", "_", "~", "aa", "a_", " "][i % 7]! + String(i));
      const shuffled = [...names];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = next() % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const encoded = encodeValue(Object.fromEntries(shuffled.map((name) => [name, name]))) as Record<string, JSONValue>;
      expect(Object.keys(encoded)).toEqual([...names].sort());
    }
  });

  it("gives equal values equal text whatever the insertion order", () => {
    expect(text({ a: 1, b: { c: 2, d: 3 } })).toBe(text({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it("drops fields whose value is undefined", () => {
    expect(text({ a: undefined, b: 1, c: { d: undefined } })).toBe('{"b":1,"c":{}}');
    expect(text({ a: 1, b: undefined })).toBe(text({ a: 1 }));
  });

  it("accepts objects without a prototype", () => {
    const bare = Object.create(null) as Record<string, Value>;
    bare.b = 1;
    bare.a = "x";
    expect(text(bare)).toBe('{"a":"x","b":1}');
  });

  it("keeps a field named __proto__ as a field", () => {
    const parsed = JSON.parse('{"__proto__": 5, "b": 1}') as Value;
    expect(text(parsed)).toBe('{"__proto__":5,"b":1}');
  });
});

describe("encodeValue: what is not a value", () => {
  it("refuses undefined at the top level and inside arrays", () => {
    expect(valueError(() => encodeValue(undefined as unknown as Value)).message).toBe(
      "value: undefined is not a supported value",
    );
    expect(valueError(() => encodeValue([1, undefined] as unknown as Value)).message).toBe(
      "value[1]: undefined is not a supported value",
    );
  });

  it("names the exact path to the bad part", () => {
    const args = { items: [0, 1, 2, { title: "x", when: new Date() }] } as unknown as Value;
    const error = valueError(() => encodeValue(args, "args"));
    expect(error.message).toBe("args.items[3].when: Date is not a supported value");
    expect(error.path).toBe("args.items[3].when");
    expect(error.problem).toBe("Date is not a supported value");
  });

  it("quotes field names that are not identifiers", () => {
    const error = valueError(() => encodeValue({ "odd key": [new Map()] } as unknown as Value, "args"));
    expect(error.message).toBe('args["odd key"][0]: Map is not a supported value');
  });

  class Point {
    constructor(readonly x: number) {}
  }

  it.each([
    ["Date", new Date(0), "Date is not a supported value"],
    ["Map", new Map([[1, 2]]), "Map is not a supported value"],
    ["Set", new Set([1]), "Set is not a supported value"],
    ["class instance", new Point(1), "Point is not a supported value"],
    ["function", () => 1, "function is not a supported value"],
    ["symbol", Symbol("s"), "symbol is not a supported value"],
    ["Uint8Array", new Uint8Array([1]), "Uint8Array is not a supported value (pass an ArrayBuffer for bytes)"],
    ["DataView", new DataView(new ArrayBuffer(1)), "DataView is not a supported value (pass an ArrayBuffer for bytes)"],
  ])("refuses %s with a message naming the path", (_name, bad, problem) => {
    expect(valueError(() => encodeValue(bad as unknown as Value)).message).toBe(`value: ${problem}`);
    expect(valueError(() => encodeValue({ a: { b: [null, bad] } } as unknown as Value, "args")).message).toBe(
      `args.a.b[1]: ${problem}`,
    );
  });
});

describe("decodeValue", () => {
  it("decodes every type back", () => {
    expect(decodeValue(null)).toBeNull();
    expect(decodeValue(true)).toBe(true);
    expect(decodeValue("s")).toBe("s");
    expect(decodeValue(1.5)).toBe(1.5);
    expect(decodeValue({ $integer: "AQAAAAAAAAA=" })).toBe(1n);
    expect(decodeValue({ $integer: "//////////8=" })).toBe(-1n);
    expect(decodeValue({ $integer: "/////////38=" })).toBe(2n ** 63n - 1n);
    expect(decodeValue({ $integer: "AAAAAAAAAIA=" })).toBe(-(2n ** 63n));
    expect(decodeValue({ $float: "AAAAAAAA+H8=" })).toBeNaN();
    expect(decodeValue({ $float: "AAAAAAAA8H8=" })).toBe(Infinity);
    expect(decodeValue({ $float: "AAAAAAAA8P8=" })).toBe(-Infinity);
    expect(Object.is(decodeValue({ $float: "AAAAAAAAAIA=" }), -0)).toBe(true);
    const decoded = decodeValue({ $bytes: "AQID" });
    expect(decoded).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(decoded as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect((decodeValue({ $bytes: "" }) as ArrayBuffer).byteLength).toBe(0);
  });

  it("round-trips a composite value through JSON text", () => {
    const value: Value = {
      name: "Ada ✓",
      count: 3n,
      weird: [NaN, -0, Infinity, -Infinity, 0, 2.5],
      blob: bytes(0, 255, 128),
      nested: { list: [{ z: null, a: false }], empty: {}, none: [] },
    };
    const wire = JSON.parse(JSON.stringify(encodeValue(value))) as JSONValue;
    const back = decodeValue(wire) as Record<string, Value>;
    expect(back.name).toBe("Ada ✓");
    expect(back.count).toBe(3n);
    const weird = back.weird as number[];
    expect(weird[0]).toBeNaN();
    expect(Object.is(weird[1], -0)).toBe(true);
    expect(weird.slice(2)).toEqual([Infinity, -Infinity, 0, 2.5]);
    expect(Object.is(weird[4], 0)).toBe(true);
    expect([...new Uint8Array(back.blob as ArrayBuffer)]).toEqual([0, 255, 128]);
    expect(back.nested).toEqual({ list: [{ z: null, a: false }], empty: {}, none: [] });
    expect(JSON.stringify(encodeValue(back))).toBe(JSON.stringify(wire));
  });

  it("keeps a field named __proto__ as a field, not as the prototype", () => {
    const decoded = decodeValue(JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as JSONValue) as Record<string, Value>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "b"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual({ a: 1 });
    expect(JSON.stringify(encodeValue(decoded))).toBe('{"__proto__":{"a":1},"b":2}');
  });

  it("refuses unknown $ keys, naming the path", () => {
    expect(valueError(() => decodeValue({ $foo: "AQ==" })).message).toMatch(/^value: unknown type tag "\$foo"/);
    expect(valueError(() => decodeValue({ $set: [] })).message).toMatch(/unknown type tag "\$set"/);
    expect(valueError(() => decodeValue({ a: [{ $undefined: null }] }, "result")).message).toMatch(
      /^result\.a\[0\]: unknown type tag "\$undefined"/,
    );
    expect(valueError(() => decodeValue({ a: 1, $x: 2 })).path).toBe("value");
  });

  it("refuses $integer and $float that are not exactly 8 bytes", () => {
    for (const tag of ["$integer", "$float"] as const) {
      for (const payload of ["", "AQAAAA==", "AQAAAAAAAA==", "AQAAAAAAAAAA"]) {
        const error = valueError(() => decodeValue({ x: { [tag]: payload } }));
        expect(error.path).toBe("value.x");
        expect(error.problem).toMatch(new RegExp(`^\\${tag} must hold exactly 8 bytes, got \\d+$`));
      }
    }
  });

  it("refuses bad base64", () => {
    for (const payload of ["A", "AQI", "AQ=", "AQ!D", "AQ=D", "=AQD", "A===", "AQ==AQID", "AQ\u00e9D"]) {
      const error = valueError(() => decodeValue({ $bytes: payload }));
      expect(error.problem, payload).toMatch(/^\$bytes: invalid base64/);
    }
    expect(valueError(() => decodeValue({ $integer: "AQAAAAAAAA-=" })).problem).toMatch(/invalid base64/);
  });

  it("refuses tags whose payload is not a string", () => {
    expect(valueError(() => decodeValue({ $bytes: 5 })).problem).toBe("$bytes must hold a base64 string");
    expect(valueError(() => decodeValue({ $integer: null })).problem).toBe("$integer must hold a base64 string");
  });

  it("refuses a $ tag object with extra keys, in either order", () => {
    expect(() => decodeValue({ $integer: "AQAAAAAAAAA=", a: 1 })).toThrow(ValueError);
    expect(() => decodeValue({ a: 1, $integer: "AQAAAAAAAAA=" })).toThrow(ValueError);
    expect(() => decodeValue({ $bytes: "", $float: "AAAAAAAA+H8=" })).toThrow(ValueError);
    expect(valueError(() => decodeValue({ $integer: "AQAAAAAAAAA=", a: 1 })).problem).toBe(
      '"$integer" must be the only key of its object',
    );
  });

  it("refuses things that are not wire JSON", () => {
    expect(valueError(() => decodeValue({ a: undefined } as unknown as JSONValue)).message).toBe(
      "value.a: undefined is not valid wire JSON",
    );
    expect(() => decodeValue((() => 1) as unknown as JSONValue)).toThrow(ValueError);
  });
});
