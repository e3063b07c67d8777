// The validator for the `paginationOpts` argument of paginated queries (protocol.md §14).

import { v, type Validator, type ValidatorShape } from "../../values/validators.js";

/**
 * Validates `paginationOpts`; use it in the `args` of every paginated query.
 *
 * @example
 * export const list = query({
 *   args: { room: v.string(), paginationOpts: paginationOptsValidator },
 *   handler: (ctx, { room, paginationOpts }) =>
 *     ctx.db.query("messages").withIndex("by_room", (q) => q.eq("room", room)).paginate(paginationOpts),
 * });
 */
export const paginationOptsValidator = v.object({
  numItems: v.number(),
  cursor: v.union(v.string(), v.null()),
  endCursor: v.optional(v.union(v.string(), v.null())),
  id: v.optional(v.number()),
  maximumRowsRead: v.optional(v.number()),
  maximumBytesRead: v.optional(v.number()),
});

/**
 * Validates what `paginate()` returns, with `item` for each document of the page: for the
 * `returns` of a paginated query.
 *
 * @example
 * export const list = query({
 *   args: { paginationOpts: paginationOptsValidator },
 *   returns: paginationResultValidator(v.object({ _id: v.id("messages"), _creationTime: v.number(), body: v.string() })),
 *   handler: (ctx, { paginationOpts }) => ctx.db.query("messages").paginate(paginationOpts),
 * });
 */
export function paginationResultValidator<T, S extends ValidatorShape>(item: Validator<T, "required", S>) {
  return v.object({
    page: v.array(item),
    continueCursor: v.string(),
    isDone: v.boolean(),
    splitCursor: v.optional(v.union(v.string(), v.null())),
    pageStatus: v.optional(v.union(v.literal("SplitRecommended"), v.literal("SplitRequired"), v.null())),
  });
}
