// The session: wires what the client wants (QuerySet), what the server said (RemoteQueryResults),
// what is in flight (RequestQueue), the optimistic layers and auth to one WebSocket transport, and
// turns server messages into snapshot changes for observers. It speaks in function names and
// encoded arguments; typed references and React-friendly objects are SynclineClient's job.

import {
  syncUrl,
  type ActionRequest,
  type ActionResponse,
  type ClientMessage,
  type MutationRequest,
  type MutationResponse,
  type ServerMessage,
  type Transition,
} from "../protocol/messages.js";
import { encodeTimestamp } from "../protocol/timestamp.js";
import type { JSONValue, Value } from "../values/value.js";
import { Backoff } from "../../transport/backoff.js";
import { WebSocketTransport, type CloseInfo, type OpenInfo } from "../../transport/websocket.js";
import { AuthManager } from "./auth-manager.js";
import { AuthSession } from "./auth-session.js";
import type { ClientLog } from "./client-log.js";
import { checkServerMessage } from "./check-server-message.js";
import { ConnectionStatePublisher } from "./connection-state.js";
import { clientClosedError, CONNECTION_LOST_MESSAGE, functionError, functionPrefix, ProtocolViolation, SynclineClientError } from "./errors.js";
import type { EngineTap } from "./engine-tap.js";
import type { FunctionKind } from "../functions/reference.js";
import { OptimisticLayers } from "./optimistic-layers.js";
import { QueryObservers, type QueryObserver } from "./query-observers.js";
import { LOADING, type QueryResult } from "./query-result.js";
import { QuerySet, type LocalQuery } from "./query-set.js";
import { argsOfToken, type QueryToken } from "./query-token.js";
import { RemoteQueryResults } from "./remote-query-results.js";
import { RequestQueue, type PendingRequest, type RequestOutcome } from "./request-queue.js";
import type { AuthTokenFetcher, ClientDebugInfo, ConnectionState, OptimisticLocalStore, SynclineClientOptions } from "./types.js";
import { newSessionId } from "./session-id.js";
import { watchUnsavedChanges } from "./unsaved-changes.js";
import { CLIENT_PROTOCOL_VERSION } from "./version.js";

interface Deferred {
  resolve(value: Value): void;
  reject(error: Error): void;
}

export interface SyncEngineOptions extends SynclineClientOptions {
  log: ClientLog;
}

/**
 * One client session over successive sockets.
 *
 * @example
 * const engine = new SyncEngine("http://127.0.0.1:3210", { log, WebSocket });
 * const query = engine.acquire("messages:list", encodedArgs, token);
 * engine.observe(query, { onQueryChange: () => console.log(engine.snapshot(query)) });
 */
export class SyncEngine {
  readonly #log: ClientLog;
  readonly #transport: WebSocketTransport;
  readonly #querySet: QuerySet;
  readonly #remote: RemoteQueryResults<LocalQuery>;
  readonly #requests = new RequestQueue();
  readonly #deferreds = new Map<number, Deferred>();
  readonly #layers: OptimisticLayers;
  readonly #observers: QueryObservers;
  readonly #auth = new AuthSession();
  readonly #authManager: AuthManager;
  readonly #connection: ConnectionStatePublisher;
  readonly #lingering = new Set<ReturnType<typeof setTimeout>>();
  readonly #staySubscribedMs: number;
  /** Made once per client and kept across reconnects: it scopes requestIds and mutation idempotency (§8). */
  readonly #sessionId = newSessionId();
  #nextRequestId = 0;
  /** Send nothing (a token is being fetched, §6). */
  #held = false;
  /** The socket opened while held: its handshake waits for `release()`. */
  #openWaiting: OpenInfo | undefined;
  /** The current socket got Connect, auth and the query set. */
  #handshakeDone = false;
  #sawTransition = false;
  /**
   * Transitions of a new socket that came before the answers to the optimistic mutations sent on
   * an earlier one. Such a mutation may have committed already (only its answer was lost), and
   * its optimistic value would then show on top of its own effect. They are applied, in order,
   * once those answers are in: the layer then goes in the same step its result shows (§7, §8).
   */
  readonly #deferredTransitions: Transition[] = [];
  #flushScheduled = false;
  #maxObservedTs: bigint | undefined;
  #closed = false;
  #removeUnloadListener: (() => void) | undefined;
  /**
   * Told of every change while someone inspects the client (`inspectClient`, inspect.ts), which
   * turns them into events. Undefined otherwise, and every report reads `this.tap?.`: an
   * uninspected client does no work for it, and the event code is not even in its bundle.
   */
  tap: EngineTap | undefined;

