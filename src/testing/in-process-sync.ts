// The sync endpoint of a test runtime without a port: a real client connects through an
// in-memory socket and is served by a real sync session over the runtime's shared subscriptions,
// so live queries, ordered mutations and auth work as they do against a server.

import type { WebSocket } from "ws";
import type { Database } from "../server/db/types.js";
import type { ServerLogger } from "../server/logger.js";
import type { Runtime } from "../server/runtime/runtime.js";
import { SyncSession } from "../server/sync/session.js";
import { SubscriptionManager } from "../server/sync/subscription-manager.js";
import type { TokenVerifier } from "../server/auth/verifier.js";
import { ClientSideSocket, type ServerSideSocket } from "./in-memory-socket.js";
import type { WebSocketConstructor } from "../../transport/websocket.js";

export interface InProcessSyncOptions {
  runtime(): Runtime;
  db: Database;
  logger: ServerLogger;
  verifier(): TokenVerifier;
}

/** Sessions of in-process clients over one subscription manager. */
export class InProcessSync {
  readonly #options: InProcessSyncOptions;
  readonly #manager: SubscriptionManager;
  readonly #sockets = new Set<ServerSideSocket>();
  #closed = false;
  /** The WebSocket class an in-process client is given: every socket it opens reaches this runtime. */
  readonly WebSocket: WebSocketConstructor;

  constructor(options: InProcessSyncOptions) {
    this.#options = options;
    this.#manager = new SubscriptionManager(options.runtime, options.db, { prod: false, logger: options.logger });
    const accept = (server: ServerSideSocket) => this.#accept(server);
    this.WebSocket = class InProcessWebSocket extends ClientSideSocket {
      constructor(url: string) {
        super(url, accept);
      }
    };
  }

  #accept(server: ServerSideSocket): void {
    if (this.#closed) throw new Error("The test runtime is closed.");
    // The session uses only what a `ws` socket and this half have in common: on, send, close, readyState.
    new SyncSession(server as unknown as WebSocket, {
      runtime: this.#options.runtime,
      manager: this.#manager,
      latestTimestamp: () => this.#options.db.latestTimestamp(),
      prod: false,
      logger: this.#options.logger,
      verifier: this.#options.verifier,
    });
    this.#sockets.add(server);
    server.once("close", () => this.#sockets.delete(server));
  }

  /** Closes every socket (1001, going away), refuses new ones, stops the subscriptions. */
  close(): void {
    this.#closed = true;
    for (const socket of this.#sockets) socket.close(1001, "Test runtime closed");
    this.#manager.close();
  }
}
