// The one answer both ports (the API and the site of HTTP actions) give a request whose handler
// failed: an HttpProblem as itself, a client that hung up with a quiet log line and a closed
// socket, a database out of reach with a warning line and a retryable 503, and anything else
// logged with its stack and answered 500 (redacted in production).

import type { IncomingMessage, ServerResponse } from "node:http";
import { DatabaseUnavailableError } from "./db/connection-lost.js";
import { clientWentAway, logClientGone } from "./http/client-gone.js";
import { HttpProblem, sendProblem } from "./http/request-body.js";
import type { ServerLogger } from "./logger.js";

export interface FailureContext {
  logger: ServerLogger;
  prod: boolean;
  /** The request as the log names it, e.g. `POST /api/mutation`. */
  what: string;
}

/**
 * Answers `request` after its handler threw `error`.
 *
 * @example
 * handle(request, response).catch((error: unknown) => answerRequestFailure(error, request, response, { logger, prod, what: `${request.method} ${path}` }));
 */
export function answerRequestFailure(error: unknown, request: IncomingMessage, response: ServerResponse, context: FailureContext): void {
  const { logger, prod, what } = context;
  if (error instanceof HttpProblem) return sendProblem(response, error);
  if (clientWentAway(error, request)) {
    logClientGone(logger, request, what, error);
    response.destroy();
    return;
  }
  if (error instanceof DatabaseUnavailableError) {
    // Not a bug of the server: the database is away. One line, and an answer a client retries.
    logger.warn(`${what} answered 503: ${error.message}`);
    const message = prod ? "The database is out of reach; send the request again shortly." : error.message;
    return sendProblem(response, new HttpProblem(503, "DatabaseUnavailable", message, { "Retry-After": "1" }));
  }
  logger.error(`Internal error answering ${what}: ${(error as Error).stack ?? String(error)}`);
  // (Once the headers went out, sendProblem cuts the connection instead.)
  sendProblem(response, new HttpProblem(500, "InternalServerError", prod ? "Server Error" : String((error as Error).message)));
}
