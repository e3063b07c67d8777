// The sync socket (protocol.md §1, §8, §10): one WebSocket at a time, replaced after a jittered
// backoff whenever it closes, with inactivity detection and TransitionChunk reassembly. It moves
// protocol messages and knows nothing about queries, requests or auth.
//
// partysocket runs each connection attempt: it smooths over the differences between browser
// WebSockets, `ws` and React Native, and enforces the connect timeout. Its own retry loop and send
// queue are turned off: a message meant for one socket must never be flushed into the next one
// (every open replays the session itself, §6), and when to reset the backoff depends on session
// state it cannot see (§8). So each attempt gets a fresh partysocket instance and the loop between
// attempts is ours.

import ReconnectingWebSocket from "partysocket/ws";
import type { ClientMessage, ServerMessage, Transition } from "../src/protocol/messages.js";
import { Backoff, type BackoffReason } from "./backoff.js";
import { TransitionChunkAssembler } from "./chunks.js";
import { backoffReasonForClose, isRoutineClose } from "./close-codes.js";
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
  /** The socket of the current attempt; events of any other (an old one closing) are ignored. */
  #socket: ReconnectingWebSocket | undefined;
  #connectionCount = 0;
  #lastCloseReason: string | null = "InitialConnect";
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
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
    this.#connect();
  }

  /**
   * Sends a message on the open socket. Returns false (and sends nothing) when no socket is open:
   * the caller keeps the message and replays it on the next open.
   */
  send(message: ClientMessage): boolean {
    if (this.#state !== "open" || this.#socket === undefined) return false;
    try {
      this.#socket.send(JSON.stringify(message));
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
    const wasOpen = this.#state === "open";
    this.#dropSocket(reason);
    this.#afterClose({ code: 1000, reason, wasOpen }, reason, backoffReason);
  }

  /**
   * Connects at once if a reconnect is waiting (the network came back, the user asked), and
   * opens the first socket if none was opened yet. A socket that is open or opening is kept.
   */
  reconnectNow(): void {
    if (this.#state === "idle") return this.open();
    if (this.#state !== "waiting") return;
    clearTimeout(this.#reconnectTimer);
    this.#connect();
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
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#inactivityTimer);
    this.#stopWatchingNetwork?.();
    this.#dropSocket("Client closed");
    this.#setState("closed");
  }

  // ---- one socket ------------------------------------------------------------------------------

  #connect(): void {
    this.#setState("connecting");
    this.#resetInactivity();
    const socket = new ReconnectingWebSocket(this.#options.url, undefined, {
      ...(this.#options.WebSocket ? { WebSocket: this.#options.WebSocket } : {}),
      connectionTimeout: this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxRetries: 0,
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: () => false,
    });
    this.#socket = socket;
    // Listeners, not `on*` properties: partysocket calls a property handler itself and then
    // dispatches a clone of the event, and DOM shims (happy-dom) also call `on*` properties on
    // dispatch - each frame would arrive twice. Listeners see exactly one (cloned) event. They
    // are never removed: each attempt has its own partysocket, and a replaced one is ignored.
    socket.addEventListener("open", () => {
      if (socket === this.#socket) this.#onOpen();
    });
    socket.addEventListener("message", (event: MessageEvent) => {
      if (socket === this.#socket) this.#onMessage(event.data);
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      if (socket === this.#socket) this.#onSocketClose(event.code, event.reason);
    });
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

  #onSocketClose(code: number, reason: string): void {
    this.#socket = undefined;
    const wasOpen = this.#state === "open";
    if (wasOpen && !isRoutineClose(code)) this.#options.log?.info(`WebSocket closed with code ${code}${reason ? `: ${reason}` : ""}`);
    // A socket that never opened means the server is unreachable: back off like for a server close.
    this.#afterClose({ code, reason, wasOpen }, reason || `closed with code ${code}`, wasOpen ? backoffReasonForClose(code) : "server");
  }

  #afterClose(closed: Omit<CloseInfo, "reconnectInMs">, closeReason: string, backoffReason: BackoffReason): void {
    this.#chunks.reset();
    clearTimeout(this.#inactivityTimer);
    this.#lastCloseReason = closeReason;
    const delay = this.#backoff.next(backoffReason);
    this.#debug(`socket closed (${closed.code} ${closeReason}); reconnecting in ${Math.round(delay)} ms (retry ${this.#backoff.retries})`);
    this.#setState("waiting");
    this.#reconnectTimer = setTimeout(() => {
      if (this.#state === "waiting") this.#connect();
    }, delay);
    this.#guard(() => this.#events.onClose({ ...closed, reconnectInMs: delay }));
  }

  #dropSocket(reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, reason);
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
