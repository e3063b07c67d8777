// Paginated live lists in React: the pages, their status and `loadMore`.

import { useDebugValue, useMemo, useRef, useSyncExternalStore } from "react";
import {
  watchPaginatedQuery,
  type PaginatedQueryArgs,
  type PaginatedQueryItem,
  type PaginatedQueryReference,
  type PaginatedQueryResult,
  type PaginatedQueryWatch,
  type PaginationStatus,
} from "../src/client/paginated-query.js";
import { getFunctionName } from "../src/functions/reference.js";
import { encodeValue } from "../src/values/encoding.js";
import type { Value } from "../src/values/value.js";
import { useSyncline } from "./context.js";

/** What `usePaginatedQuery` returns. */
export interface UsePaginatedQueryResult<Item> {
  results: readonly Item[];
  status: PaginationStatus;
  /** True while the first page loads. */
  isLoading: boolean;
  /** Loads `numItems` more; does nothing unless the status is `CanLoadMore`. */
  loadMore: (numItems: number) => void;
  /** The error of a failed page (earlier pages stay in `results`). */
  error: Error | undefined;
}

const SKIPPED: PaginatedQueryResult<never> = Object.freeze({ results: Object.freeze([]), status: "LoadingFirstPage", error: undefined });
const noSubscription = () => () => {};
const skipped = () => SKIPPED;
const ignoreLoadMore = () => {};

/**
 * A live paginated list. Pages stay gapless as items are added and removed; a cursor the server
 * no longer accepts restarts from the first page.
 *
 * @example
 * const { results, status, loadMore } = usePaginatedQuery(api.messages.list, { room }, { initialNumItems: 20 });
 * <button disabled={status !== "CanLoadMore"} onClick={() => loadMore(20)}>Load more</button>
 */
export function usePaginatedQuery<Q extends PaginatedQueryReference>(
  query: Q,
  args: PaginatedQueryArgs<Q> | "skip",
  options: { initialNumItems: number },
): UsePaginatedQueryResult<PaginatedQueryItem<Q>> {
  const client = useSyncline();
  const kept = useRef<{ key: string; client: unknown; watch: PaginatedQueryWatch<PaginatedQueryItem<Q>> } | undefined>(undefined);
  let watch: PaginatedQueryWatch<PaginatedQueryItem<Q>> | undefined;
  if (args !== "skip") {
    const key = `${getFunctionName(query)}\u0000${JSON.stringify(encodeValue(args as Value))}\u0000${options.initialNumItems}`;
    if (kept.current?.key !== key || kept.current.client !== client) {
      kept.current = { key, client, watch: watchPaginatedQuery(client, query, args, options) };
    }
    watch = kept.current.watch;
  }
  const result = useSyncExternalStore(
    watch?.subscribe ?? noSubscription,
    watch?.getCurrentResult ?? skipped,
    watch?.getCurrentResult ?? skipped,
  ) as PaginatedQueryResult<PaginatedQueryItem<Q>>;
  // One function per watch, so it can go in dependency lists and memoized props.
  const loadMore = useMemo(() => (watch ? (numItems: number) => void watch.loadMore(numItems) : ignoreLoadMore), [watch]);
  useDebugValue(`${getFunctionName(query)}: ${result.status}, ${result.results.length} items`);
  return {
    results: result.results,
    status: result.status,
    isLoading: result.status === "LoadingFirstPage",
    loadMore,
    error: result.error,
  };
}
