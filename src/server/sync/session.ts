// One WebSocket of the sync protocol (protocol.md §3-§10): the client's query set and its
// versions, identity, the serial mutation queue, concurrent actions, and the transitions that
// carry results to the client - each consistent at one timestamp and chained exactly.

import type { WebSocket } from "ws";
import { canonicalizeName } from "../../functions/names.js";
import type { AddQuery, Authenticate, ClientMessage, Connect, ModifyQuerySet } from "../../protocol/messages.js";
import { decodeTimestamp } from "../../protocol/timestamp.js";
import { decodeValue, encodeValue } from "../../values/encoding.js";
import { argumentsTooLarge, LIMITS } from "../../values/limits.js";
import type { Value } from "../../values/value.js";
import type { Timestamp } from "../db/types.js";
import type { ServerLogger } from "../logger.js";
import type { Caller, Runtime } from "../runtime/runtime.js";
import type { UserIdentity } from "../define/context.js";
import { identityKey } from "../auth/identity.js";
import { AuthenticationError, type TokenVerifier, type VerifiedToken } from "../auth/verifier.js";
import { parseClientMessage, ProtocolViolation } from "./client-message.js";
import { callAt } from "../timers.js";
import { DEFAULT_MAX_REQUESTS_IN_FLIGHT, SessionRequests } from "./session-requests.js";
import { Outgoing } from "./outgoing.js";
import type { Subscription, SubscriptionWatcher } from "./subscription.js";
import { encodeResult, modificationJson, removedJson, type EncodedResult } from "./encoded-result.js";
import { transitionJson } from "./transition-json.js";
import type { SubscriptionManager } from "./subscription-manager.js";

export interface SessionDependencies {
  runtime(): Runtime;
  manager: SubscriptionManager;
  latestTimestamp(): Timestamp;
  /**
   * A cluster node: resolves true once this node has applied commit `ts` (false when it gave
   * up). A client that saw `ts` on another node waits for it here instead of seeing older state.
   */
  catchUp?(ts: Timestamp): Promise<boolean>;
  prod: boolean;
  logger: ServerLogger;
  /** Most queries one socket may hold (default DEFAULT_MAX_QUERIES); more fail with a QueryFailed. */
  maxQueries?: number;
  /** Mutations waiting and actions running on one socket at which it is no longer read (backpressure). */
  maxRequestsInFlight?: number;
  pingAfterMs?: number;
  /** Byte budget of what waits to be sent on this socket (see outgoing.ts). */
  maxQueuedBytes?: number;
  /** Verifies user tokens with the current auth configuration. */
  verifier(): TokenVerifier;
}

/** A query the client holds: a shared subscription, or a failure that never changes (bad args). */
interface HeldQuery {
  subscription: Subscription | undefined;
  fixed: EncodedResult | undefined;
  /** The subscription's resultVersion last sent; -1 before the first. */
  sentVersion: number;
}

/** A ModifyQuerySet applied locally but not yet confirmed to the client. */
interface PendingQuerySet {
  version: number;
  added: number[];
  /** Added queries still without a first result. */
  waiting: Set<number>;
}

/** Queries one socket may hold by default (`startServer({ maxSubscriptionsPerSocket })`). */
export const DEFAULT_MAX_QUERIES = 10_000;
const NORMAL_CLOSE = 1000;
const POLICY_VIOLATION = 1008;
const PROTOCOL_ERROR = 1002;
const INTERNAL_ERROR = 1011;
const TRY_AGAIN_LATER = 1013;
/** The close reason's first word when a client reads too slowly (closed with 1013, documented in the README). */
export const SLOW_CLIENT_REASON = "SlowClient";

