// Keeps a TanStack QueryClient's cache in sync with live Syncline subscriptions: while a
// Syncline query has enabled observers (and, once the last observer left, until TanStack
// garbage-collects it after its gcTime), one Syncline subscription feeds it with setQueryData on
// every change. Observers that are all disabled (`enabled: false`) mean no subscription.

import type { Query, QueryCacheNotifyEvent, QueryClient } from "@tanstack/query-core";
import type { SynclineClient } from "../client/client.js";
import type { QueryWatch } from "../client/query-watch.js";
import { makeFunctionReference } from "../functions/reference.js";
import { decodeValue } from "../values/encoding.js";
import { isSynclineKey, type SynclineQueryKey } from "./query-key.js";
import { registerAdapter, unregisterAdapter, type LiveQuerySource } from "./registry.js";

interface Live {
  watch: QueryWatch<unknown>;
  stop: () => void;
}

/**
 * The bridge between one SynclineClient and one QueryClient.
 *
 * @example
 * const queryClient = new QueryClient();
 * new SynclineQueryClient(synclineClient, queryClient).connect();
 */
export class SynclineQueryClient implements LiveQuerySource {
  readonly #syncline: SynclineClient;
  readonly #queryClient: QueryClient;
  readonly #live = new Map<string, Live>();
  #unsubscribeCache: (() => void) | undefined;

  constructor(synclineClient: SynclineClient, queryClient: QueryClient) {
    this.#syncline = synclineClient;
    this.#queryClient = queryClient;
  }

  /** Starts following the QueryClient's cache. Returns `disconnect`. */
  connect(): () => void {
    if (this.#unsubscribeCache) return () => this.disconnect();
    registerAdapter(this.#queryClient, this);
    const cache = this.#queryClient.getQueryCache();
    this.#unsubscribeCache = cache.subscribe((event) => this.#onCacheEvent(event));
    // Queries observed before (say, before a disconnect()) get no new event: with data that never
    // goes stale TanStack will not fetch them again, so they go live here.
    for (const query of cache.getAll()) this.#follow(query);
    return () => this.disconnect();
  }

  /** Stops every subscription and stops following the cache. */
  disconnect(): void {
    this.#unsubscribeCache?.();
    this.#unsubscribeCache = undefined;
    unregisterAdapter(this.#queryClient, this);
    for (const live of this.#live.values()) live.stop();
    this.#live.clear();
  }

  /** Number of live Syncline subscriptions this bridge holds (for tests and devtools). */
  get liveQueries(): number {
    return this.#live.size;
  }

  /** @internal The queryFn: the first result of the (possibly new) live subscription. */
  firstResult(key: SynclineQueryKey): Promise<unknown> {
    // Hashed as TanStack hashes a bare key (setQueryData does the same): the client's defaults
    // and queryKeyHashFn apply.
    const live = this.#ensureLive(key, this.#queryClient.defaultQueryOptions({ queryKey: key }).queryHash);
    return new Promise((resolve, reject) => {
      const settle = () => {
        const result = live.watch.getCurrentResult();
        if (result.status === "loading") return false;
        if (result.status === "success") resolve(result.value);
        else reject(result.error);
        return true;
      };
      if (settle()) return;
      const stop = live.watch.subscribe(() => {
        if (settle()) stop();
      });
    });
  }

  #onCacheEvent(event: QueryCacheNotifyEvent): void {
    if (event.type === "observerAdded" || event.type === "observerRemoved" || event.type === "observerOptionsUpdated") this.#follow(event.query);
    // TanStack drops a query gcTime after its last observer left: that is when we unsubscribe.
    if (event.type === "removed") this.#stopLive(event.query);
  }

  /** Makes a Syncline query live while an observer wants it, and stops it when all are disabled. */
  #follow(query: Query): void {
    const key = query.queryKey;
    if (!isSynclineKey(key)) return;
    if (query.isActive()) this.#ensureLive(key, query.queryHash);
    // Without observers it stays live until garbage-collected, so its cached data stays current.
    else if (query.getObserversCount() > 0) this.#stopLive(query);
  }

  #ensureLive(key: SynclineQueryKey, hash: string): Live {
    let live = this.#live.get(hash);
    if (live !== undefined) return live;
    const [, name, encodedArgs] = key;
    const reference = makeFunctionReference("query", name);
    const watch = this.#syncline.watchQuery(reference, decodeValue(encodedArgs) as never) as QueryWatch<unknown>;
    const stop = watch.subscribe(() => this.#push(key, watch));
    live = { watch, stop };
    this.#live.set(hash, live);
    return live;
  }

  /** Copies a new result into the cache: data on success, the error state on failure. */
  #push(key: SynclineQueryKey, watch: QueryWatch<unknown>): void {
    const result = watch.getCurrentResult();
    if (result.status === "success") {
      this.#queryClient.setQueryData(key, result.value);
    } else if (result.status === "error") {
      const query = this.#queryClient.getQueryCache().find({ queryKey: key, exact: true });
      // Only once the query has data: before that the queryFn rejects with the same error.
      if (query !== undefined && query.state.data !== undefined) {
        query.setState({ status: "error", error: result.error, fetchStatus: "idle", errorUpdatedAt: Date.now(), errorUpdateCount: query.state.errorUpdateCount + 1 });
      }
    }
  }

  #stopLive(query: Query): void {
    const live = this.#live.get(query.queryHash);
    if (live === undefined) return;
    live.stop();
    this.#live.delete(query.queryHash);
  }
}
