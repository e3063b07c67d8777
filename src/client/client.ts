// `SynclineClient`: the framework-free client. It checks references and arguments before anything
// is sent, and hands out live queries as small external stores (QueryWatch) that a framework
// binding wraps in a few lines. Paginated lists are built on those by `watchPaginatedQuery`.

import {
  assertClientReference,
  getFunctionName,
  type FunctionArgs,
  type FunctionReturnType,
  type OptionalRestArgs,
} from "../functions/reference.js";
import type { JSONValue } from "../values/value.js";
import { CallbackSubscription } from "./callback-subscription.js";
import { ClientLog } from "./client-log.js";
import { clientClosedError } from "./errors.js";
import { encodeArgs, queryToken, type QueryToken } from "./query-token.js";
import { QueryWatch } from "./query-watch.js";
import { SyncEngine } from "./sync-engine.js";
import type {
  ArgsAndOptions,
  AuthTokenFetcher,
  ClientDebugInfo,
  ConnectionState,
  MutationOptions,
  OptimisticLocalStore,
  PublicActionReference,
  PublicMutationReference,
  PublicQueryReference,
  SynclineClientOptions,
  WatchOptions,
} from "./types.js";

/** The engine of each client, for `inspectClient` (inspect.ts); not public API. */
export const engineOf = new WeakMap<SynclineClient, SyncEngine>();

/** How long `prewarm` keeps a query by default. */
const DEFAULT_PREWARM_MS = 5_000;

/**
 * The client: one WebSocket, deduplicated live queries, mutations in call order with
 * read-your-writes, parallel actions. Opens its socket on first use.
 *
 * @example
 * import WebSocket from "ws"; // Node < 22 only
 * const client = new SynclineClient("http://127.0.0.1:3210", { WebSocket });
 * const stop = client.subscribe(api.messages.list, { room: "a" }, (messages) => render(messages));
 * await client.mutation(api.messages.send, { room: "a", body: "hi" }); // the list shows it by now
 * stop();
 * await client.close();
 */
export class SynclineClient {
  /** The deployment URL this client talks to. */
  readonly url: string;
  readonly #engine: SyncEngine;
  readonly #staySubscribedMs: number;
  readonly #pendingQueries = new Set<(error: Error) => void>();

