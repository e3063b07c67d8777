// The body of a forwarded call: a system write keeps its flag across the wire; a malformed flag is refused.

import { describe, expect, it } from "vitest";
import { decodeForwarded, encodeForwarded } from "../../../src/server/cluster/forwarded-wire.js";
import type { ForwardedMutation } from "../../../src/server/runtime/runtime.js";

const caller = { origin: "server" as const, identity: null };

describe("forwarded calls on the wire", () => {
  it("a system write keeps its flag, name, arguments and key; a mutation has no flag", () => {
    const write: ForwardedMutation = { name: "scheduler.schedule", args: { name: "ticks:record", kind: "mutation", args: { n: 1n }, scheduledTime: 5 }, caller, sessionId: "s", requestId: 0, system: true };
    expect(decodeForwarded(JSON.parse(JSON.stringify(encodeForwarded(write))))).toEqual(write);
    const mutation: ForwardedMutation = { name: "counter:increment", args: { name: "a" }, caller, sessionId: "s", requestId: 1 };
    const body = encodeForwarded(mutation);
    expect("system" in body).toBe(false);
    expect(decodeForwarded(JSON.parse(JSON.stringify(body)))).toEqual(mutation);
  });

  it("refuses a system flag that is not true", () => {
    const body = { ...encodeForwarded({ name: "storage.deleteFile", args: {}, caller, sessionId: "s", requestId: 0 }), system: "yes" };
    expect(() => decodeForwarded(body)).toThrow(/system flag must be true or absent/);
  });
});
