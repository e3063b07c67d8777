// A scripted sync server for client tests: a real `ws` WebSocketServer on 127.0.0.1 (port 0)
// that records every frame a client sends and lets the test decide every answer, while keeping
// the protocol's bookkeeping (versions, chaining, timestamps) right so tests only script what
// they are about (protocol.md §3-§10).

import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type {
  ClientMessage,
  ModifyQuerySet,
  ServerMessage,
  StateModification,
  Transition,
} from "../../src/protocol/messages.js";
import { encodeTimestamp } from "../../src/protocol/timestamp.js";
import type { JSONValue } from "../../src/values/value.js";

/** Answers the scripted server gives on its own. */
export interface AutoResponder {
  /** The value of a query for an `Add`; throw an Error to answer QueryFailed. */
  query?(udfPath: string, args: JSONValue): JSONValue;
  /** The result of a mutation; it is committed at a fresh ts and followed by an empty transition. */
  mutation?(udfPath: string, args: JSONValue): JSONValue;
  /** The result of an action. */
  action?(udfPath: string, args: JSONValue): JSONValue;
  /** Accept tokens (confirming them in the next transition). Default true. */
  acceptTokens?: boolean;
}

export interface ScriptedServerOptions {
  auto?: AutoResponder;
}

interface Waiter {
  predicate: (message: ClientMessage) => boolean;
  resolve: (message: ClientMessage) => void;
}

/** One socket a client opened. */
export class ScriptedConnection {
  /** The request path, e.g. `/api/1.31.0/sync`. */
  readonly path: string;
  /** Every message the client sent on this socket, in order. */
  readonly received: ClientMessage[] = [];
  /** Every frame the server sent, as text. */
  readonly sent: string[] = [];
  /** The live query set as the client declared it: queryId -> Add. */
  readonly queries = new Map<number, { udfPath: string; args: JSONValue; journal?: string | null }>();
  /** Resolves when the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #socket: WebSocket;
  readonly #server: ScriptedServer;
  #cursor = 0;
  #waiters: Waiter[] = [];
  /** The version the server is at on this socket (the last transition's endVersion). */
  #version = { querySet: 0, identity: 0, ts: 0n };
  /** The newest querySet version the client sent. */
  #clientQuerySet = 0;
  /** The identity version the server will confirm in its next transition. */
  #pendingIdentity = 0;

