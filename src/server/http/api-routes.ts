// The HTTP API (protocol.md §13): `/api/query`, `/api/mutation`, `/api/action`, `/api/function`,
// `/api/run/<module/path>/<export>`. Function results and function errors
// are 200s with `{status}`; requests that are not function calls get a 4xx with `{code, message}`.
// Files are under `/api/storage/` (storage-routes.ts).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { FunctionKind } from "../../functions/reference.js";
import { decodeValue, encodeValue } from "../../values/encoding.js";
import { LIMITS } from "../../values/limits.js";
import type { JSONValue, Value } from "../../values/value.js";
import { DatabaseUnavailableError } from "../db/connection-lost.js";
import type { Caller, Runtime } from "../runtime/runtime.js";
import { forClient, wireValue, type Outcome } from "../runtime/outcome.js";
import { toCleanJson } from "./clean-json.js";
import { HttpProblem, parseJsonBody, readBody, sendJson } from "./request-body.js";
import { handleStorageRequest, STORAGE_PREFIX } from "./storage-routes.js";
import type { FileStorage } from "../storage/file-storage.js";

/** What the API routes need from the server. */
export interface ApiDependencies {
  runtime(): Runtime;
  prod: boolean;
  /** Who the request is from (Authorization header); throws an HttpProblem for a refused token. */
  callerFor(request: IncomingMessage): Promise<Caller>;
  /** Stored files, served and uploaded under `/api/storage/`. */
  storage: FileStorage;
  /** Reports a finished call (for the dev terminal). */
  onCall(kind: FunctionKind, name: string, outcome: Outcome): void;
}

type Format = "convex_encoded_json" | "json";

/** Room for the JSON around 16 MiB of arguments. */
const BODY_LIMIT = LIMITS.maxArgumentBytes + 64 * 1024;

const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Authorization, Convex-Client",
  "Access-Control-Max-Age": "86400",
};

const KIND_ENDPOINTS: Record<string, FunctionKind> = {
  "/api/query": "query",
  "/api/mutation": "mutation",
  "/api/action": "action",
};

/** Handles a request under `/api/`. */
export async function handleApiRequest(request: IncomingMessage, response: ServerResponse, deps: ApiDependencies): Promise<void> {
  const path = (request.url ?? "/").split("?", 1)[0]!;
  // Every answer, failures included, is readable by a page of any origin: a browser that cannot
  // read a 4xx or 500 shows its user only "Failed to fetch".
  response.setHeader("Access-Control-Allow-Origin", "*");
  if (request.method === "OPTIONS") {
    response.writeHead(204, CORS_HEADERS);
    response.end();
    return;
  }
  if (path.startsWith(STORAGE_PREFIX)) return handleStorageRequest(request, response, deps.storage, CORS_HEADERS);
  const kind = KIND_ENDPOINTS[path];
  const isRun = path.startsWith("/api/run/");
  if (path === "/api/query_ts" || path === "/api/query_at_ts") {
    // What ConvexHttpClient.consistentQuery (experimental there) needs: reads at a past snapshot.
    throw new HttpProblem(
      400,
      "Unsupported",
      "Syncline runs queries at the newest snapshot only, so it cannot answer at an earlier timestamp: consistentQuery is not supported; use query.",
    );
  }
  if (kind === undefined && !isRun && path !== "/api/function") {
    throw new HttpProblem(404, "NotFound", `There is no endpoint ${path}.`);
  }
  if (request.method !== "POST") {
    throw new HttpProblem(405, "MethodNotAllowed", `${path} takes POST.`, { Allow: "POST, OPTIONS" });
  }
  const body = parseJsonBody(await readBody(request, BODY_LIMIT));
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, "BadRequest", "Request body must be a JSON object.");
  }
  const fields = body as Record<string, unknown>;
  const call = isRun ? runCall(path, fields) : functionCall(fields, path === "/api/function");
  const caller = await deps.callerFor(request);
  const runtime = deps.runtime();
  const callKind = kind ?? runtime.kindOf(call.name, caller.origin);
  const outcome = callKind === undefined ? runtime.notFound(call.name, caller.origin) : await run(runtime, callKind, call.name, call.args, caller);
  deps.onCall(callKind ?? "query", call.name, outcome);
  if (!outcome.ok && outcome.unavailable === true) throw new DatabaseUnavailableError(outcome.message);
  sendJson(response, 200, responseBody(forClient(outcome, deps.prod), call.format), CORS_HEADERS);
}

interface Call {
  name: string;
  args: Value;
  format: Format;
}

function functionCall(body: Record<string, unknown>, argsIsObject: boolean): Call {
  if (typeof body.path !== "string" || body.path === "") {
    throw new HttpProblem(400, "MissingPath", `Request body needs "path": the function's name, e.g. "messages:list".`);
  }
  let args = body.args ?? (argsIsObject ? {} : [{}]);
  if (!argsIsObject) {
    if (!Array.isArray(args) || args.length !== 1) {
      throw new HttpProblem(400, "BadArgs", `"args" must be an array holding one arguments object, e.g. [{"room": "a"}].`);
    }
    args = args[0];
  }
  return { name: body.path, args: decodeArgs(args), format: format(body.format, "convex_encoded_json") };
}

function runCall(path: string, body: Record<string, unknown>): Call {
  let segments: string[];
  try {
    segments = path.slice("/api/run/".length).split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpProblem(400, "BadPath", `The path ${path} is not valid percent-encoding.`);
  }
  if (segments.length < 2) {
    throw new HttpProblem(400, "MissingPath", `Use /api/run/<module/path>/<export>, e.g. /api/run/messages/list.`);
  }
  const exportName = segments.pop()!;
  return { name: `${segments.join("/")}:${exportName}`, args: decodeArgs(body.args ?? {}), format: format(body.format, "json") };
}

function decodeArgs(args: unknown): Value {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new HttpProblem(400, "BadArgs", "Function arguments must be a JSON object.");
  }
  try {
    return decodeValue(args as JSONValue, "args");
  } catch (error) {
    throw new HttpProblem(400, "BadArgs", (error as Error).message);
  }
}

function format(value: unknown, fallback: Format): Format {
  if (value === undefined) return fallback;
  if (value === "convex_encoded_json" || value === "json") return value;
  throw new HttpProblem(400, "BadFormat", `"format" must be "convex_encoded_json" or "json", got ${JSON.stringify(value)}.`);
}

function run(runtime: Runtime, kind: FunctionKind, name: string, args: Value, caller: Caller): Promise<Outcome> {
  if (kind === "query") return runtime.query(name, args, caller);
  if (kind === "mutation") return runtime.mutation(name, args, caller);
  return runtime.action(name, args, caller);
}

function responseBody(outcome: Outcome, format: Format): Record<string, JSONValue> {
  const encode = (value: Value) => (format === "json" ? toCleanJson(value) : encodeValue(value));
  if (outcome.ok) return { status: "success", value: format === "json" ? toCleanJson(outcome.value) : wireValue(outcome), logLines: outcome.logLines };
  const body: Record<string, JSONValue> = { status: "error", errorMessage: outcome.message, logLines: outcome.logLines };
  if (outcome.errorData !== undefined) body.errorData = encode(outcome.errorData);
  return body;
}
