// Live query results in React: useQuery (data, throws errors to the nearest error boundary),
// useQueryState (never throws), useSuspenseQuery (suspends until the first result).

import { useDebugValue, useEffect, useRef, useSyncExternalStore } from "react";
import { LOADING, type QueryResult } from "../src/client/query-result.js";
import type { QueryWatch } from "../src/client/query-watch.js";
import type { PublicQueryReference } from "../src/client/types.js";
import { getFunctionName, type FunctionReturnType } from "../src/functions/reference.js";
import { readHookArgs, type QueryHookArgs } from "./query-args.js";
import { useSyncline } from "./context.js";
import { useIsServerRendering } from "./server-rendering.js";
import { endWait, waitForFirstResult } from "./suspense-wait.js";
import { useStableWatch, watchFor } from "./use-watch.js";

/** What `useQueryState` returns. */
export type QueryState<T> =
  | { status: "pending"; data: undefined; error: undefined; isPlaceholder: false }
  | { status: "success"; data: T; error: undefined; isPlaceholder: boolean }
  | { status: "error"; data: undefined; error: Error; isPlaceholder: false }
  | { status: "skipped"; data: undefined; error: undefined; isPlaceholder: false };

const noSubscription = () => () => {};
const loading = () => LOADING;

/** Subscribes a watch (or nothing) and returns its current snapshot. */
function useWatchResult<T>(watch: QueryWatch<T> | undefined): QueryResult<T> {
  return useSyncExternalStore(watch?.subscribe ?? noSubscription, watch?.getCurrentResult ?? loading, watch?.getCurrentResult ?? loading);
}

/**
 * The state of a live query: never throws. `"skip"` gives status `"skipped"`.
 *
 * @example
 * const { status, data, error } = useQueryState(api.messages.list, { room });
 * if (status === "error") return <p>{error.message}</p>;
 */
export function useQueryState<Q extends PublicQueryReference>(query: Q, ...rest: QueryHookArgs<Q>): QueryState<FunctionReturnType<Q>> {
  const { args, skip, options } = readHookArgs(rest);
  const watch = useStableWatch(query, args, options.staySubscribedMs);
  const result = useWatchResult(watch);
  const lastData = useRef<{ value: FunctionReturnType<Q> } | undefined>(undefined);
  let state: QueryState<FunctionReturnType<Q>>;
  if (skip) {
    state = { status: "skipped", data: undefined, error: undefined, isPlaceholder: false };
  } else if (result.status === "success") {
    lastData.current = { value: result.value };
    state = { status: "success", data: result.value, error: undefined, isPlaceholder: false };
  } else if (result.status === "error") {
    state = { status: "error", data: undefined, error: result.error, isPlaceholder: false };
  } else if (options.keepPreviousData && lastData.current !== undefined) {
    state = { status: "success", data: lastData.current.value, error: undefined, isPlaceholder: true };
  } else {
    state = { status: "pending", data: undefined, error: undefined, isPlaceholder: false };
  }
  useDebugValue(state, (s) => `${getFunctionName(query)}: ${s.status}${s.isPlaceholder ? " (placeholder)" : ""}`);
  return state;
}

/**
 * A live query's result, or `undefined` while it loads (or when skipped). A query error is
 * thrown, so the nearest error boundary shows it.
 *
 * @example
 * const messages = useQuery(api.messages.list, { room });
 * if (messages === undefined) return <Spinner />;
 */
export function useQuery<Q extends PublicQueryReference>(query: Q, ...rest: QueryHookArgs<Q>): FunctionReturnType<Q> | undefined {
  const state = useQueryState(query, ...rest);
  useDebugValue(state.status);
  if (state.status === "error") throw state.error;
  return state.data;
}

/**
 * How long a suspended query stays subscribed after its result, waiting for its component to
 * mount: React retries a suspended render a while after the result came (it throttles retries,
 * and suspending siblings retry once per query), and an abandoned render never mounts.
 */
const SUSPENSE_LINGER_MS = 10_000;

/**
 * The least a suspended query waits, whatever `staySubscribedMs` says: with less, React's retry
 * could find the result gone and suspend again.
 */
const MIN_SUSPENSE_LINGER_MS = 1_000;

/**
 * A live query that suspends until its first result, then stays live. Errors are thrown.
 * `staySubscribedMs` applies once the component has mounted, as for `useQuery`. Until then the
 * query stays subscribed for React's retry of the render: up to 10 s after the result, or
 * `staySubscribedMs` but at least 1 s.
 *
 * On the server it throws a `ClientOnlyError` without subscribing (no hook opens a socket
 * there): React sends the nearest Suspense fallback and the browser renders the component, as
 * React documents for client-only content. For data in the server's HTML, use `preloadQuery`
 * and `usePreloadedQuery`.
 *
 * @example
 * <Suspense fallback={<Spinner />}><Messages room={room} /></Suspense>
 * function Messages({ room }) { const messages = useSuspenseQuery(api.messages.list, { room }); ... }
 */
export function useSuspenseQuery<Q extends PublicQueryReference>(
  query: Q,
  ...rest: QueryHookArgs<Q> extends [infer A, ...infer _] ? [args: Exclude<A, "skip">, options?: { staySubscribedMs?: number }] : never
): FunctionReturnType<Q> {
  const { args, options } = readHookArgs(rest);
  const client = useSyncline();
  const watch = useStableWatch(query, args, options.staySubscribedMs)!;
  const result = useWatchResult(watch);
  const serverRendering = useIsServerRendering();
  // Mounted: the subscription of useWatchResult (made in an earlier effect) holds the query now.
  useEffect(() => endWait(client, watch.key), [client, watch.key]);
  useDebugValue(`${getFunctionName(query)}: ${result.status}`);
  if (result.status === "success") return result.value;
  if (result.status === "error") throw result.error;
  // React's way of leaving a part of the page to the browser: an error inside a Suspense
  // boundary makes the server send the fallback and the browser render the part itself. (A
  // promise that never settles would do for renderToString but hold a streaming render open.)
  if (serverRendering) throw new ClientOnlyError(getFunctionName(query));
  const holdMs = Math.max(options.staySubscribedMs ?? SUSPENSE_LINGER_MS, MIN_SUSPENSE_LINGER_MS);
  throw waitForFirstResult(client, watchFor(client, query, args!, 0), holdMs);
}

/**
 * What `useSuspenseQuery` throws during server rendering, for its Suspense boundary: the query
 * loads in the browser. Server renderers report it through their `onError`; it is expected there.
 */
export class ClientOnlyError extends Error {
  override readonly name = "ClientOnlyError";
  constructor(queryName: string) {
    super(`useSuspenseQuery(${queryName}) loads in the browser: the server sends the Suspense fallback. Use preloadQuery and usePreloadedQuery to put the data in the server's HTML.`);
  }
}
