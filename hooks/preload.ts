// Server-side rendering: fetch a query's result over HTTP on the server, hand it to the page,
// and let the page show it at once and go live without a flash.

import { useDebugValue, useMemo } from "react";
import { SynclineHttpClient } from "../src/client/http-client.js";
import type { PublicQueryReference } from "../src/client/types.js";
import { getFunctionName, makeFunctionReference, type FunctionArgs, type FunctionReturnType, type OptionalRestArgs } from "../src/functions/reference.js";
import { decodeValue, encodeValue } from "../src/values/encoding.js";
import type { JSONValue, Value } from "../src/values/value.js";
import type { QueryHookArgs } from "./query-args.js";
import { useQueryState } from "./use-query.js";

/** A query result fetched on the server; serializable (pass it from a loader to the page). */
export interface Preloaded<Q extends PublicQueryReference> {
  readonly __type?: Q;
  readonly name: string;
  readonly args: JSONValue;
  readonly value: JSONValue;
}

/**
 * Runs a query over HTTP (on the server, while rendering) and returns its result for
 * `usePreloadedQuery`.
 *
 * @example
 * const preloaded = await preloadQuery(api.messages.list, { room }, { url: process.env.SYNCLINE_URL!, token });
 */
export async function preloadQuery<Q extends PublicQueryReference>(
  query: Q,
  args: FunctionArgs<Q>,
  options: { url: string; token?: string; fetch?: typeof fetch },
): Promise<Preloaded<Q>> {
  const client = new SynclineHttpClient(options.url, options.fetch ? { fetch: options.fetch } : {});
  if (options.token) client.setAuth(options.token);
  const value = await client.query(query, ...([args] as unknown as OptionalRestArgs<Q>));
  return { name: getFunctionName(query), args: encodeValue(args as Value), value: encodeValue(value as Value) };
}

/**
 * Shows a preloaded result at once and keeps it live: the preloaded value stands until the live
 * subscription has its first result, so there is no loading state in between.
 *
 * @example
 * const messages = usePreloadedQuery(preloaded);
 */
export function usePreloadedQuery<Q extends PublicQueryReference>(preloaded: Preloaded<Q>): FunctionReturnType<Q> {
  const reference = useMemo(() => makeFunctionReference("query", preloaded.name) as unknown as Q, [preloaded.name]);
  const args = useMemo(() => decodeValue(preloaded.args) as FunctionArgs<Q>, [preloaded.args]);
  const initial = useMemo(() => decodeValue(preloaded.value) as FunctionReturnType<Q>, [preloaded.value]);
  const state = useQueryState(reference, ...([args] as unknown as QueryHookArgs<Q>));
  useDebugValue(`${preloaded.name}: ${state.status === "success" ? "live" : "preloaded"}`);
  if (state.status === "error") throw state.error;
  return state.status === "success" ? state.data : initial;
}
