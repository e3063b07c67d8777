// The body of a forwarded mutation and of the leader's answer, as JSON: values in their wire
// encoding, timestamps as decimal strings (they pass 2^53).

import { decodeValue, encodeValue } from "../../values/encoding.js";
import type { JSONValue } from "../../values/value.js";
import type { UserIdentity } from "../define/context.js";
import { wireErrorData, wireValue } from "../runtime/outcome.js";
import type { ForwardedMutation, MutationOutcome } from "../runtime/runtime.js";

/** The path of the leader's internal endpoint (same port as the API; refused without the node secret). */
export const INTERNAL_MUTATION_PATH = "/_syncline/internal/mutation";
/** The header carrying the shared node secret. */
export const NODE_SECRET_HEADER = "x-syncline-node-secret";

interface ForwardedBody {
  name: string;
  args: JSONValue;
  origin: "client" | "server";
  identity: UserIdentity | null;
  identityError?: string;
  sessionId: string;
  requestId: number;
  /** A system write (an action's scheduler or storage write), not a function. */
  system?: true;
}

type OutcomeBody =
  | { ok: true; value: JSONValue; logLines: string[]; ts?: string }
  | { ok: false; message: string; errorData?: JSONValue; logLines: string[] };

/**
 * A forwarded mutation as the request body.
 *
 * @example
 * const body = JSON.stringify(encodeForwarded({ name: "counter:increment", args: {}, caller, sessionId, requestId: 3 }));
 */
export function encodeForwarded(call: ForwardedMutation): ForwardedBody {
  const body: ForwardedBody = {
    name: call.name,
    args: encodeValue(call.args),
    origin: call.caller.origin,
    identity: call.caller.identity,
    sessionId: call.sessionId,
    requestId: call.requestId,
  };
  if (call.caller.identityError !== undefined) body.identityError = call.caller.identityError;
  if (call.system === true) body.system = true;
  return body;
}

/** The inverse of `encodeForwarded`; throws on a malformed body. */
export function decodeForwarded(json: unknown): ForwardedMutation {
  const body = json as Partial<ForwardedBody> | null;
  if (body === null || typeof body !== "object" || typeof body.name !== "string" || typeof body.sessionId !== "string" || typeof body.requestId !== "number") {
    throw new Error("A forwarded mutation needs name, args, sessionId and requestId.");
  }
  if (body.origin !== "client" && body.origin !== "server") throw new Error(`A forwarded mutation's origin must be "client" or "server".`);
  const caller = { origin: body.origin, identity: body.identity ?? null, ...(typeof body.identityError === "string" ? { identityError: body.identityError } : {}) };
  if (body.system !== undefined && body.system !== true) throw new Error("A forwarded mutation's system flag must be true or absent.");
  return { name: body.name, args: decodeValue(body.args ?? {}, "args"), caller, sessionId: body.sessionId, requestId: body.requestId, ...(body.system ? { system: true } : {}) };
}

/**
 * A mutation's outcome as the answer body (full detail: the follower redacts for its client).
 *
 * @example
 * sendJson(response, 200, encodeOutcome(await runtime.mutation(name, args, caller, idempotency)));
 */
export function encodeOutcome(outcome: MutationOutcome): OutcomeBody {
  if (outcome.ok) return { ok: true, value: wireValue(outcome), logLines: outcome.logLines, ...(outcome.ts !== undefined ? { ts: outcome.ts.toString() } : {}) };
  const errorData = wireErrorData(outcome);
  return { ok: false, message: outcome.message, logLines: outcome.logLines, ...(errorData !== undefined ? { errorData } : {}) };
}

/** The inverse of `encodeOutcome`; throws on a malformed answer. */
export function decodeOutcome(json: unknown): MutationOutcome {
  const body = json as OutcomeBody | null;
  if (body === null || typeof body !== "object" || !Array.isArray(body.logLines)) throw new Error("The leader's answer is not an outcome.");
  if (body.ok) {
    return { ok: true, value: decodeValue(body.value), encoded: body.value, logLines: body.logLines, ...(body.ts !== undefined ? { ts: BigInt(body.ts) } : {}) };
  }
  if (body.errorData === undefined) return { ok: false, message: body.message, logLines: body.logLines };
  return { ok: false, message: body.message, errorData: decodeValue(body.errorData), encodedErrorData: body.errorData, logLines: body.logLines };
}
