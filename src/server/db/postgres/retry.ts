// Waiting out a lost connection to Postgres: an attempt is run again, backing off, until it
// works, the error is not a lost connection, the database closes, or the reconnect timeout
// passes (then the caller gets one clear "unavailable" error naming the target).

import { connectionLost, isConnectionError, type Target } from "./errors.js";
import { outsideCaller } from "./session.js";

/** How long, and whether still, a lost connection is retried. */
export interface ConnectionRetry {
  /** How long a lost connection is retried (ms). */
  readonly reconnectTimeoutMs: number;
  /** The database, as the final error names it. */
  readonly target: Target;
  /** True once the database closed: no more retries. */
  readonly closed: () => boolean;
}

/**
 * Runs `attempt` again after a lost connection, until it works or the reconnect timeout passed.
 *
 * @example
 * const rows = await retryingConnection(() => withPooledSession(pool, readLeader), { reconnectTimeoutMs: 30_000, target, closed: () => false });
 */
export async function retryingConnection<T>(attempt: () => Promise<T>, retry: ConnectionRetry): Promise<T> {
  const deadline = Date.now() + retry.reconnectTimeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConnectionError(error) || retry.closed()) throw error;
      if (Date.now() + delay > deadline) throw connectionLost(retry.target, error);
      await sleep(delay);
    }
  }
}

/**
 * Waits `ms` (outside any function's scope, where timers may be refused).
 *
 * @example
 * await sleep(100);
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => outsideCaller(() => setTimeout(resolve, ms)));
}