export class SyncSession implements SubscriptionWatcher {
  readonly #socket: WebSocket;
  readonly #deps: SessionDependencies;
  readonly #out: Outgoing;
  #sessionId: string | undefined;
  #clockSkew = 0;
  #caller: Caller = { origin: "client", identity: null };
  /** What the client last asked for. */
  #querySetVersion = 0;
  #identityVersion = 0;
  /** The end version of the last transition sent. */
  #sent = { querySet: 0, identity: 0, ts: 0n };
  readonly #queries = new Map<number, HeldQuery>();
  /** Query ids added in ModifyQuerySets not yet confirmed; hidden from transitions until then. */
  readonly #unconfirmed = new Set<number>();
  readonly #pendingQuerySets: PendingQuerySet[] = [];
  /** Which pending query set each still-waiting query belongs to. */
  readonly #waitingFor = new Map<number, PendingQuerySet>();
  /** Queries whose result may have changed since it was last sent (only these are looked at). */
  readonly #dirty = new Set<number>();
  /** Queries moved to their own subscription whose first result is not in yet (see subscriptionChanged). */
  readonly #rebinding = new Map<number, Subscription>();
  /** The newest ModifyQuerySet whose added queries all have results. */
  #readyQuerySet = 0;
  /** Removed queries, each told to the client once the ModifyQuerySet removing it is confirmed. */
  readonly #removed: { queryId: number; querySet: number }[] = [];
  /**
   * The newest commit this client was told about in a MutationResponse. A transition reaching it
   * must follow the response (the client resolves the mutation on that transition), even when
   * an earlier one already passed it.
   */
  #owedTs = 0n;
  #transitionOwed = false;
  readonly #requests: SessionRequests;
  #flushScheduled = false;
  #closed = false;
  readonly #stopListening: () => void;
  /** Messages are handled strictly in order, also when one (Authenticate) must wait for I/O. */
  #inbox: Promise<void> = Promise.resolve();
  /** The user token this socket authenticated with, if any, and its expiry timer. */
  #token: string | undefined;
  #cancelExpiry: (() => void) | undefined;
  /** An identity change not yet confirmed: the version it becomes once every query has a result for it. */
  #pendingIdentity: { version: number; queries: number[] } | undefined;

  readonly #maxInFlight: number;
  /** Queries holding a subscription (those failed for good cost nothing to keep current). */
  #liveQueries = 0;

