// The probes a load balancer or orchestrator polls on the API port:
// - `GET /health`: 200 while the process runs, with the node's status (node-status.ts) - the
//   liveness probe, and what an operator reads;
// - `GET /ready`: 200 only while the server is serving; 503 while it starts and from the first
//   moment of a drain, so the balancer stops sending new clients before any socket closes.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { NodeStatus } from "../node-status.js";
import { sendJson } from "./request-body.js";

/** What the probes report, read at the moment of the request. */
export interface ProbeState {
  state: "starting" | "serving" | "draining" | "closed";
  node: NodeStatus;
  /** Open WebSockets. */
  connections: number;
}

const PROBE_PATHS = new Set(["/health", "/ready"]);
/** Probes are polled: never cached by a proxy, whatever it defaults to. */
const NO_STORE = { "Cache-Control": "no-store" };

/**
 * Answers `/health` and `/ready`; returns false (and answers nothing) for any other path.
 *
 * @example
 * if (answerProbe(request, response, path, () => ({ state, node: nodeStatus(), connections }))) return;
 */
export function answerProbe(request: IncomingMessage, response: ServerResponse, path: string, read: () => ProbeState): boolean {
  if (!PROBE_PATHS.has(path)) return false;
  if (request.method !== "GET" && request.method !== "HEAD") {
    sendJson(response, 405, { code: "MethodNotAllowed", message: `${path} takes GET.` }, { Allow: "GET, HEAD" });
    return true;
  }
  const { state, node, connections } = read();
  // Once draining, the balancer should not keep this connection for its next probe either.
  const headers = state === "draining" || state === "closed" ? { ...NO_STORE, Connection: "close" } : NO_STORE;
  if (path === "/health") sendJson(response, 200, { ...node, status: state, connections }, headers);
  else sendJson(response, state === "serving" ? 200 : 503, { ready: state === "serving", status: state }, headers);
  return true;
}
