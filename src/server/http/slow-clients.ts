// Timeouts and plain answers of the HTTP servers against slow or silent clients (slowloris: a client that opens
// many connections and sends its headers a byte at a time, holding a connection each).

import type { ServerOptions as HttpServerOptions } from "node:http";
import type { Duplex } from "node:stream";

/** How long a client may take to send a request's headers (`startServer({ headersTimeoutMs })`). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

/**
 * Options for `createServer`: Node answers 408 and closes a connection whose request headers
 * have not all arrived after `headersTimeoutMs`, checking often enough for that to hold.
 *
 * @example
 * const server = createServer(slowClientOptions(10_000), handler);
 */
export function slowClientOptions(headersTimeoutMs = DEFAULT_HEADERS_TIMEOUT_MS): HttpServerOptions {
  return {
    headersTimeout: headersTimeoutMs,
    // Node looks for expired requests every this often (30 s by default, too coarse for short limits).
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(headersTimeoutMs / 4))),
  };
}

/** What a request Node could not parse or finish reading is answered with, by its error code. */
const CLIENT_ERRORS: Record<string, [status: string, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: ["431 Request Header Fields Too Large", "HeadersTooLarge", "Request headers are too large (a token in Authorization must be under 16 KB)."],
  ERR_HTTP_REQUEST_TIMEOUT: ["408 Request Timeout", "RequestTimeout", "The request's headers did not arrive in time."],
};

/**
 * The servers' `clientError` listener: a plain JSON answer (431, 408, else 400) and the
 * connection closed, instead of a bare reset.
 *
 * @example
 * server.on("clientError", answerClientError);
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const [status, code, message] = CLIENT_ERRORS[error.code ?? ""] ?? ["400 Bad Request", "BadRequest", "Malformed HTTP request."];
  const body = JSON.stringify({ code, message });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
