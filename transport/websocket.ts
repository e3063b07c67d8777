// The sync socket (protocol.md §1, §8, §10): one logical connection made of successive sockets,
// replaced after a jittered backoff whenever one closes, with inactivity detection and
// TransitionChunk reassembly. It moves protocol messages and knows nothing about queries,
// requests or auth.
//
// One partysocket instance lives as long as the transport and runs the reconnect loop: it smooths
// over the differences between browser WebSockets, `ws` and React Native, enforces the connect
// timeout and detaches the listeners of every socket it replaces. Two of its features are turned
// off:
// - its send queue (`maxEnqueuedMessages: 0`): a message meant for one socket must never be flushed
//   into the next one, every open replays the session itself (§6);
// - its delays (all 0): when to reset the backoff depends on session state it cannot see (§8).
//   Instead its URL provider, called before every attempt, waits out our own backoff.

import ReconnectingWebSocket from "partysocket/ws";
import type { ClientMessage, ServerMessage, Transition } from "../src/protocol/messages.js";
import { Backoff, type BackoffReason } from "./backoff.js";
import { TransitionChunkAssembler } from "./chunks.js";
import { backoffReasonForClose, CLOSE_ABNORMAL, CLOSE_NORMAL, isRoutineClose } from "./close-codes.js";
import { watchNetworkRecovery } from "./network-recovery.js";

/** A WebSocket class: the browser's, or `ws` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

/**
 * - `idle`: never opened (sockets open lazily);
 * - `connecting`: a socket is being opened;
 * - `open`: the socket is open;
 * - `waiting`: the last socket closed, the next attempt is scheduled;
 * - `closed`: `close()` was called; nothing will happen any more.
 */
export type SocketState = "idle" | "connecting" | "open" | "waiting" | "closed";

export interface OpenInfo {
  /** Sockets opened successfully before this one (0 for the first). */
  connectionCount: number;
  /** Why the previous socket closed; `"InitialConnect"` for the first. */
  lastCloseReason: string | null;
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** Whether this socket had opened. */
  wasOpen: boolean;
  /** The delay before the next attempt. */
  reconnectInMs: number;
}

export interface WebSocketTransportEvents {
  /** A socket opened: the session must be replayed on it now (§6). */
  onOpen(info: OpenInfo): void;
  /** A message arrived (Pings are absorbed; chunked transitions arrive whole). */
  onMessage(message: ServerMessage): void;
  /** The socket closed; another attempt is scheduled. */
  onClose(info: CloseInfo): void;
  /** `state`, `retries` or `connectionCount` changed. */
  onStateChange?(): void;
}

/** Where the transport reports: `debug` lines only matter with verbose logging. */
export interface TransportLog {
  /** Verbose diagnostics: socket states, message types, reconnect delays. */
  debug(line: string): void;
  /** Things a developer should see (abnormal closes, protocol violations). */
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface WebSocketTransportOptions {
  /** `ws(s)://<host>/api/<version>/sync` */
  url: string;
  /** The WebSocket class; defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect when nothing arrived for this long (default 60 s, §10). */
  inactivityTimeoutMs?: number;
  /** Give up on a connection attempt after this long (default 10 s). */
  connectTimeoutMs?: number;
  backoff?: Backoff;
  /** Reconnect at once on `online` / page visible again (default true; only in browsers). */
  watchNetwork?: boolean;
  log?: TransportLog;
}

const DEFAULT_INACTIVITY_MS = 60_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The reason sent in the next `Connect` after the client dropped a silent server. */
export const INACTIVE_SERVER = "InactiveServer";

/**
 * One logical connection to the sync endpoint, made of successive sockets.
 *
 * @example
 * const transport = new WebSocketTransport({ url: "ws://127.0.0.1:3210/api/1.31.0/sync", WebSocket: WS }, {
 *   onOpen: () => transport.send({ type: "Connect", ... }),
 *   onMessage: (message) => handle(message),
 *   onClose: () => {},
 * });
 * transport.open();
 */
export class WebSocketTransport {
  readonly #options: WebSocketTransportOptions;
  readonly #events: WebSocketTransportEvents;
  readonly #backoff: Backoff;
  readonly #chunks = new TransitionChunkAssembler();
  readonly #inactivityMs: number;
  #state: SocketState = "idle";
  /** Created by `open()`; it replaces sockets until `close()`. */
  #socket: ReconnectingWebSocket | undefined;
  #connectionCount = 0;
  #lastCloseReason: string | null = "InitialConnect";
  /** Resolves when the next attempt may start: at once for the first, after the backoff later. */
  #wait: Promise<void> = Promise.resolve();
  /** Ends the current wait early (`reconnectNow()`, `close()`). */
  #endWait: (() => void) | undefined;
  /** Set by `restart()` while partysocket drops the socket: why, for the close it reports. */
  #restarting: { reason: string; backoffReason: BackoffReason } | undefined;
  #inactivityTimer: ReturnType<typeof setTimeout> | undefined;
  #stopWatchingNetwork: (() => void) | undefined;

