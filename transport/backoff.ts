// Reconnect delays (protocol.md §8): exponential from a base that depends on why the socket
// closed, doubling up to a cap, with +/-50% jitter so a server restart does not bring every client
// back in the same millisecond.

/**
 * Why a socket is being replaced, which decides how long to wait:
 * - `client`: the client itself found a problem (inactive server, protocol violation) - 100 ms;
 * - `server`: the server closed the socket or could not be reached - 1 s;
 * - `overload`: the server said it is overloaded (close code 1013) - 3 s.
 */
export type BackoffReason = "client" | "server" | "overload";

export const BACKOFF_BASE_MS: Readonly<Record<BackoffReason, number>> = { client: 100, server: 1_000, overload: 3_000 };
export const BACKOFF_CAP_MS = 16_000;

export interface BackoffOptions {
  /** The largest delay before jitter (default 16 s). */
  capMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Counts consecutive failed connections and turns them into delays.
 *
 * @example
 * const backoff = new Backoff();
 * backoff.next("server"); // ~1 s (0.5 s .. 1.5 s)
 * backoff.next("server"); // ~2 s
 * backoff.reset();        // the new socket caught up
 */
export class Backoff {
  #retries = 0;
  readonly #capMs: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.#capMs = options.capMs ?? BACKOFF_CAP_MS;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get retries(): number {
    return this.#retries;
  }

  /** The delay before the next attempt, in ms; counts one more failure. */
  next(reason: BackoffReason): number {
    const capped = Math.min(BACKOFF_BASE_MS[reason] * 2 ** this.#retries, this.#capMs);
    this.#retries++;
    return capped * (0.5 + this.#random());
  }

  /**
   * Forgets the failures. Call it only once a new socket has proven healthy (caught up), not
   * merely opened: a server that accepts and then drops every socket must still be backed off.
   */
  reset(): void {
    this.#retries = 0;
  }
}
