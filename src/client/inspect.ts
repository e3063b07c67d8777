// `inspectClient(client, listener)`: the client's life as a stream of events, for devtools. It
// costs nothing until someone listens: the engine's `tap` is undefined then and every place that
// reports reads `tap?.`, so not even an event object is built - and an app that never calls
// inspectClient does not ship this module. The client keeps no history: a listener gets a
// snapshot of the present first, and keeps what it needs.

import type { FunctionKind } from "../functions/reference.js";
import type { Value } from "../values/value.js";
import type { CloseInfo, OpenInfo } from "../../transport/websocket.js";
import { engineOf, type SynclineClient } from "./client.js";
import { LOG_LINE } from "./client-log.js";
import { decodeFromServer } from "./decode.js";
import { tokenPayload } from "./jwt.js";
import type { QueryResult } from "./query-result.js";
import type { LocalQuery } from "./query-set.js";
import { argsOfToken, type QueryToken } from "./query-token.js";
import type { PendingRequest, RequestOutcome } from "./request-queue.js";
import type { SyncEngine } from "./sync-engine.js";
import type { ConnectionState } from "./types.js";
import type { EngineTap } from "./engine-tap.js";

/** What the client knows about the signed-in user. Never the token itself. */
export interface InspectedAuth {
  /** `none`: no auth; `fetching` / `refreshing`: asking for a token; `waiting`: the server has not confirmed it yet. */
  readonly state: "none" | "fetching" | "waiting" | "confirmed" | "refreshing";
  /** The claims of the token presented (null without one, or when it is not a JWT). */
  readonly claims: Readonly<Record<string, unknown>> | null;
  /** When that token expires (ms since epoch), from its `exp` claim. */
  readonly expiresAt: number | null;
}

/** A query the client holds. */
export interface InspectedQuery {
  readonly queryId: number;
  readonly name: string;
  readonly args: Value;
  /** Subscribers holding it. */
  readonly refCount: number;
  /** What it shows now (an optimistic value while a mutation's update is laid over it). */
  readonly result: QueryResult<Value>;
}

/** A mutation or action in flight. */
export interface InspectedRequest {
  readonly requestId: number;
  readonly kind: "mutation" | "action";
  readonly name: string;
  readonly args: Value;
  /** When it was called (ms since epoch). */
  readonly calledAt: number;
  /** An optimistic update was applied for it. */
  readonly optimistic: boolean;
}

/**
 * One thing that happened in the client. Every event has `at`, the time it happened (ms since epoch).
 *
 * - `snapshot`: the present, sent first to every new listener;
 * - `query`: a query was added or its subscriber count changed (`refCount: 0`: it is gone);
 * - `queryResult`: what a query shows changed (a server result, an optimistic value, a rollback);
 * - `request` / `requestSettled`: a mutation or action was called / has its result or error;
 * - `log`: a function's `console` line;
 * - `socketOpened` / `socketClosed`: a socket came and went (with why, and the backoff before the next);
 * - `connection`: `client.connectionState()` changed;
 * - `auth`: the auth state or the token's claims changed.
 */
