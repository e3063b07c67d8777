// Query options for Syncline references: keys that read well in TanStack Query Devtools
// (`["syncline", "messages:list", { room: "a" }]`), a live queryFn, data that never goes stale
// (the server pushes every change), no retries (a live query's error is the server's answer, and
// the subscription itself delivers the recovery).

import { skipToken, type DataTag, type QueryFunction, type QueryFunctionContext } from "@tanstack/query-core";
import type { PublicQueryReference } from "../client/types.js";
import { assertClientReference, getFunctionName, type FunctionArgs, type FunctionReturnType, type OptionalRestArgs } from "../functions/reference.js";
import { encodeValue } from "../values/encoding.js";
import type { Value } from "../values/value.js";
import { SYNCLINE_KEY, type SynclineQueryKey } from "./query-key.js";
import { adapterFor } from "./registry.js";

/** Options for `useQuery`, `useSuspenseQuery`, `useQueries`, `prefetchQuery`, `ensureQueryData`. */
export interface SynclineQueryOptions<Q extends PublicQueryReference> {
  queryKey: DataTag<SynclineQueryKey, FunctionReturnType<Q>, Error>;
  queryFn: QueryFunction<FunctionReturnType<Q>, SynclineQueryKey>;
  staleTime: number;
  /** Retrying would ask the same deterministic query again and only delay the error (by ~7 s). */
  retry: false;
}

/** Options of a skipped query: `skipToken` as queryFn, so TanStack neither fetches nor subscribes. */
export interface SkippedSynclineQueryOptions<Q extends PublicQueryReference> {
  queryKey: DataTag<SynclineQueryKey, FunctionReturnType<Q>, Error>;
  queryFn: typeof skipToken;
  staleTime: number;
}

/**
 * Query options for a live Syncline query. `"skip"` means no subscription and no request.
 *
 * @example
 * const { data } = useQuery(synclineQuery(api.messages.list, { room }));
 * await queryClient.prefetchQuery(synclineQuery(api.messages.list, { room: "general" }));
 */
export function synclineQuery<Q extends PublicQueryReference>(query: Q, args: "skip"): SkippedSynclineQueryOptions<Q>;
export function synclineQuery<Q extends PublicQueryReference>(query: Q, ...args: OptionalRestArgs<Q>): SynclineQueryOptions<Q>;
export function synclineQuery<Q extends PublicQueryReference>(
  query: Q,
  args?: FunctionArgs<Q> | "skip",
): SynclineQueryOptions<Q> | SkippedSynclineQueryOptions<Q> {
  assertClientReference(query, "query");
  const name = getFunctionName(query);
  if (args === "skip") {
    return { queryKey: [SYNCLINE_KEY, name, "skip"] as unknown as SynclineQueryOptions<Q>["queryKey"], queryFn: skipToken, staleTime: Infinity };
  }
  return {
    queryKey: [SYNCLINE_KEY, name, encodeValue((args ?? {}) as Value, "args")] as unknown as SynclineQueryOptions<Q>["queryKey"],
    queryFn: synclineQueryFn as QueryFunction<FunctionReturnType<Q>, SynclineQueryKey>,
    staleTime: Infinity,
    retry: false,
  };
}

/**
 * The queryFn of every Syncline query: it starts (or joins) the live subscription and resolves
 * with its first result, so a mount costs one execution on the server, not a fetch plus a
 * subscription.
 */
export function synclineQueryFn(context: QueryFunctionContext<SynclineQueryKey>): Promise<unknown> {
  return adapterFor(context.client).firstResult(context.queryKey);
}
