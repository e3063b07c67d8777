// The validator for the `paginationOpts` argument of paginated queries (protocol.md §14).

import { v } from "../../values/validators.js";

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
