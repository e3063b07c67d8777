// What `startServer` returns: the handle of a running server, its life states and what a drain
// reports.

import type { Database } from "../db/types.js";
import type { NodeStatus } from "../node-status.js";
import type { Runtime } from "../runtime/runtime.js";
import type { SyncEndpoint } from "../sync/sync-endpoint.js";

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `http://127.0.0.1:<sitePort>`: the HTTP actions of `http.ts`. */
  readonly siteUrl: string;
  readonly sitePort: number;
  readonly runtime: Runtime;
  readonly db: Database;
  /** The sync endpoint: sessions and the shared subscriptions. */
  readonly sync: SyncEndpoint;
  /** Rebuilds and swaps the functions without dropping connections; rejects (and keeps the old code) on errors. */
  reload(): Promise<void>;
  /**
   * `starting` until `startServer` resolves, `serving`, then `draining` from `drain()` and
   * `closed` once closed. `GET /ready` answers 200 only while `serving`.
   */
  readonly state: ServerState;
  /** What `GET /health` reports about this node. */
  nodeStatus(): NodeStatus;
  /**
   * Stops gracefully (a deploy, a scale-down): `/ready` turns 503 at once; new sockets and
   * requests are refused with 503 (the load balancer retries them on another node); the work
   * already received - mutations, actions, HTTP requests and HTTP actions - finishes and is
   * answered, for at most `timeoutMs` (default 5 s); then every WebSocket is closed with 1012
   * "Service Restart", which clients answer by reconnecting at once (to another node), and the
   * server closes as `close()` does, releasing the database last.
   *
   * @example
   * process.once("SIGTERM", async () => {
   *   const drained = await server.drain({ timeoutMs: 10_000 });
   *   process.exit(0);
   * });
   */
  drain(options?: { timeoutMs?: number }): Promise<DrainOutcome>;
  /** Stops listening, closes connections, releases the database. */
  close(): Promise<void>;
}

/** Where a server is in its life; see `RunningServer.state`. */
export type ServerState = "starting" | "serving" | "draining" | "closed";

/** What a drain did. */
export interface DrainOutcome {
  /** True when everything in flight finished before the timeout. */
  finished: boolean;
  /** How long the drain took, until the database was closed (ms). */
  ms: number;
  /** WebSockets closed with 1012. */
  sockets: number;
  /** HTTP requests (both ports) still unanswered when the timeout cut the drain short. */
  requestsCutOff: number;
}

/** How long `drain()` lets work in flight finish by default. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
