// The shapes of paginated queries (protocol.md §14), shared by the server's `paginate()` and
// the client's paginated subscriptions.
//
// Optional fields say `| undefined` explicitly: under `exactOptionalPropertyTypes`, `?: T` alone
// would refuse what `paginationOptsValidator` (whose `v.optional` fields infer `T | undefined`)
// hands a handler, so `paginate(args.paginationOpts)` and the client's paginated APIs would
// refuse the documented pattern. Without that option the two spellings mean the same.

/**
 * The `paginationOpts` argument of a paginated query.
 *
 * @example
 * const first: PaginationOptions = { numItems: 20, cursor: null };
 */
export interface PaginationOptions {
  numItems: number;
  cursor: string | null;
  endCursor?: string | null | undefined;
  id?: number | undefined;
  maximumRowsRead?: number | undefined;
  maximumBytesRead?: number | undefined;
}

/**
 * What a paginated query returns: a page of results.
 *
 * @example
 * const { page, isDone, continueCursor } = await ctx.db.query("messages").paginate(opts);
 */
export interface PaginationResult<T> {
  page: T[];
  isDone: boolean;
  continueCursor: string;
  splitCursor?: string | null | undefined;
  pageStatus?: "SplitRecommended" | "SplitRequired" | null | undefined;
}