  constructor(url: string, options: SyncEngineOptions) {
    this.#log = options.log;
    this.#staySubscribedMs = options.staySubscribedMs ?? 0;
    this.#querySet = new QuerySet();
    this.#remote = new RemoteQueryResults((queryId) => this.#querySet.byId(queryId));
    this.#layers = new OptimisticLayers(this.#querySet, (requestId, error) =>
      this.#log.error(`Optimistic update of mutation ${requestId} failed (ignored): ${(error as Error).stack ?? String(error)}`),
    );
    this.#observers = new QueryObservers((token) => this.#layers.result(token));
    this.#transport = new WebSocketTransport(
      {
        url: syncUrl(url, CLIENT_PROTOCOL_VERSION),
        ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
        ...(options.inactivityTimeoutMs !== undefined ? { inactivityTimeoutMs: options.inactivityTimeoutMs } : {}),
        backoff: new Backoff(options.reconnectBackoff),
        log: this.#log,
      },
      {
        onOpen: (info) => this.#onOpen(info),
        onMessage: (message) => this.#onMessage(message),
        onClose: (info) => this.#onClose(info),
        onStateChange: () => this.#connection.markDirty(),
      },
    );
    this.#authManager = new AuthManager(
      {
        hold: () => {
          this.#held = true;
        },
        release: () => this.#release(),
        useToken: (token) => {
          if (token === undefined) this.#auth.clear();
          else this.#auth.set(token);
          this.#flushAuth();
          this.tap?.auth();
        },
        restartSocket: (reason) => this.#transport.restart(reason),
      },
      { refreshLeewaySeconds: options.authRefreshLeewaySeconds ?? 10, log: this.#log },
    );
    this.#connection = new ConnectionStatePublisher(() => this.#computeConnectionState());
    this.#removeUnloadListener = watchUnsavedChanges(options.unsavedChangesWarning, () => this.#requests.hasUncommittedMutations);
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- queries ---------------------------------------------------------------------------------

  /**
   * Holds a query (subscribing on the server if it is new). Returns its record, the handle for
   * `observe`, `snapshot` and `release`: valid until released.
   */
  acquire(udfPath: string, encodedArgs: JSONValue, token: QueryToken): LocalQuery {
    this.#assertOpen();
    const query = this.#querySet.acquire(udfPath, encodedArgs, token);
    this.tap?.query(query);
    this.#scheduleFlush();
    this.#transport.open();
    return query;
  }

  /**
   * Lets go of a query, now or after `lingerMs` (default: the client's staySubscribedMs); its
   * result stays available meanwhile.
   */
  release(query: LocalQuery, lingerMs = this.#staySubscribedMs): void {
    if (this.#closed) return;
    if (lingerMs <= 0) return this.#releaseNow(query.token);
    const timer = setTimeout(() => {
      this.#lingering.delete(timer);
      this.#releaseNow(query.token);
    }, lingerMs);
    (timer as { unref?: () => void }).unref?.();
    this.#lingering.add(timer);
  }

  /** Tells `observer` whenever the held query's snapshot changes. */
  observe(query: LocalQuery, observer: QueryObserver): void {
    this.#observers.observe(query, observer);
  }

  unobserve(query: LocalQuery, observer: QueryObserver): void {
    this.#observers.unobserve(query, observer);
  }

  /** The held query's current snapshot. */
  snapshot(query: LocalQuery): QueryResult<Value> {
    return this.#observers.current(query);
  }

  /** Logs an error nobody else will see (a failing query subscribed without onError). */
  reportError(line: string): void {
    this.#log.error(line);
  }

  /** A query's current snapshot, held or not (LOADING when the client has no result for it). */
  currentResult(token: QueryToken): QueryResult<Value> {
    const query = this.#querySet.get(token);
    if (query !== undefined) return this.#observers.current(query);
    return this.#layers.result(token) ?? LOADING;
  }

  #releaseNow(token: QueryToken): void {
    if (this.#closed) return;
    const query = this.#querySet.get(token);
    if (!this.#querySet.release(token)) return;
    this.#scheduleFlush();
    this.tap?.query(query!);
  }

  // ---- mutations and actions -------------------------------------------------------------------

  /** Runs a mutation; resolves once its result is visible in subscribed queries (§7). */
  mutation(udfPath: string, encodedArgs: JSONValue, optimisticUpdate?: (store: OptimisticLocalStore) => void): Promise<Value> {
    const requestId = this.#nextRequestId++;
    const message: MutationRequest = { type: "Mutation", requestId, udfPath, args: [encodedArgs] };
    if (optimisticUpdate !== undefined && !this.#closed) this.#notify([], this.#layers.push(requestId, optimisticUpdate));
    return this.#request(message);
  }

  /** Runs an action. */
  action(udfPath: string, encodedArgs: JSONValue): Promise<Value> {
    const requestId = this.#nextRequestId++;
    return this.#request({ type: "Action", requestId, udfPath, args: [encodedArgs] } satisfies ActionRequest);
  }

  #request(message: MutationRequest | ActionRequest): Promise<Value> {
    if (this.#closed) return Promise.reject(clientClosedError());
    const promise = new Promise<Value>((resolve, reject) => this.#deferreds.set(message.requestId, { resolve, reject }));
    const request = this.#requests.add(message);
    this.tap?.request(request);
    this.#transport.open();
    if (this.#canSend()) {
      this.#flushQuerySet(); // keep call order: a subscription made before this call goes first
      if (this.#transport.send(message)) this.#requests.markSent(message.requestId);
    }
    this.#connection.markDirty();
    return promise;
  }

  // ---- auth ------------------------------------------------------------------------------------

  setAuth(fetchToken: AuthTokenFetcher, onChange?: (isAuthenticated: boolean) => void): void {
    this.#assertOpen();
    this.#authManager.configure(fetchToken, onChange);
    this.tap?.auth();
    // Only the server can confirm a token (onChange reports that), so auth opens the socket even
    // before the first query: UI gated on "authenticated" would otherwise wait forever.
    this.#transport.open();
  }

  clearAuth(): void {
    if (!this.#closed) this.#authManager.clear();
  }

  // ---- connection ------------------------------------------------------------------------------

  connectionState(): ConnectionState {
    return this.#connection.current();
  }

  onConnectionStateChange(callback: (state: ConnectionState) => void): () => void {
    return this.#connection.subscribe(callback);
  }

  reconnectNow(): void {
    if (!this.#closed) this.#transport.reconnectNow();
  }

  /** Ends the session: the socket closes and every pending call rejects. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#authManager.stop();
    this.#transport.close();
    this.#removeUnloadListener?.();
    for (const timer of this.#lingering) clearTimeout(timer);
    this.#lingering.clear();
    for (const request of this.#requests.takeAll()) this.#settle(request, clientClosedError());
    this.#connection.markDirty();
  }

  debug(): ClientDebugInfo {
    const version = this.#remote.version;
    return {
      subscriptions: [...this.#querySet].map((query) => ({
        queryId: query.id,
        name: query.udfPath,
        args: argsOfToken(query.token),
        refCount: query.refCount,
        hasResult: query.serverResult !== undefined,
        listeners: query.observers !== undefined,
      })),
      inflight: [...this.#requests.values()].map((request) => ({
        requestId: request.message.requestId,
        kind: request.kind,
        name: request.message.udfPath,
        state: request.state,
        hasOptimisticUpdate: this.#layers.has(request.message.requestId),
      })),
      versions: {
        querySet: version.querySet,
        identity: version.identity,
        ts: this.#remote.ts.toString(),
        maxObservedTimestamp: this.#maxObservedTs === undefined ? null : this.#maxObservedTs.toString(),
      },
      socket: {
        state: this.#transport.state,
        connectionCount: this.#transport.connectionCount,
        retries: this.#transport.retries,
        lastCloseReason: this.#transport.lastCloseReason,
      },
      auth: this.#authManager.state,
    };
  }

  // ---- the socket ------------------------------------------------------------------------------

  #canSend(): boolean {
    return this.#handshakeDone && !this.#held && this.#transport.state === "open";
  }

  #send(message: ClientMessage): void {
    this.#transport.send(message);
  }

  #onOpen(info: OpenInfo): void {
    this.tap?.opened(info);
    this.#handshakeDone = false;
    this.#sawTransition = false;
    this.#deferredTransitions.length = 0; // the old socket's: the new one starts from version 0
    this.#remote.restart();
    this.#auth.restart();
    if (this.#held) this.#openWaiting = info;
    else this.#handshake(info);
  }

  /** Replays the session on a new socket, in the order of §6. */
  #handshake(info: OpenInfo): void {
    this.#openWaiting = undefined;
    this.#send({
      type: "Connect",
      sessionId: this.#sessionId,
      connectionCount: info.connectionCount,
      lastCloseReason: info.lastCloseReason,
      ...(this.#maxObservedTs !== undefined ? { maxObservedTimestamp: encodeTimestamp(this.#maxObservedTs) } : {}),
      clientTs: Date.now(),
    });
    const authenticate = this.#auth.take();
    if (authenticate !== null) this.#send(authenticate);
    this.#send(this.#querySet.restart());
    const { resend, lost } = this.#requests.restart();
    for (const message of resend) this.#send(message);
    this.#handshakeDone = true;
    this.#failLost(lost);
    this.#connection.markDirty();
  }

  #release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#transport.state !== "open") return;
    if (!this.#handshakeDone) {
      if (this.#openWaiting !== undefined) this.#handshake(this.#openWaiting);
      return;
    }
    this.#flushAuth();
    this.#flushQuerySet();
    for (const message of this.#requests.unsent()) {
      if (this.#transport.send(message)) this.#requests.markSent(message.requestId);
    }
  }

  #onClose(info: CloseInfo): void {
    this.tap?.closed(info);
    this.#handshakeDone = false;
    this.#openWaiting = undefined;
    this.#failLost(this.#requests.onSocketClosed());
    this.#connection.markDirty();
  }

  #failLost(lost: PendingRequest[]): void {
    for (const request of lost) {
      const error = new SynclineClientError("CONNECTION_LOST", `[${functionPrefix("action", request.message.udfPath)}] ${CONNECTION_LOST_MESSAGE}`);
      this.#log.functionFailed("action", request.message.udfPath, CONNECTION_LOST_MESSAGE);
      this.#settle(request, error);
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flushQuerySet();
    });
  }

  #flushQuerySet(): void {
    if (!this.#canSend() || !this.#querySet.hasChanges) return;
    const modify = this.#querySet.takeChanges();
    if (modify !== null) this.#send(modify);
  }

  #flushAuth(): void {
    if (!this.#canSend()) return;
    const authenticate = this.#auth.take();
    if (authenticate !== null) this.#send(authenticate);
  }

  // ---- server messages -------------------------------------------------------------------------

  #onMessage(message: ServerMessage): void {
    if (this.#closed) return;
    try {
      checkServerMessage(message);
      switch (message.type) {
        case "Transition":
          if (this.#deferredTransitions.length > 0 || this.#awaitingResentOptimisticAnswers()) this.#deferredTransitions.push(message);
          else this.#onTransition(message);
          break;
        case "MutationResponse":
        case "ActionResponse":
          this.#onResponse(message);
          if (this.#deferredTransitions.length > 0 && !this.#awaitingResentOptimisticAnswers()) {
            for (const transition of this.#deferredTransitions.splice(0)) this.#onTransition(transition);
          }
          break;
        case "AuthError":
          if (this.#auth.isCurrent(message)) {
            this.#authManager.onAuthError(message);
            this.tap?.auth();
          } else this.#log.debug(`ignoring an AuthError about an older token: ${message.error}`);
          break;
        case "FatalError":
          // The server closes the socket next; the session is replayed on a new one.
          this.#log.error(`The server reported a fatal error: ${message.error}`);
          break;
        default:
          this.#log.debug(`ignoring a message of unknown type ${(message as { type: string }).type}`);
      }
    } catch (error) {
      if (!(error instanceof ProtocolViolation)) throw error;
      this.#log.error(`${error.message} Reconnecting.`);
      this.#transport.restart("ProtocolViolation");
      return;
    }
    if (this.#sawTransition && this.#querySet.caughtUp && this.#requests.caughtUp && this.#auth.caughtUp) this.#transport.markHealthy();
    this.#connection.markDirty();
  }

  /** An optimistic mutation sent on an earlier socket is still unanswered on this one. */
  #awaitingResentOptimisticAnswers(): boolean {
    for (const request of this.#requests.values()) {
      if (request.fromBeforeRestart && request.state === "sent" && this.#layers.has(request.message.requestId)) return true;
    }
    return false;
  }

  #onTransition(transition: Transition): void {
    const changed = this.#remote.apply(transition);
    this.#sawTransition = true;
    this.#observe(this.#remote.ts);
    for (const modification of transition.modifications) {
      if (modification.type === "QueryRemoved") continue;
      const query = this.#querySet.byId(modification.queryId);
      if (query === undefined) continue;
      this.#querySet.noteResult(query.id, modification.journal);
      if (modification.logLines.length > 0) this.#functionLines("query", query.udfPath, modification.logLines);
    }
    if (this.#auth.confirms(transition)) {
      this.#authManager.onConfirmed();
      this.tap?.auth();
    }
    this.#completeVisible(changed);
  }

  /**
   * Settles the mutations visible at the socket's ts, dropping their optimistic layers in the
   * same step as the server results that replace them are shown (§7).
   */
  #completeVisible(changed: LocalQuery[]): void {
    const visible = this.#requests.takeVisible(this.#remote.ts);
    let dropped = false;
    for (const request of visible) if (this.#layers.drop(request.message.requestId)) dropped = true;
    if (dropped || (changed.length > 0 && this.#layers.size > 0)) this.#notify(changed, this.#layers.replay());
    else this.#notify(changed);
    for (const request of visible) this.#settle(request, request.outcome!);
  }

  #onResponse(response: MutationResponse | ActionResponse): void {
    const effect = this.#requests.onResponse(response);
    if (effect.type === "ignored") {
      this.#log.debug(`ignoring a ${response.type} for request ${response.requestId} that is not pending`);
      return;
    }
    const { request } = effect;
    if (response.logLines.length > 0) this.#functionLines(request.kind, request.message.udfPath, response.logLines);
    if (effect.type === "committed") {
      this.#observe(effect.ts);
      // Usually a transition at or past ts follows; if the socket is there already, settle now.
      if (effect.ts <= this.#remote.ts && this.#sawTransition) this.#completeVisible([]);
      return;
    }
    if (!effect.outcome.ok) this.#log.functionFailed(request.kind, request.message.udfPath, effect.outcome.message);
    if (this.#layers.drop(request.message.requestId)) this.#notify([], this.#layers.replay());
    this.#settle(request, effect.outcome);
  }

  #observe(ts: bigint): void {
    if (this.#maxObservedTs === undefined || ts > this.#maxObservedTs) this.#maxObservedTs = ts;
  }

  /**
   * Takes new snapshots of the queries whose server result changed and of those an optimistic
   * layer changed (by token), and calls the listeners of those that changed, each once.
   */
  #notify(changed: LocalQuery[], optimisticTokens: QueryToken[] = []): void {
    const toCall: QueryObserver[] = [];
    this.#observers.refresh(changed, toCall);
    if (optimisticTokens.length > 0) {
      const queries: LocalQuery[] = [];
      for (const token of optimisticTokens) {
        const query = this.#querySet.get(token);
        if (query !== undefined) queries.push(query);
      }
      this.#observers.refresh(queries, toCall);
    }
    this.tap?.results(changed, optimisticTokens);
    const told = toCall.length > 1 ? new Set<QueryObserver>() : undefined;
    for (const observer of toCall) {
      if (told !== undefined) {
        if (told.has(observer)) continue;
        told.add(observer);
      }
      this.tell(observer);
    }
  }

  /** Calls one observer; a listener that throws is logged and never stops the others. */
  tell(observer: QueryObserver): void {
    try {
      observer.onQueryChange();
    } catch (error) {
      this.#log.error(`A query listener threw: ${(error as Error).stack ?? String(error)}`);
    }
  }

  #settle(request: PendingRequest, outcome: RequestOutcome | Error): void {
    const deferred = this.#deferreds.get(request.message.requestId);
    if (deferred === undefined) return;
    this.#deferreds.delete(request.message.requestId);
    this.tap?.settled(request, outcome);
    if (outcome instanceof Error) deferred.reject(outcome);
    else if (outcome.ok) deferred.resolve(outcome.value);
    else deferred.reject(functionError(request.kind, request.message.udfPath, outcome.message, outcome.errorData));
    this.#connection.markDirty();
  }

  // ---- inspection (devtools) ------------------------------------------------------------------

  /** What `inspectClient` reads to build its snapshot and events: the state machines as they are. */
  inspection() {
    return {
      sessionId: this.#sessionId,
      querySet: this.#querySet,
      requests: this.#requests,
      layers: this.#layers,
      observers: this.#observers,
      auth: this.#auth,
      authManager: this.#authManager,
      transport: this.#transport,
    };
  }

  /** Prints a function's console lines and reports them to inspectors. */
  #functionLines(kind: FunctionKind, name: string, lines: readonly string[]): void {
    this.#log.functionLines(kind, name, lines);
    this.tap?.lines(kind, name, lines);
  }

  #computeConnectionState(): ConnectionState {
    const state = this.#transport.state;
    const stats = this.#requests.stats();
    const hasEverConnected = this.#transport.connectionCount > 0;
    return {
      isConnected: state === "open",
      isReconnecting: hasEverConnected && (state === "waiting" || state === "connecting"),
      hasEverConnected,
      connectionCount: this.#transport.connectionCount,
      retries: this.#transport.retries,
      inflightMutations: stats.mutations,
      inflightActions: stats.actions,
      oldestInflightRequestAt: stats.oldestCalledAt,
      isClosed: this.#closed,
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw clientClosedError();
  }
}
