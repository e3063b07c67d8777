// The public types of the client: references it accepts, options, optimistic updates, the
// connection state. Nothing here mentions the wire.

import type {
  DefaultArgs,
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
  OptionalRestArgs,
} from "../functions/reference.js";
import type { ReconnectBackoff } from "../../transport/backoff.js";
import type { WebSocketConstructor } from "../../transport/websocket.js";

/** A query a client may call: public, of kind query. */
export type PublicQueryReference = FunctionReference<"query", "public">;
/** A mutation a client may call. */
export type PublicMutationReference = FunctionReference<"mutation", "public">;
/** An action a client may call. */
export type PublicActionReference = FunctionReference<"action", "public">;

type HasRequiredKeys<T> = {} extends T ? false : true;

/**
 * The rest parameters `(args, options)` of a call: `args` may be left out when every field is
 * optional.
 */
export type ArgsAndOptions<R extends FunctionReference, Options> =
  HasRequiredKeys<FunctionArgs<R>> extends true ? [args: FunctionArgs<R>, options?: Options] : [args?: FunctionArgs<R>, options?: Options];

/**
 * The local view of query results an optimistic update reads and changes. Values read here are
 * shared with the UI: build new objects, never mutate them.
 */
export interface OptimisticLocalStore {
  /** The current (possibly already optimistic) value of a query, or undefined if it has none. */
  getQuery<Q extends PublicQueryReference>(query: Q, ...args: OptionalRestArgs<Q>): FunctionReturnType<Q> | undefined;
  /** Sets a query's value; `undefined` makes it "loading". */
  setQuery<Q extends PublicQueryReference>(query: Q, args: FunctionArgs<Q>, value: FunctionReturnType<Q> | undefined): void;
  /** Every query of a function the client holds, with its args and current value. */
  getAllQueries<Q extends PublicQueryReference>(query: Q): { args: FunctionArgs<Q>; value: FunctionReturnType<Q> | undefined }[];
}

/**
 * Changes the local store as if a mutation had already happened; undone or replaced by the
 * server's truth once the mutation settles. Must be synchronous.
 *
 * @example
 * const optimisticUpdate: OptimisticUpdate<{ room: string; body: string }> = (store, { room, body }) => {
 *   const list = store.getQuery(api.messages.list, { room });
 *   if (list) store.setQuery(api.messages.list, { room }, [...list, { body, _id: "draft" }]);
 * };
 */
export type OptimisticUpdate<Args extends DefaultArgs = DefaultArgs> = (localStore: OptimisticLocalStore, args: Args) => void;

export interface MutationOptions<Args extends DefaultArgs = DefaultArgs> {
  optimisticUpdate?: OptimisticUpdate<Args>;
}

export interface WatchOptions {
  /** Keep the subscription (and its result) this long after the last listener left. */
  staySubscribedMs?: number;
}

/** Where the client writes: `console` by default. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Returns a JWT for the current user, or null/undefined when there is none. With
 * `forceRefreshToken` it must not return a cached token: the server rejected it.
 */
export type AuthTokenFetcher = (args: { forceRefreshToken: boolean }) => Promise<string | null | undefined>;

/** How the client's connection is doing. A new object only when something changed. */
export interface ConnectionState {
  /** A socket is open. */
  readonly isConnected: boolean;
  /** A socket was open before and the client is trying to get a new one. */
  readonly isReconnecting: boolean;
  readonly hasEverConnected: boolean;
  /** Sockets opened so far. */
  readonly connectionCount: number;
  /** Failed attempts since the last healthy socket. */
  readonly retries: number;
  readonly inflightMutations: number;
  readonly inflightActions: number;
  /** When the oldest mutation or action still in flight was called (ms since epoch), or null. */
  readonly oldestInflightRequestAt: number | null;
  /** `close()` was called. */
  readonly isClosed: boolean;
}

export interface SynclineClientOptions {
  /** The WebSocket class; required in Node < 22 (`import WebSocket from "ws"`). */
  WebSocket?: WebSocketConstructor;
  /** Where log lines go (default `console`); `false` silences the client. */
  logger?: Logger | false;
  /** Timestamped debug lines: socket states, messages by type, backoff. */
  verbose?: boolean;
  /**
   * Ask before the page unloads while a mutation is not yet committed. Default: true in
   * browsers; passing true where there is no `window` is an error.
   */
  unsavedChangesWarning?: boolean;
  /** Keep a query subscribed this long after its last subscriber left (default 0). */
  staySubscribedMs?: number;
  /** Reconnect when the server sent nothing for this long (default 60 s). */
  inactivityTimeoutMs?: number;
  /**
   * How long to wait between reconnect attempts: the first retry after the server went away waits
   * about `minMs` (default 1 s), each further failure doubles it, and no wait is longer than
   * `maxMs` (default 5 s) - so once the server is back, the client is too within `maxMs`. Waits are
   * jittered down to half their value. `client.reconnectNow()` skips the current wait.
   *
   * @example
   * new SynclineClient(url, { reconnectBackoff: { minMs: 250, maxMs: 2_000 } });
   */
  reconnectBackoff?: ReconnectBackoff;
  /** Refresh a token this long before it expires (default 10 s). */
  authRefreshLeewaySeconds?: number;
}

/** A snapshot of the client's internals, for devtools. */
export interface ClientDebugInfo {
  readonly subscriptions: readonly {
    readonly queryId: number;
    readonly name: string;
    readonly args: unknown;
    readonly refCount: number;
    readonly hasResult: boolean;
    readonly listeners: boolean;
  }[];
  readonly inflight: readonly {
    readonly requestId: number;
    readonly kind: "mutation" | "action";
    readonly name: string;
    readonly state: "unsent" | "sent" | "committed";
    readonly hasOptimisticUpdate: boolean;
  }[];
  readonly versions: {
    readonly querySet: number;
    readonly identity: number;
    /** The socket's state version ts, as a decimal string. */
    readonly ts: string;
    readonly maxObservedTimestamp: string | null;
  };
  readonly socket: {
    readonly state: string;
    readonly connectionCount: number;
    readonly retries: number;
    readonly lastCloseReason: string | null;
  };
  readonly auth: string;
}
