// The shapes of paginated queries (protocol.md §14), shared by the server's `paginate()` and
// the client's paginated subscriptions.

/** The `paginationOpts` argument of a paginated query. */
export interface PaginationOptions {
  numItems: number;
  cursor: string | null;
  endCursor?: string | null;
  id?: number;
  maximumRowsRead?: number;
  maximumBytesRead?: number;
}

/** What a paginated query returns: a page of results. */
export interface PaginationResult<T> {
  page: T[];
  isDone: boolean;
  continueCursor: string;
  splitCursor?: string | null;
  pageStatus?: "SplitRecommended" | "SplitRequired" | null;
}