export type ClientEvent =
  | {
      readonly type: "snapshot";
      readonly at: number;
      readonly url: string;
      /** Made once per client, kept across reconnects. */
      readonly sessionId: string;
      readonly queries: readonly InspectedQuery[];
      readonly requests: readonly InspectedRequest[];
      readonly connection: ConnectionState;
      /** Why the last socket closed (null while one is open). */
      readonly lastCloseReason: string | null;
      readonly auth: InspectedAuth;
    }
  | { readonly type: "query"; readonly at: number; readonly queryId: number; readonly name: string; readonly args: Value; readonly refCount: number }
  | { readonly type: "queryResult"; readonly at: number; readonly queryId: number; readonly name: string; readonly result: QueryResult<Value>; readonly optimistic: boolean }
  | ({ readonly type: "request"; readonly at: number } & InspectedRequest)
  | ({
      readonly type: "requestSettled";
      readonly at: number;
      readonly requestId: number;
      readonly kind: "mutation" | "action";
      readonly name: string;
    } & ({ readonly ok: true; readonly value: Value } | { readonly ok: false; readonly error: string; readonly errorData?: Value }))
  | {
      readonly type: "log";
      readonly at: number;
      readonly kind: FunctionKind;
      readonly name: string;
      readonly level: LogLevel;
      /** The line without its level tag. */
      readonly message: string;
    }
  | { readonly type: "socketOpened"; readonly at: number; readonly connectionCount: number; readonly lastCloseReason: string | null }
  | { readonly type: "socketClosed"; readonly at: number; readonly code: number; readonly reason: string; readonly wasOpen: boolean; readonly reconnectInMs: number }
  | { readonly type: "connection"; readonly at: number; readonly state: ConnectionState }
  | { readonly type: "auth"; readonly at: number; readonly auth: InspectedAuth };

/** An event without its time, as the hub builds it. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type ClientEventInput = DistributiveOmit<ClientEvent, "at">;

/** The level of a function's log line: the `console` method it called. */
export type LogLevel = "debug" | "info" | "log" | "warn" | "error";

export type ClientEventListener = (event: ClientEvent) => void;

/**
 * Calls `listener` with everything `client` does, for devtools: first a `snapshot` of the present
 * (queries with their results, requests in flight, connection, auth), then one event per change:
 * queries added and released, new results, mutations and actions called and settled, the
 * functions' log lines, sockets opening and closing, connection and auth changes. Returns the
 * function that stops it. Auth events carry the token's claims, never the token.
 *
 * @example
 * const stop = inspectClient(client, (event) => {
 *   if (event.type === "log") console.log(event.name, event.level, event.message);
 *   if (event.type === "requestSettled" && !event.ok) console.warn(event.name, event.error);
 * });
 */
export function inspectClient(client: SynclineClient, listener: ClientEventListener): () => void {
  const engine = engineOf.get(client);
  if (engine === undefined) throw new TypeError("inspectClient takes a SynclineClient.");
  const hub = engine.tap instanceof InspectionHub ? engine.tap : new InspectionHub(engine, client);
  return hub.add(listener);
}

/** The listeners of one client: installed as its engine's tap while there is at least one. */
class InspectionHub implements EngineTap {
  readonly #engine: SyncEngine;
  readonly #client: SynclineClient;
  readonly #internals: ReturnType<SyncEngine["inspection"]>;
  readonly #listeners = new Set<ClientEventListener>();
  /** The result last reported per query, so an unchanged one is not reported again. */
  readonly #reported = new WeakMap<LocalQuery, QueryResult<Value>>();
  #stopConnection: (() => void) | undefined;

  constructor(engine: SyncEngine, client: SynclineClient) {
    this.#engine = engine;
    this.#client = client;
    this.#internals = engine.inspection();
  }