  constructor(url: string, options: SynclineClientOptions = {}) {
    this.url = url;
    this.#staySubscribedMs = options.staySubscribedMs ?? 0;
    this.#engine = new SyncEngine(url, { ...options, log: new ClientLog(options.logger, options.verbose ?? false) });
    engineOf.set(this, this.#engine);
  }

  /**
   * Subscribes to a query: `onUpdate` gets every new result (at once, if the client already has
   * one), `onError` every failure (logged when there is no `onError`). Returns the unsubscribe
   * function. Identical queries share one server subscription.
   *
   * @example
   * const stop = client.subscribe(api.messages.list, { room: "a" }, (messages) => render(messages));
   */
  subscribe<Q extends PublicQueryReference>(
    query: Q,
    args: FunctionArgs<Q>,
    onUpdate: (value: FunctionReturnType<Q>) => void,
    onError?: (error: Error) => void,
  ): () => void {
    const { name, encoded, token } = this.#target(query, args);
    const held = this.#engine.acquire(name, encoded, token);
    const subscription = new CallbackSubscription(this.#engine, held, onUpdate, onError);
    // A late subscriber gets the current value at once - after subscribe() returned, so the
    // callback can already unsubscribe.
    queueMicrotask(() => this.#engine.tell(subscription));
    return subscription.unsubscribe.bind(subscription);
  }

  /**
   * A live query as an external store (nothing is subscribed until its `subscribe` is called).
   *
   * @example
   * const watch = client.watchQuery(api.messages.list, { room: "a" });
   * const result = useSyncExternalStore(watch.subscribe, watch.getCurrentResult); // result.value: the messages
   */
  watchQuery<Q extends PublicQueryReference>(query: Q, ...argsAndOptions: ArgsAndOptions<Q, WatchOptions>): QueryWatch<FunctionReturnType<Q>> {
    const [args, options] = argsAndOptions;
    return this.#watch(query, args, options?.staySubscribedMs ?? this.#staySubscribedMs);
  }

  /**
   * Runs a query once: the current result if the client holds the query, else subscribes until
   * the first result.
   *
   * @example
   * const sum = await client.query(api.myFunctions.sum, { a: 1, b: 2 });
   */
  query<Q extends PublicQueryReference>(query: Q, ...args: OptionalRestArgs<Q>): Promise<FunctionReturnType<Q>> {
    let watch: QueryWatch<FunctionReturnType<Q>>;
    try {
      watch = this.#watch(query, args[0], this.#staySubscribedMs);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const current = watch.getCurrentResult();
    if (current.status === "success") return Promise.resolve(current.value);
    if (current.status === "error") return Promise.reject(current.error);
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        this.#pendingQueries.delete(fail);
        reject(error);
      };
      this.#pendingQueries.add(fail);
      const stop = watch.subscribe(() => {
        const result = watch.getCurrentResult();
        if (result.status === "loading") return;
        stop();
        this.#pendingQueries.delete(fail);
        if (result.status === "success") resolve(result.value);
        else reject(result.error);
      });
    });
  }

  /**
   * Runs a mutation. Mutations run one at a time in call order; the promise resolves once the
   * result is visible in every subscribed query (read-your-writes).
   *
   * @example
   * await client.mutation(api.messages.send, { room: "a", body: "hi" }, {
   *   optimisticUpdate: (store, { room, body }) => {
   *     const list = store.getQuery(api.messages.list, { room });
   *     if (list) store.setQuery(api.messages.list, { room }, [...list, { body }]);
   *   },
   * });
   */
  mutation<M extends PublicMutationReference>(
    mutation: M,
    ...argsAndOptions: ArgsAndOptions<M, MutationOptions<FunctionArgs<M>>>
  ): Promise<FunctionReturnType<M>> {
    try {
      assertClientReference(mutation, "mutation");
      const [args, options] = argsAndOptions;
      const encoded = encodeArgs(args);
      const update = options?.optimisticUpdate;
      const bound = update === undefined ? undefined : (store: OptimisticLocalStore) => update(store, (args ?? {}) as FunctionArgs<M>);
      return this.#engine.mutation(getFunctionName(mutation), encoded, bound) as Promise<FunctionReturnType<M>>;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Runs an action. Actions run in parallel; one in flight when the connection drops fails with
   * "Connection lost while action was in flight" (actions are never retried).
   *
   * @example
   * const { url } = await client.action(api.files.generateUploadUrl, {});
   */
  action<A extends PublicActionReference>(action: A, ...args: OptionalRestArgs<A>): Promise<FunctionReturnType<A>> {
    try {
      assertClientReference(action, "action");
      return this.#engine.action(getFunctionName(action), encodeArgs(args[0])) as Promise<FunctionReturnType<A>>;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Subscribes a query for a while without a subscriber, so its result is there when a view
   * asks for it (default: 5 s).
   *
   * @example
   * onHover(() => client.prewarm(api.messages.list, { room: "b" }));
   */
  prewarm<Q extends PublicQueryReference>(query: Q, ...argsAndOptions: ArgsAndOptions<Q, WatchOptions>): void {
    const [args, options] = argsAndOptions;
    const watch = this.#watch(query, args, options?.staySubscribedMs ?? Math.max(DEFAULT_PREWARM_MS, this.#staySubscribedMs));
    watch.subscribe(() => {})();
  }

  /** The connection's current state (a new object only when it changed). */
  connectionState(): ConnectionState {
    return this.#engine.connectionState();
  }

  /**
   * Calls `callback` whenever the connection state changes; returns the function that stops it.
   *
   * @example
   * client.onConnectionStateChange((state) => banner.toggle(!state.isConnected && state.hasEverConnected));
   */
  onConnectionStateChange(callback: (state: ConnectionState) => void): () => void {
    return this.#engine.onConnectionStateChange(callback);
  }

  /**
   * Connects at once when waiting to reconnect, skipping the rest of the backoff. For apps that
   * know better than a timer: a "retry now" button, a dev tool that saw the server restart, a
   * mobile app resuming. Browsers' `online` and visibility events already do this by themselves.
   *
   * @example
   * appState.on("resume", () => client.reconnectNow());
   */
  reconnectNow(): void {
    this.#engine.reconnectNow();
  }

  /**
   * Authenticates with tokens from `fetchToken`. Until the first token arrives the client sends
   * nothing; `onChange` reports whether the server accepted a token.
   *
   * @example
   * client.setAuth(async ({ forceRefreshToken }) => auth.getToken({ skipCache: forceRefreshToken }), (ok) => setSignedIn(ok));
   */
  setAuth(fetchToken: AuthTokenFetcher, onChange?: (isAuthenticated: boolean) => void): void {
    this.#engine.setAuth(fetchToken, onChange);
  }

  /** Stops authenticating. */
  clearAuth(): void {
    this.#engine.clearAuth();
  }

  /** A snapshot of subscriptions, requests, versions and the socket, for devtools. */
  debug(): ClientDebugInfo {
    return this.#engine.debug();
  }

  /** Closes the socket for good; every pending mutation, action and one-shot query rejects. */
  async close(): Promise<void> {
    this.#engine.close();
    const error = clientClosedError();
    for (const fail of [...this.#pendingQueries]) fail(error);
  }

  #watch<T>(query: PublicQueryReference, args: unknown, lingerMs: number): QueryWatch<T> {
    const { name, encoded, token } = this.#target(query, args);
    return new QueryWatch<T>(this.#engine, name, encoded, token, lingerMs);
  }

  /** Checks a query call before anything happens: reference, client state, arguments. */
  #target(query: PublicQueryReference, args: unknown): { name: string; encoded: JSONValue; token: QueryToken } {
    assertClientReference(query, "query");
    if (this.#engine.closed) throw clientClosedError();
    const name = getFunctionName(query);
    const encoded = encodeArgs(args);
    return { name, encoded, token: queryToken(name, encoded) };
  }
}
