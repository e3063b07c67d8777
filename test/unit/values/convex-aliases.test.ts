// Convex's names for Syncline functions, as a moved app imports them: `convexToJson` and
// `jsonToConvex` encode exactly as the official `convex` package does, and the `...Generic`
// builders and `ROUTABLE_HTTP_METHODS` are Syncline's own under another name.

import { convexToJson as officialToJson, jsonToConvex as officialFromJson } from "convex/values";
import { describe, expect, it } from "vitest";
import * as server from "../../../src/server/index.js";
import { convexToJson, jsonToConvex, type Value } from "../../../src/values/index.js";

const SAMPLES: Value[] = [
  null,
  1.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  12345678901234567890n % 2n ** 63n,
  -5n,
  "text",
  true,
  new Uint8Array([0, 1, 255]).buffer,
  [1, "a", [null, { nested: 2n }]],
  { a: 1, b: { c: "d", e: [0.25] } },
];

describe("Convex's names", () => {
  it("convexToJson and jsonToConvex match the official package, both ways", () => {
    for (const value of SAMPLES) {
      const ours = convexToJson(value);
      expect(ours).toEqual(officialToJson(value as never));
      expect(jsonToConvex(ours)).toEqual(officialFromJson(ours as never));
    }
  });

  it("the ...Generic builders and ROUTABLE_HTTP_METHODS are Syncline's own", () => {
    expect(server.queryGeneric).toBe(server.query);
    expect(server.mutationGeneric).toBe(server.mutation);
    expect(server.actionGeneric).toBe(server.action);
    expect(server.internalQueryGeneric).toBe(server.internalQuery);
    expect(server.internalMutationGeneric).toBe(server.internalMutation);
    expect(server.internalActionGeneric).toBe(server.internalAction);
    expect(server.httpActionGeneric).toBe(server.httpAction);
    expect(server.ROUTABLE_HTTP_METHODS).toBe(server.ROUTABLE_METHODS);
  });
});
