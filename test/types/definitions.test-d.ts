// Compile-time tests: what a function definition's handler may return under `returns`, where a
// mismatch is reported, and what the registered function's reference reports.
import type { FunctionArgs, FunctionReturnType } from "syncline";
import { v } from "syncline/values";
import { api } from "../fixtures/app/syncline/_generated/api";
import { action, mutation, query } from "../fixtures/app/syncline/_generated/server";
import { expectTrue, type Equal } from "./helpers";

// The documentation's example (api.docs.send): an async handler that returns nothing, under
// `returns: v.null()`. Its reference reports null, which is what the runtime sends.
expectTrue<Equal<FunctionReturnType<typeof api.docs.send>, null>>();
expectTrue<Equal<FunctionArgs<typeof api.docs.send>, { body: string; author: string }>>();

// Returning nothing is fine whenever null is: sync or async, with or without `args`.
export const nothingSync = mutation({ args: {}, returns: v.null(), handler: () => {} });
export const nothingOrText = query({
  args: { n: v.number() },
  returns: v.union(v.string(), v.null()),
  handler: async (_ctx, { n }) => {
    if (n > 0) return "positive";
  },
});
export const nothingAny = action({ returns: v.any(), handler: async () => {} });

// ... and not otherwise. (A top-level `v.optional` does not accept the null the runtime sends.)
export const nothingForText = mutation({
  args: {},
  returns: v.string(),
  // @ts-expect-error returning nothing where a string is due
  handler: async () => {},
});
export const nothingForOptional = mutation({
  args: {},
  returns: v.optional(v.string()),
  // @ts-expect-error returning nothing: sent as null, which v.optional(v.string()) refuses
  handler: async () => {},
});

// A result that does not match `returns` is reported at the handler (the line after each
// expectation), not as "no overload matches" on the builder call.
export const wrongResult = mutation({
  args: { n: v.number() },
  returns: v.string(),
  // @ts-expect-error a number where `returns` says string
  handler: async (_ctx, { n }) => n,
});
export const wrongResultNoArgs = query({
  returns: v.string(),
  // @ts-expect-error the same without `args`
  handler: () => 1,
});

// What the builders record (the phantom types the generated references carry).
type ArgsOf<F extends { _args?: unknown }> = NonNullable<F["_args"]>;
type ResultOf<F extends { _returns?: unknown }> = F["_returns"];
expectTrue<Equal<ResultOf<typeof nothingSync>, null | undefined>>();
expectTrue<Equal<ResultOf<typeof nothingOrText>, string | null | undefined>>();

// The other forms keep their types: `args` types the handler's arguments (and refuses a
// contradicting annotation); without `args` the handler's annotation does.
export const validated = query({ args: { a: v.number() }, handler: (_ctx, { a }) => a * 2 });
expectTrue<Equal<ArgsOf<typeof validated>, { a: number }>>();
expectTrue<Equal<ResultOf<typeof validated>, number | undefined>>();
export const contradicted = query({
  args: { a: v.number() },
  // @ts-expect-error the validator says number
  handler: (_ctx, args: { a: string }) => args.a,
});
export const unvalidated = query({ handler: (_ctx, args: { y: string }) => args.y.length });
expectTrue<Equal<ArgsOf<typeof unvalidated>, { y: string }>>();
export const unvalidatedWithReturns = query({ returns: v.string(), handler: (_ctx, args: { y: string }) => args.y });
expectTrue<Equal<ArgsOf<typeof unvalidatedWithReturns>, { y: string }>>();
expectTrue<Equal<ResultOf<typeof unvalidatedWithReturns>, string | undefined>>();
export const bare = action(async (_ctx, args: { z: number }) => String(args.z));
expectTrue<Equal<ArgsOf<typeof bare>, { z: number }>>();
expectTrue<Equal<ResultOf<typeof bare>, string | undefined>>();
export const bareUntyped = action(() => 1);
expectTrue<Equal<ArgsOf<typeof bareUntyped>, Record<string, unknown>>>();
