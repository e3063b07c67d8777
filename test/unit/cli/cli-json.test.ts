// Command-line arguments: JSON with `5n` for int64s, and everything else left alone.

import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../../src/cli/cli-json.js";

describe("parseCliArgs", () => {
  it("reads <digits>n outside strings as an int64, at any depth and sign", () => {
    expect(parseCliArgs('{"min": 5n, "list": [-12n, 0n], "deep": {"big": 9223372036854775807n}}')).toEqual({
      min: 5n,
      list: [-12n, 0n],
      deep: { big: 9223372036854775807n },
    });
  });

  it("leaves strings, floats and plain numbers as they are", () => {
    expect(parseCliArgs('{"text": "5n and \\"7n\\"", "float": 1.5, "exp": 2e3, "n": 5}')).toEqual({ text: '5n and "7n"', float: 1.5, exp: 2000, n: 5 });
  });

  it("still takes the wire form of special values", () => {
    expect(parseCliArgs('{"min": {"$integer": "BQAAAAAAAAA="}}')).toEqual({ min: 5n });
  });

  it("refuses what is neither", () => {
    expect(() => parseCliArgs('{"bad": 1.5n}')).toThrow(SyntaxError);
    expect(() => parseCliArgs('{"bad": 99999999999999999999n}')).toThrow(/int64/);
  });
});
