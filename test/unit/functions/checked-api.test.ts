// The generated api object at run time: the same tree, plus markers for misspelled paths that
// the client turns into "did you mean" errors (see checked-api.ts).

import { describe, expect, it } from "vitest";
import { checkedApi, createFunctionReference, isFunctionReference } from "syncline";
import { assertClientReference } from "../../../src/functions/index.js";

const send = createFunctionReference("mutation", "public", "messages:send");
const list = createFunctionReference("query", "public", "messages:list");
const markPro = createFunctionReference("mutation", "internal", "admin/plans:markPro");

// Plain JavaScript (or a cast) reaching for a name the types would refuse.
const anyApi = () => checkedApi("api", { messages: { list, send }, admin: { plans: { markPro } } }) as unknown as Record<string, Record<string, unknown>>;

function refusal(reference: unknown, kind: "query" | "mutation" | "action" = "mutation"): string {
  try {
    assertClientReference(reference, kind);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("checkedApi", () => {
  it("keeps the tree: the same references, keys and JSON", () => {
    const api = anyApi();
    expect(api.messages!.send).toBe(send);
    expect(Object.keys(api)).toEqual(["messages", "admin"]);
    expect(Object.keys(api.messages!)).toEqual(["list", "send"]);
    expect("sned" in api.messages!).toBe(false);
    expect(JSON.stringify(api.messages)).toBe(JSON.stringify({ list, send }));
    expect({ ...api.messages }).toEqual({ list, send });
  });

  it("names a misspelled function and the closest existing one", () => {
    expect(refusal(anyApi().messages!.sned)).toBe("api.messages.sned does not exist; did you mean api.messages.send?");
  });

  it("names a misspelled module the same way, however deep the path goes on", () => {
    const api = anyApi();
    expect(refusal(api.mesages!.send)).toBe("api.mesages.send does not exist; did you mean api.messages.send?");
    expect(refusal((api.admin!.plan as Record<string, unknown>).markPro)).toBe("api.admin.plan.markPro does not exist; did you mean api.admin.plans.markPro?");
  });

  it("names every path at the same smallest distance", () => {
    const api = checkedApi("api", { m: { list, last: createFunctionReference("query", "public", "m:last") } }) as unknown as Record<string, Record<string, unknown>>;
    expect(refusal(api.m!.lst, "query")).toBe("api.m.lst does not exist; did you mean api.m.list or api.m.last?");
  });

  it("says where new functions come from when no path is close", () => {
    expect(refusal(anyApi().payments!.charge)).toBe(
      "api.payments.charge does not exist in the generated api (syncline dev and syncline codegen add new functions to it).",
    );
  });

  it("uses the root's own name: internal.*", () => {
    const internal = checkedApi("internal", { admin: { plans: { markPro } } }) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    expect(refusal(internal.admin!.plans!.markPr)).toBe("internal.admin.plans.markPr does not exist; did you mean internal.admin.plans.markPro?");
  });

  it("is no reference and no thenable: promises, JSON and matchers see plain objects", async () => {
    const api = anyApi();
    const marker = api.messages!.sned;
    expect(isFunctionReference(marker)).toBe(false);
    expect((marker as Record<string, unknown>).then).toBeUndefined();
    expect(api.messages!.then).toBeUndefined();
    expect(api.messages!.toJSON).toBeUndefined();
    expect(await Promise.resolve(api.messages)).toBe(api.messages);
    // Names that are no identifiers (symbols, `$$typeof`, `@@iterator`-like probes) stay undefined.
    expect(api.messages!.$$typeof).toBeUndefined();
    expect(api.messages!["@@__IMMUTABLE_ITERABLE__@@"]).toBeUndefined();
    expect((api.messages as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
  });
});