  constructor(socket: WebSocket, deps: SessionDependencies) {
    this.#socket = socket;
    this.#deps = deps;
    this.#maxInFlight = deps.maxRequestsInFlight ?? DEFAULT_MAX_REQUESTS_IN_FLIGHT;
    this.#out = new Outgoing(socket, {
      ...(deps.pingAfterMs !== undefined ? { pingAfterMs: deps.pingAfterMs } : {}),
      ...(deps.maxQueuedBytes !== undefined ? { maxQueuedBytes: deps.maxQueuedBytes } : {}),
      // The client reconnects (every close is retried) and catches up from a fresh transition;
      // its unconfirmed mutations are resent and answered from their records (exactly once).
      onOverBudget: (queued) =>
        this.#close(TRY_AGAIN_LATER, `${SLOW_CLIENT_REASON}: ${queued} bytes wait to be sent to this client, over the socket's budget`),
    });
    this.#requests = new SessionRequests(
      {
        runtime: deps.runtime,
        caller: () => this.#caller,
        sessionId: () => this.#sessionId!,
        prod: deps.prod,
        logger: deps.logger,
        send: (message) => this.#out.send(message),
        committed: (ts) => {
          if (ts > this.#owedTs) this.#owedTs = ts;
          this.#transitionOwed = true;
          this.#scheduleFlush();
        },
        isClosed: () => this.#closed,
        settled: () => this.#checkDrained(),
        pauseReading: () => this.#gateReading("requests", true),
        resumeReading: () => this.#gateReading("requests", false),
      },
      deps.maxRequestsInFlight,
    );
    this.#stopListening = deps.manager.onProcessed(() => {
      if (this.#transitionOwed) this.#scheduleFlush();
    });
    socket.on("message", (data, isBinary) => this.#receive(isBinary ? undefined : data.toString()));
    socket.on("close", () => this.#dispose());
    socket.on("error", () => this.#dispose());
  }

  // ---- receiving ---------------------------------------------------------------------------

  /**
   * Why the socket is not read now: too many requests in flight, too many frames waiting for
   * their turn, or the server draining (see `drain`).
   */
  readonly #readingBlocked = new Set<"requests" | "inbox" | "drain">();
  /** Frames received but not handled yet (they wait behind one that awaits, an Authenticate). */
  #inboxDepth = 0;
  /** Frames received whose handling has not finished (a drain waits for them). */
  #unfinishedFrames = 0;
  /** Resolves the promise `drain` returned, once nothing is in flight. */
  #drained: (() => void) | undefined;

  #gateReading(reason: "requests" | "inbox" | "drain", blocked: boolean): void {
    const wasBlocked = this.#readingBlocked.size > 0;
    if (blocked) this.#readingBlocked.add(reason);
    else this.#readingBlocked.delete(reason);
    const isBlocked = this.#readingBlocked.size > 0;
    if (isBlocked === wasBlocked || this.#closed) return;
    if (isBlocked) this.#socket.pause();
    else this.#socket.resume();
  }

  #receive(text: string | undefined): void {
    if (++this.#inboxDepth >= this.#maxInFlight) this.#gateReading("inbox", true);
    // Nothing ahead of this frame: it is handled now, without a promise - most frames, every
    // Mutation among them, are handled synchronously (a mutation is only queued). Else it waits
    // for the frames before it, in arrival order.
    if (this.#unfinishedFrames++ === 0) {
      const handling = this.#process(text);
      if (handling !== undefined) this.#inbox = handling;
    } else {
      this.#inbox = this.#inbox.then(() => this.#process(text));
    }
  }

  /** Handles one frame; a promise (never rejected) while its handler still runs, else undefined. */
  #process(text: string | undefined): Promise<void> | undefined {
    if (--this.#inboxDepth < this.#maxInFlight) this.#gateReading("inbox", false);
    if (this.#closed) {
      this.#frameDone();
      return undefined;
    }
    let handled: void | Promise<void>;
    try {
      if (text === undefined) throw new ProtocolViolation("Binary frames are not part of the protocol; send text frames.");
      const message = parseClientMessage(text);
      if (this.#sessionId === undefined && message.type !== "Connect") {
        throw new ProtocolViolation(`The first message on a socket must be Connect, got ${message.type}.`);
      }
      handled = this.#handle(message, text.length);
    } catch (error) {
      this.#frameFailed(error);
      this.#frameDone();
      return undefined;
    }
    if (handled === undefined) {
      this.#frameDone();
      return undefined;
    }
    return handled.then(
      () => this.#frameDone(),
      (error: unknown) => {
        this.#frameFailed(error);
        this.#frameDone();
      },
    );
  }

  /** A frame broke the protocol (the socket is told and closed) or met a bug of ours (logged). */
  #frameFailed(error: unknown): void {
    if (error instanceof ProtocolViolation) return this.#fatal(error.message);
    this.#deps.logger.error(`Sync session error: ${(error as Error).stack ?? String(error)}`);
    this.#close(INTERNAL_ERROR, "InternalServerError");
  }

  #frameDone(): void {
    this.#unfinishedFrames--;
    this.#checkDrained();
  }

  #handle(message: ClientMessage, frameLength: number): void | Promise<void> {
    switch (message.type) {
      case "Connect":
        return this.#connect(message);
      case "ModifyQuerySet":
        return this.#modifyQuerySet(message);
      case "Mutation":
        return this.#requests.enqueueMutation(message, frameLength);
      case "Action":
        return void this.#requests.runAction(message, frameLength);
      case "Authenticate":
        return this.#authenticate(message);
      case "Event":
        return; // diagnostics: accepted and ignored
    }
  }

  async #connect(message: Connect): Promise<void> {
    if (this.#sessionId !== undefined) throw new ProtocolViolation("Connect was sent twice on one socket.");
    this.#sessionId = message.sessionId;
    // How far the client's clock is behind the server's (ms), as the official client reads it.
    this.#clockSkew = Date.now() - message.clientTs;
    if (message.maxObservedTimestamp !== undefined) {
      let observed: bigint;
      try {
        observed = decodeTimestamp(message.maxObservedTimestamp);
      } catch (error) {
        throw new ProtocolViolation(`Connect: bad maxObservedTimestamp (${(error as Error).message})`);
      }
      // A node of a cluster that has not applied what the client saw yet catches up first; the
      // messages after Connect wait in the inbox meanwhile, so no transition shows older state.
      if (observed > this.#deps.latestTimestamp() && !(await this.#deps.catchUp?.(observed))) {
        // This server has not reached the client's view (its clock is behind, or it lags too far): retry later.
        this.#close(INTERNAL_ERROR, "Server timestamp is behind the client's maxObservedTimestamp");
      }
    }
  }

  #modifyQuerySet(message: ModifyQuerySet): void {
    if (message.baseVersion !== this.#querySetVersion || message.newVersion !== message.baseVersion + 1) {
      throw new ProtocolViolation(
        `ModifyQuerySet versions: expected baseVersion ${this.#querySetVersion} and newVersion ${this.#querySetVersion + 1}, ` +
          `got ${message.baseVersion} -> ${message.newVersion}.`,
      );
    }
    // Check the whole message before changing anything.
    const ids = new Set(this.#queries.keys());
    for (const change of message.modifications) {
      if (change.type === "Add") {
        if (ids.has(change.queryId)) throw new ProtocolViolation(`Add: query id ${change.queryId} is already in the query set.`);
        ids.add(change.queryId);
      } else {
        if (!ids.has(change.queryId)) throw new ProtocolViolation(`Remove: query id ${change.queryId} is not in the query set.`);
        ids.delete(change.queryId);
      }
    }
    const maxQueries = this.#deps.maxQueries ?? DEFAULT_MAX_QUERIES;
    // Past the limit each added query fails on its own (the others keep working); a client that
    // ignores that and piles failures up to twice the limit is cut off.
    if (ids.size > 2 * maxQueries) {
      this.#close(POLICY_VIOLATION, `More than ${2 * maxQueries} queries on one socket`);
      return;
    }
    this.#querySetVersion = message.newVersion;
    const pending: PendingQuerySet = { version: message.newVersion, added: [], waiting: new Set() };
    for (const change of message.modifications) {
      if (change.type === "Add") {
        this.#add(change);
        pending.added.push(change.queryId);
        if (this.#queries.get(change.queryId)!.subscription?.result === undefined && this.#queries.get(change.queryId)!.fixed === undefined) {
          pending.waiting.add(change.queryId);
          this.#waitingFor.set(change.queryId, pending);
        }
      } else {
        this.#remove(change.queryId);
      }
    }
    this.#pendingQuerySets.push(pending);
    this.#scheduleFlush();
  }

  #add(change: AddQuery): void {
    this.#unconfirmed.add(change.queryId);
    this.#dirty.add(change.queryId);
    const maxQueries = this.#deps.maxQueries ?? DEFAULT_MAX_QUERIES;
    if (this.#liveQueries >= maxQueries) {
      const errorMessage = `This socket already holds ${maxQueries} queries, the most one socket may (maxSubscriptionsPerSocket); remove some first.`;
      this.#queries.set(change.queryId, { subscription: undefined, fixed: encodeResult({ type: "QueryFailed", errorMessage, logLines: [], journal: null }), sentVersion: -1 });
      return;
    }
    const name = canonicalizeName(change.udfPath);
    let args: Value;
    let encodedArgs: string;
    try {
      args = decodeValue(change.args[0], "args");
      encodedArgs = JSON.stringify(encodeValue(args));
      if (argumentsTooLarge(encodedArgs)) throw new Error(`arguments are larger than the limit of ${LIMITS.maxArgumentBytes} bytes (16 MiB)`);
    } catch (error) {
      const message = `${(error as Error).message}`;
      this.#queries.set(change.queryId, {
        subscription: undefined,
        fixed: encodeResult({ type: "QueryFailed", errorMessage: message, logLines: [], journal: null }),
        sentVersion: -1,
      });
      return;
    }
    const subscription = this.#deps.manager.watch(this, change.queryId, name, args, encodedArgs, this.#caller, change.journal ?? null);
    this.#queries.set(change.queryId, { subscription, fixed: undefined, sentVersion: -1 });
    this.#liveQueries++;
  }

  #remove(queryId: number): void {
    const held = this.#queries.get(queryId)!;
    this.#queries.delete(queryId);
    this.#unconfirmed.delete(queryId);
    this.#dirty.delete(queryId);
    this.#rebinding.delete(queryId);
    this.#waitingFor.get(queryId)?.waiting.delete(queryId);
    this.#waitingFor.delete(queryId);
    if (held.subscription) {
      this.#deps.manager.unwatch(this, queryId, held.subscription);
      this.#liveQueries--;
    }
    this.#removed.push({ queryId, querySet: this.#querySetVersion });
  }

  async #authenticate(message: Authenticate): Promise<void> {
    if (message.baseVersion !== this.#identityVersion) {
      throw new ProtocolViolation(`Authenticate: expected baseVersion ${this.#identityVersion}, got ${message.baseVersion}.`);
    }
    if (message.tokenType === "Admin") return this.#authError("Admin tokens are not accepted over the sync protocol.", true);
    let identity: UserIdentity | null = null;
    let expiresAt: number | undefined;
    if (message.tokenType === "User") {
      try {
        ({ identity, expiresAt } = await this.#verifyUnderCurrentConfig(message.value));
      } catch (error) {
        if (error instanceof AuthenticationError) return this.#authError(error.message, true);
        throw error;
      }
      this.#token = message.value;
    } else {
      this.#token = undefined;
    }
    this.#armExpiry(expiresAt);
    this.#setIdentity(message.baseVersion + 1, identity);
  }

  /**
   * Verifies `token` under the auth configuration in force when the check ends: a reload during
   * the check (its keys may take a while to fetch) may have removed the token's provider, and
   * `reverify` only saw the token this socket had before.
   */
  async #verifyUnderCurrentConfig(token: string): Promise<VerifiedToken> {
    let verifier = this.#deps.verifier();
    for (;;) {
      const verified = await verifier.verify(token);
      if (this.#deps.verifier() === verifier) return verified;
      verifier = this.#deps.verifier();
    }
  }

  /** Re-checks this socket's token against a new auth configuration (a provider may be gone). */
  async reverify(): Promise<void> {
    if (this.#token === undefined || this.#closed) return;
    try {
      await this.#deps.verifier().verify(this.#token);
    } catch (error) {
      if (error instanceof AuthenticationError) this.#authError(error.message, false);
    }
  }

  #armExpiry(expiresAt: number | undefined): void {
    this.#cancelExpiry?.();
    if (expiresAt === undefined) return;
    // Functions must not run with an expired token: tell the client to come back with a fresh one.
    this.#cancelExpiry = callAt(expiresAt, () => this.#authError("The token has expired; send a fresh one.", false));
  }

  /** AuthError is always the last message on its socket (§9). */
  #authError(error: string, authUpdateAttempted: boolean): void {
    this.#out.send({ type: "AuthError", error, baseVersion: this.#identityVersion, authUpdateAttempted });
    this.#close(NORMAL_CLOSE, "AuthError");
  }

  /**
   * Switches the queries to a new identity. A query keeps its subscription (and result, no
   * re-run) when the identity is the same user with the same claims - a routine refresh - or the
   * same user and the query never asked for the identity; every other query moves to a
   * subscription for the new identity.
   */
  #setIdentity(version: number, identity: UserIdentity | null): void {
    this.#identityVersion = version;
    const previous = this.#caller.identity;
    this.#caller = { origin: "client", identity };
    const sameUser = (previous?.tokenIdentifier ?? null) === (identity?.tokenIdentifier ?? null);
    // Queries an earlier change moved and that still wait for a result stay part of this one.
    const moved = new Set(this.#pendingIdentity?.queries);
    for (const [queryId, held] of this.#queries) {
      const old = held.subscription;
      if (old === undefined || identityKey(old.caller.identity) === identityKey(identity)) continue;
      if (sameUser && old.usedIdentity === false) continue;
      this.#rebind(queryId, held, old);
      if (!this.#unconfirmed.has(queryId)) {
        this.#unconfirmed.add(queryId);
        moved.add(queryId);
      }
    }
    this.#pendingIdentity = { version, queries: [...moved] };
    this.#scheduleFlush();
  }

  /** Moves one query to the subscription for this session's current identity. */
  #rebind(queryId: number, held: HeldQuery, old: Subscription): Subscription {
    const next = this.#deps.manager.watch(this, queryId, old.name, old.args, old.encodedArgs, this.#caller, old.journal);
    this.#deps.manager.unwatch(this, queryId, old);
    held.subscription = next;
    held.sentVersion = -1;
    this.#dirty.add(queryId);
    return next;
  }


  // ---- transitions ------------------------------------------------------------------------

  /** A subscription this session shows changed or became valid through a later commit. */
  subscriptionChanged(subscription: Subscription): void {
    // A query this session shares with a differently-claimed token of the same user (see
    // #setIdentity) started asking for the identity: its result is not ours. Hold transitions
    // back until our own subscription has answered.
    if (subscription.usedIdentity === true && identityKey(subscription.caller.identity) !== identityKey(this.#caller.identity)) {
      for (const queryId of [...subscription.idsOf(this)]) {
        const held = this.#queries.get(queryId);
        if (held === undefined) continue;
        const next = this.#rebind(queryId, held, subscription);
        if (next.result === undefined) this.#rebinding.set(queryId, next);
      }
      this.#scheduleFlush();
      return;
    }
    for (const [queryId, rebound] of this.#rebinding) {
      if (rebound === subscription && subscription.result !== undefined) this.#rebinding.delete(queryId);
    }
    for (const queryId of subscription.idsOf(this)) {
      this.#dirty.add(queryId);
      const pending = this.#waitingFor.get(queryId);
      if (pending !== undefined && subscription.result !== undefined) {
        pending.waiting.delete(queryId);
        this.#waitingFor.delete(queryId);
      }
    }
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    // A client that is behind costs each commit only the marks above: it gets the newest state
    // once it has caught up (the outgoing side calls back then).
    if (this.#flushScheduled || this.#closed || this.#out.waitingForClient) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /**
   * Sends one transition if there is anything to tell: every result in it, and every result the
   * client keeps, is valid at its end timestamp.
   */
  #flush(): void {
    if (this.#closed || this.#sessionId === undefined) return;
    // The client has not taken what was sent already: build the transition once it has, from
    // its last version to the newest state (every step in between coalesced into one).
    if (!this.#out.readyForTransition(() => this.#scheduleFlush())) return;
    const confirmedQuerySet = this.#confirmQuerySets();
    // The first transition answers the first ModifyQuerySet (§6), whatever came before it.
    if (confirmedQuerySet === 0 || this.#rebinding.size > 0) return;
    const confirmedIdentity = this.#confirmIdentity();
    const manager = this.#deps.manager;
    let ts = manager.processedTs;
    let newestSnapshot = 0n;
    // Settled subscriptions are valid through processedTs; only the unsettled ones can hold us back.
    for (const subscription of manager.unsettled) {
      if (!this.#showsConfirmed(subscription)) continue;
      const validThrough = manager.validThrough(subscription);
      if (validThrough < ts) ts = validThrough;
      if (subscription.snapshotTs > newestSnapshot) newestSnapshot = subscription.snapshotTs;
    }
    // A new result is valid from its snapshot on: one read after another result's validity ends
    // must wait, or the client would see one commit half-applied across two queries.
    const changed: [number, HeldQuery][] = [];
    for (const queryId of this.#dirty) {
      if (this.#unconfirmed.has(queryId)) continue; // stays dirty until its query set is confirmed
      const held = this.#queries.get(queryId);
      if (held === undefined || held.sentVersion === resultVersion(held) || currentResult(held) === undefined) continue;
      changed.push([queryId, held]);
      if (held.subscription !== undefined && held.subscription.snapshotTs > newestSnapshot) newestSnapshot = held.subscription.snapshotTs;
    }
    // Not consistent yet (a fresh result is newer than what another is known valid through):
    // the manager will tell us when it caught up.
    if (ts < newestSnapshot || ts < this.#sent.ts) return;

    // Each result was encoded once for every socket showing it: only our query id is added here.
    const modifications: string[] = [];
    while (this.#removed.length > 0 && this.#removed[0]!.querySet <= confirmedQuerySet) {
      modifications.push(removedJson(this.#removed.shift()!.queryId));
    }
    for (const queryId of this.#dirty) if (!this.#unconfirmed.has(queryId)) this.#dirty.delete(queryId);
    for (const [queryId, held] of changed) {
      held.sentVersion = resultVersion(held);
      modifications.push(modificationJson(currentResult(held)!, queryId));
    }
    const versionsMoved = confirmedQuerySet !== this.#sent.querySet || confirmedIdentity !== this.#sent.identity;
    const owed = this.#transitionOwed && ts >= this.#owedTs;
    if (modifications.length === 0 && !versionsMoved && !owed) return;

    if (owed) this.#transitionOwed = false;
    const start = this.#sent;
    this.#sent = { querySet: confirmedQuerySet, identity: confirmedIdentity, ts };
    this.#out.sendTransition(
      transitionJson(start, this.#sent, modifications, this.#clockSkew, Date.now() * 1e6), // serverTs: nanoseconds, like the commit timestamps
    );
    if (owed) this.#checkDrained();
  }

  /** Whether this session shows `subscription` under a query id the client already has confirmed. */
  #showsConfirmed(subscription: Subscription): boolean {
    for (const queryId of subscription.idsOf(this)) if (!this.#unconfirmed.has(queryId)) return true;
    return false;
  }

  /** Confirms every pending ModifyQuerySet whose added queries all have results, in order. */
  #confirmQuerySets(): number {
    while (this.#pendingQuerySets.length > 0) {
      const next = this.#pendingQuerySets[0]!;
      if (next.waiting.size > 0) break;
      for (const queryId of next.added) this.#unconfirmed.delete(queryId);
      this.#readyQuerySet = next.version;
      this.#pendingQuerySets.shift();
    }
    return this.#readyQuerySet;
  }

  /** The identity version the client may be told: a pending change once its queries have results. */
  #confirmIdentity(): number {
    const pending = this.#pendingIdentity;
    if (pending === undefined) return this.#sent.identity;
    const ready = pending.queries.every((queryId) => {
      const held = this.#queries.get(queryId);
      return held === undefined || held.subscription?.result !== undefined;
    });
    if (!ready) return this.#sent.identity;
    for (const queryId of pending.queries) this.#unconfirmed.delete(queryId);
    this.#pendingIdentity = undefined;
    return pending.version;
  }

  /** Bytes written to this socket that have not reached the network yet. */
  get queuedBytes(): number {
    return this.#out.queuedBytes;
  }

  /** Whether the client is behind (bytes wait, or it has not read its recent transitions). */
  get behind(): boolean {
    return this.#out.behind;
  }

  // ---- closing -----------------------------------------------------------------------------

  /**
   * Prepares this socket for a server drain: stops reading the client's frames (what it sends
   * from now on is resent on its next socket: unanswered mutations and the query set are
   * replayed, each mutation applied once), and resolves once every frame already received is
   * handled, every mutation and action it started is answered, and the transition that lets the
   * client resolve its acknowledged mutations is sent. The caller then closes the socket.
   *
   * @example
   * await settlesWithin(session.drain(), 5_000);
   * socket.close(1012, "Service Restart");
   */
  drain(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#gateReading("drain", true);
    const drained = new Promise<void>((resolve) => (this.#drained = resolve));
    this.#checkDrained();
    return drained;
  }

  /** Resolves a pending `drain` once nothing is in flight any more (or the socket closed). */
  #checkDrained(): void {
    if (this.#drained === undefined) return;
    // A socket that never sent a ModifyQuerySet gets no transitions at all: nothing to wait for.
    const transitionOwed = this.#transitionOwed && this.#querySetVersion > 0;
    if (!this.#closed && (this.#unfinishedFrames > 0 || this.#requests.busy || transitionOwed)) return;
    this.#drained();
    this.#drained = undefined;
  }

  #fatal(message: string): void {
    this.#out.send({ type: "FatalError", error: message });
    this.#close(PROTOCOL_ERROR, "Protocol violation");
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#dispose();
    this.#socket.close(code, reason.slice(0, 120));
  }

  /** Re-runs nothing and sends nothing more; releases every subscription. */
  #dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A socket left paused (backpressure) would never read the client's close frame.
    this.#socket.resume();
    this.#out.stop();
    this.#cancelExpiry?.();
    this.#stopListening();
    for (const [queryId, held] of this.#queries) {
      if (held.subscription) this.#deps.manager.unwatch(this, queryId, held.subscription);
    }
    this.#queries.clear();
    this.#requests.clear();
    this.#checkDrained();
  }
}

/** The query's result as the client should see it now (undefined until the first one is in). */
function currentResult(held: HeldQuery): EncodedResult | undefined {
  return held.subscription ? held.subscription.result : held.fixed;
}

/** Which result the query is at: sent again only when this moved. */
function resultVersion(held: HeldQuery): number {
  return held.subscription ? held.subscription.resultVersion : 0;
}
