// A graceful stop (a deploy, a scale-down): let the work already received finish, for at most a
// timeout, then close every WebSocket with 1012 so clients reconnect at once (to another node),
// and close the server. `RunningServer.drain` says what the caller sees.

import { SERVICE_RESTART, type SyncEndpoint } from "../sync/sync-endpoint.js";
import { settlesWithin } from "../timers.js";
import type { DrainOutcome } from "./running-server.js";

/** HTTP requests in flight on one port. */
export interface RequestsInFlight {
  /** Settles once none is in flight. */
  drain(): Promise<void>;
  readonly active: number;
}

export interface DrainParts {
  sync: Pick<SyncEndpoint, "drain" | "closeSockets">;
  /** The requests of each port. */
  requests: readonly RequestsInFlight[];
  /** Closes the server once drained, releasing the database last. */
  close(): Promise<void>;
}

/**
 * Waits up to `timeoutMs` for mutations, actions and HTTP requests in flight, closes the
 * sockets with 1012 "Service Restart" and then the server. The caller has refused new work
 * already (state `draining`).
 *
 * @example
 * state = "draining";
 * return drainThenClose({ sync, requests: [apiRequests, site], close: () => running.close() }, 5_000);
 */
export async function drainThenClose(parts: DrainParts, timeoutMs: number): Promise<DrainOutcome> {
  const begun = Date.now();
  const { sync, requests } = parts;
  const finished = await settlesWithin(Promise.all([sync.drain(), ...requests.map((port) => port.drain())]), timeoutMs);
  const requestsCutOff = requests.reduce((sum, port) => sum + port.active, 0);
  const sockets = await sync.closeSockets(SERVICE_RESTART, "Service Restart");
  await parts.close();
  return { finished, ms: Date.now() - begun, sockets, requestsCutOff };
}
