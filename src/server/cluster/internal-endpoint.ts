// The leader's internal endpoint: mutations forwarded by followers, and the system writes of
// their actions (`system-writes.ts`: scheduling, cancelling, file rows), which travel the same way. Only callers presenting the
// shared node secret get in (401 without it, 403 with a wrong one, and 403 on a node that has no
// secret configured), so no client can call it - not even with an admin key. A node that does not
// lead answers 503, and the follower retries at the new leader.

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpProblem, parseJsonBody, readBody, sendJson } from "../http/request-body.js";
import type { ForwardedMutation, MutationOutcome } from "../runtime/runtime.js";
import { decodeForwarded, encodeOutcome, NODE_SECRET_HEADER } from "./forwarded-wire.js";

export interface InternalEndpointOptions {
  /** The shared node secret; undefined refuses every call. */
  secret: string | undefined;
  /** True while this node leads. */
  isLeader(): boolean;
  /** Runs a forwarded mutation here, under its (sessionId, requestId). */
  run(call: ForwardedMutation): Promise<MutationOutcome>;
}

const MAX_BODY = 20 * 1024 * 1024; // arguments stop at 16 MiB

/**
 * Answers `POST /_syncline/internal/mutation`.
 *
 * @example
 * if (path === INTERNAL_MUTATION_PATH) return handleInternalMutation(request, response, { secret, isLeader, run });
 */
export async function handleInternalMutation(request: IncomingMessage, response: ServerResponse, options: InternalEndpointOptions): Promise<void> {
  const presented = request.headers[NODE_SECRET_HEADER];
  if (typeof presented !== "string" || presented === "") throw new HttpProblem(401, "Unauthenticated", "This endpoint is for Syncline nodes: it needs the node secret.");
  if (options.secret === undefined || !sameSecret(presented, options.secret)) throw new HttpProblem(403, "Forbidden", "Wrong node secret.");
  if (request.method !== "POST") throw new HttpProblem(405, "MethodNotAllowed", "Forwarded mutations are POSTed.");
  if (!options.isLeader()) return sendJson(response, 503, { code: "NotLeader", message: "This node does not lead; ask the leader row again." });
  let call: ForwardedMutation;
  try {
    call = decodeForwarded(parseJsonBody(await readBody(request, MAX_BODY)));
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    throw new HttpProblem(400, "BadRequest", (error as Error).message);
  }
  sendJson(response, 200, encodeOutcome(await options.run(call)));
}

function sameSecret(presented: string, secret: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}
