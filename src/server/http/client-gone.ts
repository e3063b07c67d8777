// Telling a client that went away (aborted its request, reset the connection, timed out) from a
// bug of ours. The first is routine on any public server and is logged once at debug level with
// the route and the client's address; only the second is an internal error worth a stack.

import type { IncomingMessage } from "node:http";
import type { ServerLogger } from "../logger.js";

/** Error codes of a connection the peer ended or Node cut for a timeout. */
const GONE_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE", "ERR_STREAM_DESTROYED", "ERR_HTTP_REQUEST_TIMEOUT", "ETIMEDOUT"]);

/**
 * Whether `error` means the client of `request` went away, not that the server failed.
 *
 * @example
 * if (clientWentAway(error, request)) logClientGone(logger, request, "POST /api/mutation", error);
 */
export function clientWentAway(error: unknown, request: IncomingMessage): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && GONE_CODES.has(code)) return true;
  // Node rejects a body read with a plain `Error("aborted")` when the client closed mid-body.
  return (error as Error | undefined)?.message === "aborted" && !request.complete;
}

/**
 * The client's address, read while the connection is open (Node forgets it once the socket is
 * closed, and it is read again from its cache then). Call it when a request arrives.
 *
 * @example
 * rememberClientAddress(request);
 */
export function rememberClientAddress(request: IncomingMessage): void {
  void request.socket.remoteAddress;
}

/**
 * Logs (at debug level) that a client went away during `route`, once per request.
 *
 * @example
 * logClientGone(logger, request, "POST /api/mutation", error);
 */
export function logClientGone(logger: ServerLogger, request: IncomingMessage, route: string, error: unknown): void {
  const address = request.socket.remoteAddress ?? "unknown address";
  const why = (error as NodeJS.ErrnoException | undefined)?.code ?? (error as Error | undefined)?.message ?? "closed";
  logger.debug?.(`Client ${address} went away during ${route} (${why}).`);
}
