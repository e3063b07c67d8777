// Which SynclineQueryClient feeds which QueryClient: the queryFn only gets the QueryClient.

import type { QueryClient } from "@tanstack/query-core";
import type { SynclineQueryKey } from "./query-key.js";

/** What the queryFn needs from the adapter. */
export interface LiveQuerySource {
  firstResult(key: SynclineQueryKey): Promise<unknown>;
}

const adapters = new WeakMap<QueryClient, LiveQuerySource>();

export function registerAdapter(queryClient: QueryClient, adapter: LiveQuerySource): void {
  adapters.set(queryClient, adapter);
}

export function unregisterAdapter(queryClient: QueryClient, adapter: LiveQuerySource): void {
  if (adapters.get(queryClient) === adapter) adapters.delete(queryClient);
}

export function adapterFor(queryClient: QueryClient): LiveQuerySource {
  const adapter = adapters.get(queryClient);
  if (adapter === undefined) {
    throw new Error("This QueryClient is not connected to Syncline: call new SynclineQueryClient(synclineClient, queryClient).connect() first.");
  }
  return adapter;
}
