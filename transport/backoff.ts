// Reconnect delays (protocol.md §8): exponential from a base that depends on why the socket
// closed, doubling up to a bound, with jitter so a server restart does not bring every client
// back in the same millisecond. The bound is a promise to the app: once the server is back, a
// client is connected again within `maxMs`, however long the outage was.

/**
 * Why a socket is being replaced, which decides how long to wait first:
 * - `client`: the client itself found a problem (inactive server, protocol violation) - a tenth
 *   of `minMs`, since the server is probably fine;
 * - `server`: the server closed the socket or could not be reached - `minMs`;
 * - `overload`: the server said it is overloaded (close code 1013) - three times `minMs`;
 * - `restart`: a healthy server is draining for a restart or deploy (close code 1012) - no wait
 *   at all the first time, since a load balancer already sends the new socket to a node that is
 *   serving; a reconnect that fails again backs off as after `server`, so a node that keeps
 *   answering 1012 cannot make clients spin.
 */
export type BackoffReason = "client" | "server" | "overload" | "restart";

/** The bounds of the reconnect delays (the client's `reconnectBackoff` option). */
export interface ReconnectBackoff {
  /** The delay before the first retry after the server closed the socket or was unreachable (default 1000 ms). */
  minMs?: number;
  /** No delay is ever longer than this, so a returning server sees every client within it (default 5000 ms). */
  maxMs?: number;
}

export const DEFAULT_RECONNECT_BACKOFF: Readonly<Required<ReconnectBackoff>> = { minMs: 1_000, maxMs: 5_000 };

const BASE_FACTOR: Readonly<Record<Exclude<BackoffReason, "restart">, number>> = { client: 0.1, server: 1, overload: 3 };

export interface BackoffOptions extends ReconnectBackoff {
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * Counts consecutive failed connections and turns them into delays: the n-th retry waits between
 * half and all of `min(base * 2^n, maxMs)`.
 *
 * @example
 * const backoff = new Backoff({ minMs: 500, maxMs: 4_000 });
 * backoff.next("server"); // 250 .. 500 ms
 * backoff.next("server"); // 500 .. 1000 ms
 * backoff.reset();        // the new socket caught up
 * backoff.next("restart"); // 0 ms: the server drained for a deploy (1012), reconnect at once
 */
export class Backoff {
  #retries = 0;
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    const minMs = options.minMs ?? DEFAULT_RECONNECT_BACKOFF.minMs;
    const maxMs = options.maxMs ?? Math.max(DEFAULT_RECONNECT_BACKOFF.maxMs, minMs);
    if (!(Number.isFinite(minMs) && minMs > 0)) throw new RangeError(`reconnectBackoff.minMs must be a positive number of milliseconds, got ${minMs}`);
    if (!(Number.isFinite(maxMs) && maxMs >= minMs)) {
      throw new RangeError(`reconnectBackoff.maxMs must be a number of milliseconds of at least minMs (${minMs}), got ${maxMs}`);
    }
    this.#minMs = minMs;
    this.#maxMs = maxMs;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get retries(): number {
    return this.#retries;
  }

  /** The longest delay this backoff ever returns, in ms. */
  get maxMs(): number {
    return this.#maxMs;
  }

  /** The delay before the next attempt, in ms; counts one more failure. */
  next(reason: BackoffReason): number {
    if (reason === "restart" && this.#retries === 0) {
      this.#retries++;
      return 0;
    }
    // 2^retries overflows to Infinity after ~1000 failures; min() keeps that harmless.
    const bound = Math.min(this.#minMs * BASE_FACTOR[reason === "restart" ? "server" : reason] * 2 ** this.#retries, this.#maxMs);
    this.#retries++;
    return bound * (0.5 + this.#random() / 2);
  }

  /**
   * Forgets the failures. Call it only once a new socket has proven healthy (caught up), not
   * merely opened: a server that accepts and then drops every socket must still be backed off.
   */
  reset(): void {
    this.#retries = 0;
  }
}
