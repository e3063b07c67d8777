// The site port: serves the routes of `http.ts` and nothing else. A request is matched first
// (404 / 405 with `Allow` cost nothing), its Bearer token is checked like on the API port, its
// body is read up to 20 MB, and the handler runs as an action under the route's name, so its
// console output reaches the dev terminal as `[H(POST /postMessage)] ...`.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toCleanJson } from "../http/clean-json.js";
import { HttpProblem, readBody, sendJson } from "../http/request-body.js";
import { listenUrl } from "../http/listen-url.js";
import { answerClientError, slowClientOptions } from "../http/slow-clients.js";
import { clientWentAway, logClientGone, rememberClientAddress } from "../http/client-gone.js";
import { closeHttpServer, listenOn } from "../listen-and-close.js";
import { answerRequestFailure } from "../request-failure.js";
import type { ServerLogger } from "../logger.js";
import { forClient } from "../runtime/outcome.js";
import type { Caller, Runtime } from "../runtime/runtime.js";
import { HTTP_ACTION_BODY_LIMIT, ResponseTooLargeError, sendWebResponse, toWebRequest } from "./web-messages.js";
import { requestUrl } from "../http/request-url.js";
import { RequestDrain } from "../http/request-drain.js";

export interface SiteServerOptions {
  port: number;
  host: string;
  runtime(): Runtime;
  /** Redact plain error messages of failing handlers. */
  prod: boolean;
  logger: ServerLogger;
  /** Who the request is from (Authorization header); throws an HttpProblem (401) for a refused token. */
  callerFor(request: IncomingMessage): Promise<Caller>;
  /** The API's URL, to point lost `/api/` requests at it. */
  apiUrl: string;
  /** See `startServer({ headersTimeoutMs })`. */
  headersTimeoutMs?: number;
}

/** A listening site server. */
export interface SiteServer {
  readonly url: string;
  readonly port: number;
  /** Refuses new requests (503) and resolves once the ones being answered are done. */
  drain(): Promise<void>;
  /** Requests being answered now. */
  readonly active: number;
  close(): Promise<void>;
}

/**
 * Starts serving HTTP actions.
 *
 * @example
 * const site = await startSiteServer({ port: 3211, host: "127.0.0.1", runtime: () => runtime, prod, logger, callerFor, apiUrl });
 * console.log(site.url);
 */
export async function startSiteServer(options: SiteServerOptions): Promise<SiteServer> {
  const requests = new RequestDrain();
  const server = createServer(slowClientOptions(options.headersTimeoutMs), (request, response) => {
    rememberClientAddress(request);
    if (!requests.admit(response)) return;
    handle(request, response, options).catch((error: unknown) =>
      answerRequestFailure(error, request, response, { logger: options.logger, prod: options.prod, what: `${request.method} ${request.url} on the site` }),
    );
  });
  server.on("clientError", answerClientError);
  await listenOn(server, options.port, options.host, `The site port ${options.port} (HTTP actions) is in use; choose another with sitePort / --site-port.`);
  const port = (server.address() as AddressInfo).port;
  return {
    url: listenUrl(options.host, port),
    port,
    drain: () => requests.drain(),
    get active() {
      return requests.active;
    },
    close: () => closeHttpServer(server),
  };
}

async function handle(incoming: IncomingMessage, out: ServerResponse, options: SiteServerOptions): Promise<void> {
  const method = incoming.method ?? "GET";
  let url: URL;
  try {
    url = requestUrl(incoming.url, `http://${incoming.headers.host ?? options.host}`);
  } catch {
    throw new HttpProblem(400, "BadRequest", "The request's URL or Host header is malformed.");
  }
  const path = url.pathname;
  if (path === "/api" || path.startsWith("/api/")) {
    throw new HttpProblem(404, "NotFound", `The site port serves HTTP actions only; the function API is at ${options.apiUrl}${path}.`);
  }
  const runtime = options.runtime();
  const router = runtime.modules.http;
  if (router === undefined) throw new HttpProblem(404, "NotFound", `No HTTP action routes ${method} ${path}: there is no http.ts (export default httpRouter()).`);
  const match = router.lookup(path, method);
  if (!match.found) {
    if (match.status === 405) {
      throw new HttpProblem(405, "MethodNotAllowed", `${path} does not take ${method}; it takes ${match.allow.join(", ")}.`, { Allow: match.allow.join(", ") });
    }
    throw new HttpProblem(404, "NotFound", `No HTTP action routes ${method} ${path}.`);
  }
  // A refused token does not stop the request: the handler may not care about our users (a
  // webhook with its own secret in Authorization); asking for the identity throws instead.
  const caller = await options.callerFor(incoming).catch((error: unknown): Caller => {
    if (error instanceof HttpProblem && error.status === 401) return { origin: "client", identity: null, identityError: error.message };
    throw error;
  });
  let body: Buffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    // An oversized body is answered 413 at once; readBody then reads and drops the rest (up to a
    // bound) instead of closing under it: closing a socket with unread bytes resets it, and the
    // reset can destroy the 413 before the client reads it.
    body = await readBody(incoming, HTTP_ACTION_BODY_LIMIT);
  }
  const outcome = await runtime.httpAction(match.route, match.handler, toWebRequest(incoming, url, body), caller);
  for (const line of outcome.logLines) options.logger.functionLine("httpAction", match.route, line);
  if (!outcome.ok) {
    options.logger.functionLine("httpAction", match.route, `[ERROR] ${outcome.message}`);
    const shown = forClient(outcome, options.prod);
    if (shown.ok) return; // unreachable: a failure stays a failure
    sendJson(out, 500, {
      code: "HttpActionFailed",
      message: shown.message,
      ...(shown.errorData !== undefined ? { data: toCleanJson(shown.errorData) } : {}),
    });
    return;
  }
  try {
    await sendWebResponse(out, outcome.response, method === "HEAD");
  } catch (error) {
    if (clientWentAway(error, incoming)) {
      logClientGone(options.logger, incoming, `${method} ${path} on the site`, error);
      out.destroy();
      return;
    }
    options.logger.functionLine("httpAction", match.route, `[ERROR] ${(error as Error).message}`);
    if (out.headersSent) {
      out.destroy();
      return;
    }
    // Our own limit says nothing secret; anything else thrown while reading the body might.
    const message = error instanceof ResponseTooLargeError || !options.prod ? (error as Error).message : "Server Error";
    sendJson(out, 500, { code: "HttpActionFailed", message });
  }
}
