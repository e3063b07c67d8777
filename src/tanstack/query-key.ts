// The key of a Syncline query in TanStack Query: `["syncline", "messages:list", { room: "a" }]`
// (readable in TanStack Query Devtools). Its own module, read by the query options that make
// keys and by the adapter and its registry that subscribe to them.

import type { JSONValue } from "../values/value.js";

/** The first element of every Syncline query key. */
export const SYNCLINE_KEY = "syncline";

/** The key of a Syncline query: the function's name and its (encoded) arguments. */
export type SynclineQueryKey = readonly [typeof SYNCLINE_KEY, string, JSONValue];

/**
 * True for keys made by `synclineQuery`.
 *
 * @example
 * queryClient.getQueryCache().findAll({ predicate: (query) => isSynclineKey(query.queryKey) });
 */
export function isSynclineKey(key: readonly unknown[]): key is SynclineQueryKey {
  return key[0] === SYNCLINE_KEY && typeof key[1] === "string" && key.length === 3 && key[2] !== "skip";
}