  constructor(socket: WebSocket, path: string, server: ScriptedServer) {
    this.#socket = socket;
    this.path = path;
    this.#server = server;
    this.closed = new Promise((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on("message", (data) => this.#onFrame(data.toString()));
  }

  /** The version the server has reached on this socket. */
  get version(): { querySet: number; identity: number; ts: bigint } {
    return { ...this.#version };
  }

  get isOpen(): boolean {
    return this.#socket.readyState === this.#socket.OPEN;
  }

  /** The received messages of one type. */
  messages<T extends ClientMessage["type"]>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.received.filter((message): message is Extract<ClientMessage, { type: T }> => message.type === type);
  }

  /**
   * The next message after the ones already taken (of `type`, if given; others are skipped).
   * Waits up to `timeoutMs`.
   */
  async next<T extends ClientMessage["type"]>(type?: T, timeoutMs = 5_000): Promise<Extract<ClientMessage, { type: T }>> {
    const matches = (message: ClientMessage) => type === undefined || message.type === type;
    while (this.#cursor < this.received.length) {
      const message = this.received[this.#cursor++]!;
      if (matches(message)) return message as Extract<ClientMessage, { type: T }>;
    }
    const message = await this.#wait(matches, timeoutMs, `a ${type ?? "message"}`);
    this.#cursor = this.received.indexOf(message) + 1;
    return message as Extract<ClientMessage, { type: T }>;
  }

  /** Waits for a received message (past or future) matching `predicate`. */
  waitFor(predicate: (message: ClientMessage) => boolean, timeoutMs = 5_000, what = "a matching message"): Promise<ClientMessage> {
    const found = this.received.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return this.#wait(predicate, timeoutMs, what);
  }

  /** Sends a message (or raw text) as one frame. */
  send(message: ServerMessage | string): void {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    this.sent.push(text);
    this.#socket.send(text);
  }

  /**
   * Sends a transition that chains from the server's current version to: the newest querySet the
   * client sent, the identity pending confirmation, and a fresh ts (or `ts`).
   */
  transition(modifications: StateModification[] = [], options: { ts?: bigint; startVersion?: Transition["startVersion"] } = {}): Transition {
    const transition = this.buildTransition(modifications, options);
    this.send(transition);
    return transition;
  }

  /** Builds (and records as sent) the next transition without sending it. */
  buildTransition(modifications: StateModification[] = [], options: { ts?: bigint; startVersion?: Transition["startVersion"] } = {}): Transition {
    const ts = options.ts ?? this.#server.nextTs();
    const start = this.#version;
    const end = { querySet: this.#clientQuerySet, identity: this.#pendingIdentity, ts };
    this.#version = end;
    return {
      type: "Transition",
      startVersion: options.startVersion ?? { querySet: start.querySet, identity: start.identity, ts: encodeTimestamp(start.ts) },
      endVersion: { querySet: end.querySet, identity: end.identity, ts: encodeTimestamp(end.ts) },
      modifications,
    };
  }

  /** Sends a transition cut into `parts` TransitionChunks (§10). */
  sendChunked(transition: Transition, parts: number, transitionId = "t1"): string[] {
    const text = JSON.stringify(transition);
    const size = Math.ceil(text.length / parts);
    const chunks: string[] = [];
    for (let i = 0; i < parts; i++) {
      chunks.push(
        JSON.stringify({ type: "TransitionChunk", chunk: text.slice(i * size, (i + 1) * size), partNumber: i, totalParts: parts, transitionId }),
      );
    }
    for (const chunk of chunks) this.send(chunk);
    return chunks;
  }

  /** A QueryUpdated for every query the client holds, with values from `valueOf`. */
  updatesFor(valueOf: (udfPath: string, args: JSONValue, queryId: number) => JSONValue): StateModification[] {
    return [...this.queries].map(([queryId, query]) => ({
      type: "QueryUpdated" as const,
      queryId,
      value: valueOf(query.udfPath, query.args, queryId),
      logLines: [],
      journal: null,
    }));
  }

  /** Closes the socket from the server side. */
  close(code?: number, reason?: string): Promise<{ code: number; reason: string }> {
    this.#socket.close(code, reason);
    return this.closed;
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): Promise<{ code: number; reason: string }> {
    this.#socket.terminate();
    return this.closed;
  }

  #wait(predicate: (message: ClientMessage) => boolean, timeoutMs: number, what: string): Promise<ClientMessage> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; received: ${this.received.map((m) => m.type).join(", ")}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  #onFrame(text: string): void {
    const message = JSON.parse(text) as ClientMessage;
    this.received.push(message);
    this.#track(message);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (waiter.predicate(message)) waiter.resolve(message);
      else this.#waiters.push(waiter);
    }
    this.#server.auto(this, message);
  }

  #track(message: ClientMessage): void {
    if (message.type === "ModifyQuerySet") {
      this.#clientQuerySet = message.newVersion;
      for (const modification of message.modifications) {
        if (modification.type === "Add") {
          this.queries.set(modification.queryId, {
            udfPath: modification.udfPath,
            args: modification.args[0],
            ...(modification.journal !== undefined ? { journal: modification.journal } : {}),
          });
        } else {
          this.queries.delete(modification.queryId);
        }
      }
    } else if (message.type === "Authenticate") {
      this.#pendingIdentity = message.baseVersion + 1;
    }
  }
}

/** The scripted server. */
export class ScriptedServer {
  readonly connections: ScriptedConnection[] = [];
  readonly #wss: WebSocketServer;
  readonly #options: ScriptedServerOptions;
  readonly #connectionWaiters: ((connection: ScriptedConnection) => void)[] = [];
  #claimed = 0;
  #ts = 1_000n;

  constructor(wss: WebSocketServer, options: ScriptedServerOptions) {
    this.#wss = wss;
    this.#options = options;
    wss.on("connection", (socket, request) => {
      const connection = new ScriptedConnection(socket, request.url ?? "", this);
      this.connections.push(connection);
      const waiter = this.#connectionWaiters.shift();
      if (waiter) {
        this.#claimed++;
        waiter(connection);
      }
    });
  }

  get port(): number {
    return (this.#wss.address() as AddressInfo).port;
  }

  /** The deployment URL to give a client: `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A fresh server timestamp, larger than every earlier one (across all sockets). */
  nextTs(): bigint {
    return ++this.#ts;
  }

  /** The next connection not yet returned by this method (waiting for it if needed). */
  nextConnection(timeoutMs = 5_000): Promise<ScriptedConnection> {
    if (this.#claimed < this.connections.length) return Promise.resolve(this.connections[this.#claimed++]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No connection within ${timeoutMs} ms`)), timeoutMs);
      this.#connectionWaiters.push((connection) => {
        clearTimeout(timer);
        resolve(connection);
      });
    });
  }

  /** @internal The automatic answers, if configured. */
  auto(connection: ScriptedConnection, message: ClientMessage): void {
    const auto = this.#options.auto;
    if (auto === undefined) return;
    switch (message.type) {
      case "ModifyQuerySet":
        connection.transition(modificationsFor(message, auto));
        break;
      case "Authenticate":
        if (auto.acceptTokens === false && message.tokenType === "User") {
          connection.send({ type: "AuthError", error: "Token rejected", baseVersion: message.baseVersion, authUpdateAttempted: true });
          void connection.close(1000);
        }
        break;
      case "Mutation": {
        if (auto.mutation === undefined) break;
        const ts = this.nextTs();
        connection.send({ type: "MutationResponse", requestId: message.requestId, success: true, result: auto.mutation(message.udfPath, message.args[0]), ts: encodeTimestamp(ts), logLines: [] });
        connection.transition([], { ts: this.nextTs() });
        break;
      }
      case "Action":
        if (auto.action === undefined) break;
        connection.send({ type: "ActionResponse", requestId: message.requestId, success: true, result: auto.action(message.udfPath, message.args[0]), logLines: [] });
        break;
      default:
        break;
    }
  }

  /** Stops the server and drops every socket. */
  close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }
}

function modificationsFor(message: ModifyQuerySet, auto: AutoResponder): StateModification[] {
  return message.modifications.map((modification): StateModification => {
    if (modification.type === "Remove") return { type: "QueryRemoved", queryId: modification.queryId };
    try {
      const value = auto.query ? auto.query(modification.udfPath, modification.args[0]) : null;
      return { type: "QueryUpdated", queryId: modification.queryId, value, logLines: [], journal: null };
    } catch (error) {
      return { type: "QueryFailed", queryId: modification.queryId, errorMessage: (error as Error).message, logLines: [], journal: null };
    }
  });
}

/**
 * Starts a scripted server on 127.0.0.1 and a free port.
 *
 * @example
 * const server = await startScriptedServer({ auto: { query: () => 42 } });
 * const client = new SynclineClient(server.url, { WebSocket });
 * const socket = await server.nextConnection();
 * await socket.next("Connect");
 */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", () => resolve());
    wss.once("error", reject);
  });
  return new ScriptedServer(wss, options);
}
