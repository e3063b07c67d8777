// What a subscriber sees of a query: an immutable snapshot. A snapshot object is replaced only
// when the result really changed, so `a === b` means "nothing to render".

/**
 * The current result of a query.
 *
 * @example
 * const result = watch.getCurrentResult();
 * if (result.status === "success") render(result.value);
 * else if (result.status === "error") showError(result.error);
 */
export type QueryResult<T> =
  | { readonly status: "loading"; readonly value: undefined; readonly error: undefined }
  | { readonly status: "success"; readonly value: T; readonly error: undefined }
  | { readonly status: "error"; readonly value: undefined; readonly error: Error };

/** The one snapshot of every query that has no result yet. */
export const LOADING: QueryResult<never> = Object.freeze({ status: "loading", value: undefined, error: undefined });

export function successResult<T>(value: T): QueryResult<T> {
  return Object.freeze({ status: "success", value, error: undefined });
}

export function errorResult(error: Error): QueryResult<never> {
  return Object.freeze({ status: "error", value: undefined, error });
}
