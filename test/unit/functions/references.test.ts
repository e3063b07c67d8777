import { describe, expect, it } from "vitest";
import { createFunctionReference, getFunctionName, isFunctionReference, makeFunctionReference } from "syncline";
import { anyApi } from "syncline/server";
import { assertClientReference, canonicalizeName, splitName } from "../../../src/functions/index.js";
import { makeFunctionReference as convexMakeReference, getFunctionName as convexGetFunctionName } from "convex/server";

describe("function names (protocol.md §12)", () => {
  it.each([
    ["messages:list", "messages:list"],
    ["foo/bar:baz", "foo/bar:baz"],
    ["foo/bar", "foo/bar:default"],
    ["foo/bar.js", "foo/bar:default"],
    ["foo/bar.js:baz", "foo/bar:baz"],
    ["a:b:c", "a:b:c"],
  ])("%s -> %s", (written, canonical) => {
    expect(canonicalizeName(written)).toBe(canonical);
  });

  it("splits at the last colon", () => {
    expect(splitName("foo/bar:baz")).toEqual({ modulePath: "foo/bar", exportName: "baz" });
  });
});

describe("references", () => {
  it("are real objects carrying a canonical name, kind and visibility", () => {
    const ref = createFunctionReference("mutation", "internal", "plans.js:markPro");
    expect(ref).toMatchObject({ name: "plans:markPro", kind: "mutation", visibility: "internal" });
    expect(Object.isFrozen(ref)).toBe(true);
    expect(isFunctionReference(ref)).toBe(true);
    expect(getFunctionName(ref)).toBe("plans:markPro");
  });

  it("makeFunctionReference makes public references", () => {
    expect(makeFunctionReference("query", "foo/bar")).toMatchObject({ name: "foo/bar:default", kind: "query", visibility: "public" });
  });

  it("interoperate with the official client's name lookup", () => {
    expect(convexGetFunctionName(makeFunctionReference("query", "messages:list") as never)).toBe("messages:list");
    // ...and a reference made by the official client is read by ours through the same symbol.
    expect(getFunctionName(convexMakeReference<"query">("messages:list") as never)).toBe("messages:list");
  });

  it("anyApi names any path", () => {
    const ref = (anyApi.foo as Record<string, Record<string, unknown>>).bar!.baz;
    expect(isFunctionReference(ref)).toBe(true);
    expect(getFunctionName(ref as never)).toBe("foo/bar:baz");
    expect(isFunctionReference(anyApi.foo)).toBe(false);
  });
});

describe("client-side refusal, before anything is sent", () => {
  const publicQuery = createFunctionReference("query", "public", "messages:list");

  it("accepts a public reference of the right kind", () => {
    expect(() => assertClientReference(publicQuery, "query")).not.toThrow();
  });

  it("refuses an internal reference and says why", () => {
    const internal = createFunctionReference("mutation", "internal", "plans:markPro");
    expect(() => assertClientReference(internal, "mutation")).toThrow(/plans:markPro is an internal function: it can only be called from other functions/);
  });

  it("refuses a reference of the wrong kind", () => {
    expect(() => assertClientReference(publicQuery, "mutation")).toThrow("messages:list is a query, but it was called as a mutation.");
  });

  it("refuses plain strings and other values", () => {
    expect(() => assertClientReference("messages:list", "query")).toThrow(/got the string "messages:list"/);
    expect(() => assertClientReference({ name: "messages:list" }, "query")).toThrow(/Expected a function reference/);
  });
});
