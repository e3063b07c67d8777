// `t.fetch`: a request to the HTTP actions of `http.ts`, answered as the site port answers it -
// routing (404, 405 with Allow), the handler run as an action under its route's name, a failing
// handler as a 500 with `HttpActionFailed` - but without a port: the Response comes straight back.

import { toCleanJson } from "../server/http/clean-json.js";
import type { ServerLogger } from "../server/logger.js";
import type { Caller, Runtime } from "../server/runtime/runtime.js";

/** The origin relative paths of `t.fetch` resolve against (what `request.url` shows a handler). */
export const TEST_SITE_URL = "http://syncline.test";

/**
 * Answers `input` with the HTTP action routed to it.
 *
 * @example
 * const response = await fetchHttpAction(runtime, caller, logger, "/postMessage", { method: "POST", body: "hi" });
 */
export async function fetchHttpAction(runtime: Runtime, caller: Caller, logger: ServerLogger, input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? new Request(input, init) : new Request(new URL(input, TEST_SITE_URL), init);
  const { pathname } = new URL(request.url);
  const method = request.method;
  const router = runtime.modules.http;
  if (router === undefined) return problem(404, "NotFound", `No HTTP action routes ${method} ${pathname}: there is no http.ts (export default httpRouter()).`);
  const match = router.lookup(pathname, method);
  if (!match.found) {
    if (match.status === 405) {
      return problem(405, "MethodNotAllowed", `${pathname} does not take ${method}; it takes ${match.allow.join(", ")}.`, { Allow: match.allow.join(", ") });
    }
    return problem(404, "NotFound", `No HTTP action routes ${method} ${pathname}.`);
  }
  const outcome = await runtime.httpAction(match.route, match.handler, request, caller);
  for (const line of outcome.logLines) logger.functionLine("httpAction", match.route, line);
  if (outcome.ok) return outcome.response;
  logger.functionLine("httpAction", match.route, `[ERROR] ${outcome.message}`);
  return Response.json(
    { code: "HttpActionFailed", message: outcome.message, ...(outcome.errorData !== undefined ? { data: toCleanJson(outcome.errorData) } : {}) },
    { status: 500 },
  );
}

function problem(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ code, message }, { status, headers });
}
