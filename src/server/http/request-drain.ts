// Draining an HTTP server before it stops (a deploy, a scale-down): the requests it is answering
// finish, and new ones are refused with a 503 a load balancer or client retries elsewhere, each
// answer closing its connection. Idle kept-alive connections are left open rather than closed at
// once: a client may be sending its next request on one at that very moment, and would see the
// connection reset instead of the 503 (the server closes them all when it stops).

import type { ServerResponse } from "node:http";
import { HttpProblem, sendProblem } from "./request-body.js";

/** The answer to a request that arrives while the server drains. */
export function drainingProblem(): HttpProblem {
  return new HttpProblem(503, "ServiceUnavailable", "This server is shutting down; send the request again (another server answers it).", {
    "Retry-After": "1",
    Connection: "close",
  });
}

/**
 * Tracks the requests one HTTP server is answering, and drains them.
 *
 * @example
 * const requests = new RequestDrain();
 * createServer((request, response) => {
 *   if (!requests.admit(response)) return; // answered 503: the server is draining
 *   handle(request, response);
 * });
 * await requests.drain(); // resolves once every admitted request has been answered
 */
export class RequestDrain {
  readonly #active = new Set<ServerResponse>();
  #draining = false;
  #idle: (() => void) | undefined;

  /** True once `drain` was called. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests being answered now. */
  get active(): number {
    return this.#active.size;
  }

  /**
   * Admits a request (tracked until its response is finished or its connection closes), or,
   * while draining, answers it with a 503 and returns false.
   */
  admit(response: ServerResponse): boolean {
    if (this.#draining) {
      sendProblem(response, drainingProblem());
      return false;
    }
    this.#active.add(response);
    response.once("close", () => {
      this.#active.delete(response);
      if (this.#active.size === 0) this.#idle?.();
    });
    return true;
  }

  /**
   * Refuses new requests from now on, makes every answer still to come close its connection,
   * and resolves once every admitted request is answered.
   */
  drain(): Promise<void> {
    this.#draining = true;
    for (const response of this.#active) if (!response.headersSent) response.setHeader("Connection", "close");
    if (this.#active.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idle = resolve));
  }
}
