// The API port's HTTP server: the probes, the cluster's internal endpoint and `/api/`, with
// the guards every request passes (slow clients, the drain) and one answer for failures. The
// WebSocket sync endpoint attaches to the same server (sync-endpoint.ts).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { INTERNAL_MUTATION_PATH } from "../cluster/forwarded-wire.js";
import { handleInternalMutation, type InternalEndpointOptions } from "../cluster/internal-endpoint.js";
import { handleApiRequest, type ApiDependencies } from "../http/api-routes.js";
import { rememberClientAddress } from "../http/client-gone.js";
import { answerProbe, type ProbeState } from "../http/probes.js";
import { RequestDrain } from "../http/request-drain.js";
import { HttpProblem } from "../http/request-body.js";
import { answerClientError, slowClientOptions } from "../http/slow-clients.js";
import { listenOn } from "../listen-and-close.js";
import { logOutcome, type ServerLogger } from "../logger.js";
import { answerRequestFailure } from "../request-failure.js";
import { UPLOAD_URL_LIFETIME_MS } from "../storage/upload-tokens.js";

export interface ApiServerOptions extends Omit<ApiDependencies, "onCall"> {
  logger: ServerLogger;
  /** How long a client may take to send a request's headers (default: slow-clients.ts). */
  headersTimeoutMs: number | undefined;
  /** What `/health` and `/ready` report, read per probe. */
  probe(): ProbeState;
  /** The internal endpoint followers forward mutations to. */
  internal: InternalEndpointOptions;
}

/** The API port's server, not listening yet, and its requests in flight (for the drain). */
export interface ApiServer {
  server: Server;
  requests: RequestDrain;
}

/**
 * Creates the API port's HTTP server; `listenApi` starts it.
 *
 * @example
 * const { server, requests } = createApiServer({ runtime: () => runtime, prod, callerFor, storage, logger, headersTimeoutMs, probe, internal });
 */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { logger, prod } = options;
  const requests = new RequestDrain();
  const api: ApiDependencies = {
    runtime: options.runtime,
    prod,
    callerFor: options.callerFor,
    storage: options.storage,
    onCall: (kind, name, outcome) => logOutcome(logger, kind, name, outcome),
  };
  const server = createServer(slowClientOptions(options.headersTimeoutMs), (request: IncomingMessage, response: ServerResponse) => {
    rememberClientAddress(request);
    const path = (request.url ?? "/").split("?")[0]!;
    // The probes answer in every state: they are how a load balancer learns about the drain.
    if (answerProbe(request, response, path, options.probe)) return;
    if (!requests.admit(response)) return;
    const handled = path === INTERNAL_MUTATION_PATH
      ? handleInternalMutation(request, response, options.internal)
      : path.startsWith("/api/")
      ? handleApiRequest(request, response, api)
      : Promise.reject(new HttpProblem(404, "NotFound", `There is nothing at ${path}; the API is under /api/.`));
    handled.catch((error: unknown) => answerRequestFailure(error, request, response, { logger, prod, what: `${request.method} ${path}` }));
  });
  // Node cuts off a request still arriving after 5 minutes; an upload of a large file over a slow
  // link may take longer. As long as an upload URL is valid, then.
  server.requestTimeout = UPLOAD_URL_LIFETIME_MS;
  // Requests Node cannot even parse (oversized headers such as a 1 MB token, bad framing) or
  // whose headers never finished get a plain answer instead of a reset connection.
  server.on("clientError", answerClientError);
  return { server, requests };
}

/**
 * Starts the API server listening; a port in use is a clear error saying what to do.
 *
 * @example
 * await listenApi(server, "127.0.0.1", 3210);
 */
export function listenApi(server: Server, host: string, port: number): Promise<void> {
  return listenOn(server, port, host, `Port ${port} on ${host} is in use (another syncline dev?); stop that or choose another with port / --port.`);
}
