// The one answer both ports (the API and the site of HTTP actions) give a request whose handler
// failed: an HttpProblem as itself, a client that hung up with a quiet log line and a closed
// socket, and anything else logged with its stack and answered 500 (redacted in production).

import type { IncomingMessage, ServerResponse } from "node:http";
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
  logger.error(`Internal error answering ${what}: ${(error as Error).stack ?? String(error)}`);
  // (Once the headers went out, sendProblem cuts the connection instead.)
  sendProblem(response, new HttpProblem(500, "InternalServerError", prod ? "Server Error" : String((error as Error).message)));
}
