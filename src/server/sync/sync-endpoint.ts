// The sync protocol's WebSocket endpoint, `/api/<clientVersion>/sync`, on the HTTP server's port.

import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Database } from "../db/types.js";
import type { ClusterNode } from "../db/cluster-node.js";
import type { ServerLogger } from "../logger.js";
import type { TokenVerifier } from "../auth/verifier.js";
import type { Runtime } from "../runtime/runtime.js";
import { pruneMutationRecords } from "./mutation-records.js";
import { SyncSession } from "./session.js";
import { SubscriptionManager } from "./subscription-manager.js";
import { settlesWithin } from "../timers.js";

const SYNC_PATH = /^\/api\/[^/]+\/sync$/;
/** Frames past this are refused by the socket layer (arguments themselves stop at 16 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = 32 * 1024 * 1024;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/**
 * The close code of a drain (RFC 6455 "Service Restart"): the client should reconnect at once,
 * and a load balancer sends it to a node that is serving.
 */
export const SERVICE_RESTART = 1012;
/** How long `closeSockets` waits for clients to answer the close frame. */
const CLOSE_HANDSHAKE_MS = 1_000;

export interface SyncEndpointOptions {
  runtime(): Runtime;
  db: Database;
  prod: boolean;
  logger: ServerLogger;
  /** Mutations waiting and actions running at which a socket is no longer read. */
  maxRequestsInFlightPerSocket?: number;
  maxSubscriptionsPerSocket?: number;
  /** Largest WebSocket frame accepted (default 32 MiB); a larger one closes the socket with 1009. */
  maxFrameBytes?: number;
  pingAfterMs?: number;
  /** Byte budget of each socket's unsent messages (default DEFAULT_MAX_QUEUED_BYTES). */
  maxQueuedBytesPerSocket?: number;
  verifier(): TokenVerifier;
  /** This node of a cluster: only its leader prunes, and a lagging node makes reconnecting clients wait. */
  cluster?: ClusterNode;
}

/** How long a client that saw newer commits elsewhere waits for this node to apply them. */
const CATCH_UP_WAIT_MS = 30_000;

/** The live part of a server: sessions over one shared subscription manager. */
export class SyncEndpoint {
  readonly manager: SubscriptionManager;
  readonly #wss: WebSocketServer;
  readonly #options: SyncEndpointOptions;
  readonly #pruneTimer: NodeJS.Timeout;
  readonly #sessions = new Set<SyncSession>();
  #draining = false;

  constructor(server: Server, options: SyncEndpointOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });
    this.manager = new SubscriptionManager(options.runtime, options.db, { prod: options.prod, logger: options.logger });
    server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head));
    const prune = () =>
      options.cluster !== undefined && options.cluster.role !== "leader"
        ? undefined
        : pruneMutationRecords(options.db).catch((error: unknown) => options.logger.warn(`Pruning mutation records failed: ${String(error)}`));
    void prune();
    this.#pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
    this.#pruneTimer.unref();
  }

  /** Number of open sockets. */
  get connections(): number {
    return this.#wss.clients.size;
  }

  /** Bytes waiting to be sent on each open socket (operators' stats and tests). */
  queuedBytes(): number[] {
    return [...this.#sessions].map((session) => session.queuedBytes);
  }

  /**
   * How many open sockets have a client that is behind: bytes wait in the socket, or it has not
   * read its recent transitions (see outgoing.ts); each of those gets only the newest state, later.
   */
  socketsBehind(): number {
    let behind = 0;
    for (const session of this.#sessions) if (session.behind) behind++;
    return behind;
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? "/").split("?")[0]!;
    if (!SYNC_PATH.test(path)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    if (this.#draining) {
      // The client counts a refused upgrade as a failed attempt and retries (another node).
      socket.end("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new SyncSession(ws, {
        runtime: this.#options.runtime,
        manager: this.manager,
        latestTimestamp: () => this.#options.db.latestTimestamp(),
        ...(this.#options.cluster !== undefined ? { catchUp: (ts: bigint) => this.#options.cluster!.waitForApplied(ts, CATCH_UP_WAIT_MS) } : {}),
        prod: this.#options.prod,
        logger: this.#options.logger,
        ...(this.#options.maxRequestsInFlightPerSocket !== undefined ? { maxRequestsInFlight: this.#options.maxRequestsInFlightPerSocket } : {}),
        ...(this.#options.maxSubscriptionsPerSocket !== undefined ? { maxQueries: this.#options.maxSubscriptionsPerSocket } : {}),
        verifier: this.#options.verifier,
        ...(this.#options.pingAfterMs !== undefined ? { pingAfterMs: this.#options.pingAfterMs } : {}),
        ...(this.#options.maxQueuedBytesPerSocket !== undefined ? { maxQueuedBytes: this.#options.maxQueuedBytesPerSocket } : {}),
      });
      this.#sessions.add(session);
      ws.once("close", () => this.#sessions.delete(session));
    });
  }

  /** After a code reload: re-run every live query, and re-check every token (a provider may be gone). */
  reloaded(): void {
    this.manager.rerunAll();
    for (const session of this.#sessions) void session.reverify();
  }

  /**
   * Starts a drain: refuses new sockets (503) and stops reading the open ones; resolves once
   * every open socket has answered what it had received (see `SyncSession.drain`). Then
   * `closeSockets` closes them with SERVICE_RESTART.
   *
   * @example
   * await settlesWithin(sync.drain(), 5_000);
   * await sync.closeSockets(SERVICE_RESTART, "Service Restart");
   */
  async drain(): Promise<void> {
    this.#draining = true;
    await Promise.all([...this.#sessions].map((session) => session.drain()));
  }

  /**
   * Closes every socket with `code` and waits (at most CLOSE_HANDSHAKE_MS) until each close
   * handshake is done, so the close frame reaches the client before the server lets go of the
   * connection; resolves to the number of sockets closed. Then `close()` stops the rest.
   *
   * @example
   * await sync.closeSockets(SERVICE_RESTART, "Service Restart");
   */
  async closeSockets(code: number, reason: string): Promise<number> {
    this.#draining = true;
    const sockets = [...this.#wss.clients];
    const closed = sockets.map((socket) =>
      socket.readyState === socket.CLOSED ? undefined : new Promise<void>((resolve) => socket.once("close", () => resolve())),
    );
    // A drained socket is paused (not read); the client's close frame must be read to finish.
    for (const socket of sockets) {
      socket.resume();
      socket.close(code, reason);
    }
    await settlesWithin(Promise.all(closed), CLOSE_HANDSHAKE_MS);
    return sockets.length;
  }

  /** Closes every socket (1001, going away) and stops the manager. */
  close(): void {
    this.#draining = true;
    clearInterval(this.#pruneTimer);
    for (const client of this.#wss.clients) client.close(1001, "Server shutting down");
    this.#wss.close();
    this.manager.close();
  }

  /** Drops every socket without a close handshake (tests simulate crashes with it). */
  terminateAll(): void {
    for (const client of this.#wss.clients) client.terminate();
  }
}