  add(listener: ClientEventListener): () => void {
    if (this.#listeners.size === 0) {
      this.#engine.tap = this;
      this.#stopConnection = this.#client.onConnectionStateChange((state) => this.#emit({ type: "connection", state }));
    }
    this.#listeners.add(listener);
    const { sessionId, querySet, requests, transport } = this.#internals;
    const queries = [...querySet].map((query) => ({ ...this.#query(query), result: this.#result(query) }));
    this.#emit(
      {
        type: "snapshot",
        url: this.#client.url,
        sessionId,
        queries,
        requests: [...requests.values()].map((request) => this.#request(request)),
        connection: this.#client.connectionState(),
        lastCloseReason: transport.lastCloseReason,
        auth: this.#auth(),
      },
      [listener],
    );
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0) return;
      // The last listener left: the client goes back to doing no work for inspection at all.
      if (this.#engine.tap === this) this.#engine.tap = undefined;
      this.#stopConnection?.();
    };
  }

  // ---- the engine's reports ----------------------------------------------------------------------

  query(query: LocalQuery): void {
    this.#emit({ type: "query", ...this.#query(query) });
  }

  results(changed: readonly LocalQuery[], optimisticTokens: readonly QueryToken[]): void {
    const { querySet, layers } = this.#internals;
    for (const query of [...changed, ...optimisticTokens.map((token) => querySet.get(token))]) {
      if (query === undefined || query.refCount === 0) continue;
      const previous = this.#reported.get(query);
      const result = this.#result(query);
      if (result === previous) continue;
      this.#emit({ type: "queryResult", queryId: query.id, name: query.udfPath, result, optimistic: layers.result(query.token) !== undefined });
    }
  }

  request(request: PendingRequest): void {
    this.#emit({ type: "request", ...this.#request(request) });
  }

  settled(request: PendingRequest, outcome: RequestOutcome | Error): void {
    const { requestId, udfPath: name } = request.message;
    const base = { type: "requestSettled", requestId, kind: request.kind, name } as const;
    if (outcome instanceof Error) this.#emit({ ...base, ok: false, error: outcome.message });
    else if (outcome.ok) this.#emit({ ...base, ok: true, value: outcome.value });
    else this.#emit({ ...base, ok: false, error: outcome.message, ...(outcome.errorData !== undefined ? { errorData: outcome.errorData } : {}) });
  }

  lines(kind: FunctionKind, name: string, lines: readonly string[]): void {
    for (const line of lines) {
      // A line in an unknown format is printed as a warning (ClientLog): reported as one too.
      const match = LOG_LINE.exec(line);
      const level = (match?.[1]?.toLowerCase() ?? "warn") as LogLevel;
      this.#emit({ type: "log", kind, name, level, message: match ? line.slice(match[0].length) : line });
    }
  }

  opened(info: OpenInfo): void {
    this.#emit({ type: "socketOpened", connectionCount: this.#internals.transport.connectionCount, lastCloseReason: info.lastCloseReason });
  }

  closed(info: CloseInfo): void {
    this.#emit({ type: "socketClosed", code: info.code, reason: info.reason, wasOpen: info.wasOpen, reconnectInMs: info.reconnectInMs });
  }

  auth(): void {
    this.#emit({ type: "auth", auth: this.#auth() });
  }

  // ---- building events ---------------------------------------------------------------------------

  #query(query: LocalQuery): Omit<InspectedQuery, "result"> {
    return { queryId: query.id, name: query.udfPath, args: decodeFromServer(argsOfToken(query.token)), refCount: query.refCount };
  }

  /** What the query shows now, remembered as reported. */
  #result(query: LocalQuery): QueryResult<Value> {
    const result = this.#internals.observers.display(query);
    this.#reported.set(query, result);
    return result;
  }

  #request(request: PendingRequest): InspectedRequest {
    const { requestId, udfPath, args } = request.message;
    return {
      requestId,
      kind: request.kind,
      name: udfPath,
      args: decodeFromServer(args[0]!),
      calledAt: request.calledAt,
      optimistic: this.#internals.layers.has(requestId),
    };
  }

  #auth(): InspectedAuth {
    const { auth, authManager } = this.#internals;
    const payload = auth.token === undefined ? undefined : tokenPayload(auth.token);
    const claims = typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : null;
    return { state: authManager.state, claims, expiresAt: typeof claims?.exp === "number" ? claims.exp * 1000 : null };
  }

  /**
   * Calls the listeners (all, or `to`). One that throws never breaks the client or the other
   * listeners: its error is rethrown on its own, where the page's error handlers see it.
   */
  #emit(event: ClientEventInput, to: Iterable<ClientEventListener> = [...this.#listeners]): void {
    const stamped = { ...event, at: Date.now() } as ClientEvent;
    for (const listener of to) {
      try {
        listener(stamped);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
