import { describe, expect, it } from "vitest";
import { closestNames, editDistance, oneOf } from "../../../src/functions/closest-names.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["", "abc", 3],
    ["abc", "", 3],
    ["send", "send", 0],
    ["sned", "send", 1], // a swap of neighbours is one edit
    ["lst", "list", 1],
    ["list", "lst", 1],
    ["lisst", "list", 1],
    ["lost", "list", 1],
    ["kitten", "sitting", 3],
    ["messages:List", "messages:list", 0], // case is not a typo worth counting
    ["ab", "ba", 1],
    ["abc", "ca", 3], // optimal string alignment: no edit of a swapped pair
  ])("%j to %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("closestNames", () => {
  const names = ["messages:list", "messages:send", "messages:last", "users:get"];

  it("suggests the closest name", () => {
    expect(closestNames("messages:sned", names)).toEqual(["messages:send"]);
  });

  it("suggests every name at the smallest distance, in the candidates' order", () => {
    expect(closestNames("messages:lst", names)).toEqual(["messages:list", "messages:last"]);
  });

  it("keeps at most `limit` of them", () => {
    expect(closestNames("a", ["b", "c", "d", "e"], 2)).toEqual(["b", "c"]);
  });

  it("suggests nothing that does not look like a typo of the name", () => {
    expect(closestNames("payments:charge", names)).toEqual([]);
    // Short names allow one edit only: "ab" is not a typo of "xy".
    expect(closestNames("ab", ["xy", "abc"])).toEqual(["abc"]);
    expect(closestNames("ab", ["xy"])).toEqual([]);
  });

  it("measures what differs after the common start: a third of it, at most three edits", () => {
    // "nope" and "logs" differ in 3 of 4 letters: no typo, however long the module name before them.
    expect(closestNames("behaviour:nope", ["behaviour:logs"])).toEqual([]);
    const long = "reports/monthly/summary:build";
    expect(closestNames("reports/monthly/summry:buld", [long])).toEqual([long]); // 2 edits in "ry:buld"
    expect(closestNames("reports/monthly/sumry:bild", [long])).toEqual([]); // 3 edits in "ry:bild"
    const alphabet = "abcdefghijklmnopqrstuvwxyz";
    expect(closestNames("aXcdefXhijklmXopqrstuvwxyz", [alphabet])).toEqual([alphabet]); // 3 edits
    expect(closestNames("aXcdefXhijklmXopqrsXuvwxyz", [alphabet])).toEqual([]); // 4 edits, however long the rest
  });

  it("never suggests the name itself, and nothing from no candidates", () => {
    expect(closestNames("messages:list", ["messages:list"])).toEqual([]);
    expect(closestNames("messages:list", [])).toEqual([]);
  });
});

describe("oneOf", () => {
  it.each([
    [[], ""],
    [["a"], "a"],
    [["a", "b"], "a or b"],
    [["a", "b", "c"], "a, b or c"],
  ])("%j -> %j", (names, text) => {
    expect(oneOf(names)).toBe(text);
  });
});