  constructor(options: WebSocketTransportOptions, events: WebSocketTransportEvents) {
    if (options.WebSocket === undefined && typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") {
      throw new Error(
        "There is no global WebSocket here (Node before 22?). Pass one: new SynclineClient(url, { WebSocket }) with `import WebSocket from \"ws\"`.",
      );
    }
    this.#options = options;
    this.#events = events;
    this.#backoff = options.backoff ?? new Backoff();
    this.#inactivityMs = options.inactivityTimeoutMs ?? DEFAULT_INACTIVITY_MS;
  }

  get state(): SocketState {
    return this.#state;
  }

  /** Failed attempts since the last healthy socket. */
  get retries(): number {
    return this.#backoff.retries;
  }

  /** Sockets opened successfully so far. */
  get connectionCount(): number {
    return this.#connectionCount;
  }

  /** Why the last socket closed (null while one is open). */
  get lastCloseReason(): string | null {
    return this.#lastCloseReason;
  }

  /** Starts connecting, once; later calls do nothing. */
  open(): void {
    if (this.#state !== "idle") return;
    if (this.#options.watchNetwork !== false) this.#stopWatchingNetwork = watchNetworkRecovery(() => this.reconnectNow());
    this.#setState("connecting");
    const socket = new ReconnectingWebSocket(() => this.#wait.then(() => this.#beginAttempt()), undefined, {
      ...(this.#options.WebSocket ? { WebSocket: this.#options.WebSocket } : {}),
      connectionTimeout: this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxEnqueuedMessages: 0,
      // No delay of partysocket's own (it would come on top of ours); `maxRetries` stays infinite.
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
    });
    this.#socket = socket;
    // Listeners, not `on*` properties: partysocket calls a property handler itself and then
    // dispatches a clone of the event, and DOM shims (happy-dom) also call `on*` properties on
    // dispatch - each frame would arrive twice. Listeners see exactly one (cloned) event, and only
    // from the current socket: partysocket detaches a socket's listeners before replacing it.
    socket.addEventListener("open", () => this.#onOpen());
    socket.addEventListener("message", (event) => this.#onMessage(event.data));
    socket.addEventListener("close", (event) => this.#onSocketClose(event.code, event.reason));
    // partysocket reports a close for every failed attempt but one: a WebSocket constructor that
    // throws on the very first attempt yields only an error. Count it as a failed attempt, or the
    // next one would start without a backoff.
    socket.addEventListener("error", (event) => {
      if (this.#state === "connecting") this.#onSocketClose(CLOSE_ABNORMAL, event.message);
    });
  }

  /**
   * Sends a message on the open socket. Returns false (and sends nothing) when no socket is open:
   * the caller keeps the message and replays it on the next open.
   */
  send(message: ClientMessage): boolean {
    if (this.#state !== "open" || this.#socket === undefined) return false;
    try {
      // False when the socket is already closing (its close event is on the way): nothing sent.
      if (!this.#socket.send(JSON.stringify(message))) return false;
    } catch (error) {
      this.#options.log?.warn(`Failed to send ${message.type} on the WebSocket, reconnecting: ${String(error)}`);
      this.restart("FailedToSendMessage");
      return false;
    }
    this.#debug(`sent ${message.type}`);
    return true;
  }

  /**
   * Drops the current socket because the client found a problem (a protocol violation, a stale
   * token) and connects again after a backoff. `reason` goes into the next `Connect`.
   */
  restart(reason: string, backoffReason: BackoffReason = "client"): void {
    if (this.#state !== "open" && this.#state !== "connecting") return;
    // partysocket closes the socket and reports the close synchronously (handled below with our
    // reason and backoff); it starts the next attempt itself, which waits for that backoff. Between
    // an attempt becoming due and partysocket creating its socket (a timer tick at most) there is
    // no socket to drop: `reconnect` then does nothing and the fresh attempt goes ahead.
    this.#restarting = { reason, backoffReason };
    this.#socket?.reconnect(CLOSE_NORMAL, reason);
    this.#restarting = undefined;
  }

  /**
   * Connects at once if a reconnect is waiting (the network came back, the user asked), and
   * opens the first socket if none was opened yet. A socket that is open or opening is kept.
   */
  reconnectNow(): void {
    if (this.#state === "idle") return this.open();
    if (this.#state === "waiting") this.#endWait?.();
  }

  /** The session caught up on the new socket (§8): the next failure starts from the base delay again. */
  markHealthy(): void {
    if (this.#backoff.retries === 0) return;
    this.#backoff.reset();
    this.#events.onStateChange?.();
  }

  /** Closes for good. */
  close(): void {
    if (this.#state === "closed") return;
    this.#setState("closed"); // first: the close partysocket reports now is ours, not a failure
    clearTimeout(this.#inactivityTimer);
    this.#stopWatchingNetwork?.();
    this.#socket?.close(CLOSE_NORMAL, "Client closed");
    this.#endWait?.(); // a pending attempt finds partysocket closed and creates no socket
  }

  // ---- partysocket's events ---------------------------------------------------------------------

  /** partysocket is about to create a socket: the wait is over. Returns the URL to connect to. */
  #beginAttempt(): string {
    this.#endWait = undefined;
    if (this.#state !== "closed") {
      this.#setState("connecting");
      this.#resetInactivity();
    }
    return this.#options.url;
  }

  #onOpen(): void {
    const info: OpenInfo = { connectionCount: this.#connectionCount, lastCloseReason: this.#lastCloseReason };
    this.#connectionCount++;
    this.#lastCloseReason = null;
    this.#resetInactivity();
    this.#setState("open");
    if (info.lastCloseReason !== "InitialConnect") this.#options.log?.info(`WebSocket reconnected after: ${info.lastCloseReason ?? "unknown"}`);
    this.#guard(() => this.#events.onOpen(info));
  }

  #onMessage(data: unknown): void {
    this.#resetInactivity();
    const message = this.#decode(data);
    if (message === undefined || message.type === "Ping") return;
    this.#debug(`received ${message.type}`);
    this.#guard(() => this.#events.onMessage(message));
  }

  /** Parses a frame, joining chunked transitions; on a violation reconnects and returns undefined. */
  #decode(data: unknown): ServerMessage | undefined {
    try {
      if (typeof data !== "string") throw new Error("the server sent a binary frame; every frame must be JSON text");
      const message = JSON.parse(data) as ServerMessage;
      if (message.type !== "TransitionChunk") {
        this.#chunks.interrupt(message.type);
        return message;
      }
      const whole = this.#chunks.add(message);
      if (whole === null) return undefined;
      const transition = JSON.parse(whole) as Transition;
      if (transition.type !== "Transition") throw new Error(`chunks joined into a ${String(transition.type)}, not a Transition`);
      return transition;
    } catch (error) {
      this.#options.log?.error(`Protocol violation by the server, reconnecting: ${(error as Error).message}`);
      this.restart("ProtocolViolation");
      return undefined;
    }
  }

  /** The current socket closed (or its attempt failed); partysocket has already asked for the next URL. */
  #onSocketClose(code: unknown, reason: unknown): void {
    if (this.#state !== "open" && this.#state !== "connecting") return; // `close()` was called
    const wasOpen = this.#state === "open";
    const restarting = this.#restarting;
    this.#restarting = undefined;
    if (restarting !== undefined) {
      this.#afterClose({ code: CLOSE_NORMAL, reason: restarting.reason, wasOpen }, restarting.reason, restarting.backoffReason);
      return;
    }
    // In browsers, partysocket clones its own synthetic close events (connect timeout, socket
    // error) into events whose code and reason are not a number and a string: no close frame.
    const closeCode = typeof code === "number" ? code : CLOSE_ABNORMAL;
    const closeReason = typeof reason === "string" ? reason : "";
    if (wasOpen && !isRoutineClose(closeCode)) this.#options.log?.info(`WebSocket closed with code ${closeCode}${closeReason ? `: ${closeReason}` : ""}`);
    // A socket that never opened means the server is unreachable: back off like for a server close.
    this.#afterClose(
      { code: closeCode, reason: closeReason, wasOpen },
      closeReason || `closed with code ${closeCode}`,
      wasOpen ? backoffReasonForClose(closeCode) : "server",
    );
  }

  #afterClose(closed: Omit<CloseInfo, "reconnectInMs">, closeReason: string, backoffReason: BackoffReason): void {
    this.#chunks.reset();
    clearTimeout(this.#inactivityTimer);
    this.#lastCloseReason = closeReason;
    const delay = this.#backoff.next(backoffReason);
    this.#debug(`socket closed (${closed.code} ${closeReason}); reconnecting in ${Math.round(delay)} ms (retry ${this.#backoff.retries})`);
    this.#wait = new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.#endWait = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#setState("waiting");
    this.#guard(() => this.#events.onClose({ ...closed, reconnectInMs: delay }));
  }

  #resetInactivity(): void {
    clearTimeout(this.#inactivityTimer);
    this.#inactivityTimer = setTimeout(() => {
      this.#options.log?.info(`No message from the server for ${this.#inactivityMs} ms, reconnecting`);
      this.restart(INACTIVE_SERVER);
    }, this.#inactivityMs);
  }

  #setState(state: SocketState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#debug(`socket ${state}`);
    this.#events.onStateChange?.();
  }

  /** A handler that throws must not take the socket's event loop down with it. */
  #guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#options.log?.error(`Sync client failed handling a socket event, reconnecting: ${(error as Error).stack ?? String(error)}`);
      this.restart("ClientError");
    }
  }

  #debug(line: string): void {
    this.#options.log?.debug(line);
  }
}
