import { describe, expect, it } from "vitest";
import {
  action,
  defineSchema,
  defineTable,
  internalAction,
  internalMutation,
  internalQuery,
  isRegisteredFunction,
  isSchema,
  mutation,
  query,
} from "syncline/server";
import { v } from "syncline/values";

describe("builders", () => {
  it.each([
    [query, "query", "public"],
    [internalQuery, "query", "internal"],
    [mutation, "mutation", "public"],
    [internalMutation, "mutation", "internal"],
    [action, "action", "public"],
    [internalAction, "action", "internal"],
  ] as const)("record kind and visibility (%#)", (builder, kind, visibility) => {
    const fn = (builder as typeof query)({ args: { a: v.number() }, handler: () => 1 });
    expect(isRegisteredFunction(fn)).toBe(true);
    expect(fn).toMatchObject({ kind, visibility });
  });

  it("turn field validators into one object validator and keep `returns`", () => {
    const fn = query({ args: { a: v.number(), b: v.optional(v.string()) }, returns: v.number(), handler: (_, { a }) => a });
    expect(fn.args?.json).toEqual({
      type: "object",
      fields: { a: { type: { type: "number" }, optional: false }, b: { type: { type: "string" }, optional: true } },
    });
    expect(fn.returns?.json).toEqual({ type: "number" });
  });

  it("accept v.object args, a definition without args, and a bare handler", () => {
    expect(query({ args: v.object({ a: v.string() }), handler: () => 1 }).args?.json).toEqual({
      type: "object",
      fields: { a: { type: { type: "string" }, optional: false } },
    });
    expect(query({ handler: () => 1 }).args).toBeUndefined();
    const bare = mutation(() => "x");
    expect(bare.args).toBeUndefined();
    expect(bare.kind).toBe("mutation");
  });

  it("refuse a definition without a handler", () => {
    expect(() => query({} as never)).toThrow(/needs a handler function/);
  });
});

describe("schema", () => {
  it("records tables, validators and indexes", () => {
    const schema = defineSchema({
      messages: defineTable({ room: v.string(), body: v.string() }).index("by_room", ["room"]).index("by_room_body", ["room", "body"]),
    });
    expect(isSchema(schema)).toBe(true);
    expect(schema.schemaValidation).toBe(true);
    expect(schema.tables.messages.indexes).toEqual([
      { name: "by_room", fields: ["room"] },
      { name: "by_room_body", fields: ["room", "body"] },
    ]);
    expect(schema.tables.messages.validator.shape.kind).toBe("object");
  });

  it("refuses bad index and table names with a clear error", () => {
    const table = defineTable({ a: v.string() });
    expect(() => table.index("by_id" as string, ["a"])).toThrow(/reserved/);
    expect(() => table.index("x", ["a"]).index("x", ["a"])).toThrow(/defined twice/);
    expect(() => table.index("x", ["a", "a"] as never)).toThrow(/lists a field twice/);
    expect(() => defineSchema({ _system: table })).toThrow(/must not start with "_"/);
    expect(() => defineSchema({ "bad-name": table })).toThrow(/must match/);
  });
});
