// What the devtools panel shows, kept from the client's event stream (inspectClient): the live
// queries, requests in flight and the last ones finished, log lines, the connection's history and
// auth. The client keeps no history; this store is where it lives, bounded so a long session
// cannot grow it without end. Framework-free: the panel renders from it, and so could another UI.

import type { ClientEvent, ConnectionState, InspectedAuth, InspectedRequest, LogLevel, QueryResult } from "../index.js";
import type { FunctionKind } from "../functions/reference.js";
import type { Value } from "../values/value.js";
import { byteSize, jsonText } from "./format.js";

/** A live query as the panel shows it. */
export interface QueryEntry {
  readonly queryId: number;
  readonly name: string;
  readonly args: Value;
  refCount: number;
  result: QueryResult<Value>;
  /** An optimistic update is laid over the server's result. */
  optimistic: boolean;
  /** Bytes of the result as JSON (UTF-8); null while there is none. */
  size: number | null;
  /** When the result last changed (ms since epoch); null before the first. */
  changedAt: number | null;
  /** Results received after the first. */
  changes: number;
  /** Bumped on every change of the entry, so a view can tell what to redraw. */
  revision: number;
}

/** A mutation or action, in flight (`settledAt` null) or finished. */
export interface RequestEntry extends InspectedRequest {
  settledAt: number | null;
  outcome: { ok: true; value: Value } | { ok: false; error: string; errorData?: Value } | null;
}

export interface LogEntry {
  /** Increasing; a key for views. */
  readonly seq: number;
  readonly at: number;
  readonly kind: FunctionKind;
  readonly name: string;
  readonly level: LogLevel;
  readonly message: string;
}

/** A socket opening or closing, for the connection's history. */
export interface SocketEntry {
  readonly seq: number;
  readonly at: number;
  readonly event: "opened" | "closed";
  /** Opened: why the previous socket closed. Closed: why this one did. */
  readonly reason: string | null;
  readonly code?: number;
  /** Closed: the wait before the next attempt. */
  readonly reconnectInMs?: number;
  /** Opened: sockets opened so far, this one included. */
  readonly connectionCount?: number;
}

/** The most finished requests, log lines and socket events kept. */
export const LIMITS = { finishedRequests: 200, logs: 1_000, sockets: 100 } as const;

/**
 * The panel's state, fed by `inspectClient`.
 *
 * @example
 * const store = new DevtoolsStore();
 * const stop = inspectClient(client, (event) => store.apply(event));
 * store.subscribe(() => render(store));
 */
export class DevtoolsStore {
  url = "";
  sessionId = "";
  readonly queries = new Map<number, QueryEntry>();
  readonly inflight = new Map<number, RequestEntry>();
  /** Newest first. */
  finished: RequestEntry[] = [];
  logs: LogEntry[] = [];
  sockets: SocketEntry[] = [];
  connection: ConnectionState | null = null;
  lastCloseReason: string | null = null;
  auth: InspectedAuth = { state: "none", claims: null, expiresAt: null };
  /** When the last event of any kind arrived. */
  lastEventAt: number | null = null;
  /** Bumped on every change. */
  revision = 0;
  #seq = 0;
  readonly #listeners = new Set<() => void>();

  /** Calls `listener` after every change; returns the function that stops it. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes in one event from `inspectClient`. */
  apply(event: ClientEvent): void {
    this.lastEventAt = event.at;
    switch (event.type) {
      case "snapshot":
        this.url = event.url;
        this.sessionId = event.sessionId;
        this.queries.clear();
        for (const query of event.queries) {
          const entry = newEntry(query);
          this.queries.set(query.queryId, entry);
          this.#setQuery(entry, query.result, event.at);
        }
        this.inflight.clear();
        for (const request of event.requests) this.inflight.set(request.requestId, { ...request, settledAt: null, outcome: null });
        this.connection = event.connection;
        this.lastCloseReason = event.lastCloseReason;
        this.auth = event.auth;
        break;
      case "query": {
        const entry = this.queries.get(event.queryId);
        if (event.refCount === 0) this.queries.delete(event.queryId);
        else if (entry !== undefined) {
          entry.refCount = event.refCount;
          entry.revision++;
        } else {
          this.queries.set(event.queryId, newEntry(event));
        }
        break;
      }
      case "queryResult": {
        const entry = this.queries.get(event.queryId);
        if (entry === undefined) break;
        entry.optimistic = event.optimistic;
        this.#setQuery(entry, event.result, event.at);
        break;
      }
      case "request": {
        const { requestId, kind, name, args, calledAt, optimistic } = event;
        this.inflight.set(requestId, { requestId, kind, name, args, calledAt, optimistic, settledAt: null, outcome: null });
        break;
      }
      case "requestSettled": {
        const entry = this.inflight.get(event.requestId);
        if (entry === undefined) break;
        this.inflight.delete(event.requestId);
        entry.settledAt = event.at;
        entry.outcome = event.ok ? { ok: true, value: event.value } : { ok: false, error: event.error, ...(event.errorData !== undefined ? { errorData: event.errorData } : {}) };
        this.finished = [entry, ...this.finished.slice(0, LIMITS.finishedRequests - 1)];
        break;
      }
      case "log":
        this.logs.push({ seq: this.#seq++, at: event.at, kind: event.kind, name: event.name, level: event.level, message: event.message });
        if (this.logs.length > LIMITS.logs) this.logs = this.logs.slice(-LIMITS.logs);
        break;
      case "socketOpened":
        this.#socket({ seq: this.#seq++, at: event.at, event: "opened", reason: event.lastCloseReason, connectionCount: event.connectionCount });
        this.lastCloseReason = null;
        break;
      case "socketClosed":
        this.#socket({ seq: this.#seq++, at: event.at, event: "closed", reason: event.reason || null, code: event.code, reconnectInMs: event.reconnectInMs });
        this.lastCloseReason = event.reason || `closed with code ${event.code}`;
        break;
      case "connection":
        this.connection = event.state;
        break;
      case "auth":
        this.auth = event.auth;
        break;
    }
    this.revision++;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Records a query's new result; a result equal to the last (by its JSON) is not a change. */
  #setQuery(entry: QueryEntry, result: QueryResult<Value>, at: number): void {
    const previous = entry.result;
    const size = result.status === "success" ? byteSize(result.value) : null;
    const same =
      previous.status === result.status &&
      (result.status !== "success" || (size === entry.size && sameValue(previous.value, result.value))) &&
      (result.status !== "error" || previous.error?.message === result.error.message);
    entry.result = result;
    entry.revision++;
    if (same) return;
    if (previous.status !== "loading") entry.changes++;
    if (result.status !== "loading") entry.changedAt = at;
    entry.size = size;
  }

  #socket(entry: SocketEntry): void {
    this.sockets = [entry, ...this.sockets.slice(0, LIMITS.sockets - 1)];
  }
}

function newEntry(query: { queryId: number; name: string; args: Value; refCount: number }): QueryEntry {
  const { queryId, name, args, refCount } = query;
  const loading: QueryResult<Value> = { status: "loading", value: undefined, error: undefined };
  return { queryId, name, args, refCount, result: loading, optimistic: false, size: null, changedAt: null, changes: 0, revision: 0 };
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  return a === b || jsonText(a) === jsonText(b);
}
